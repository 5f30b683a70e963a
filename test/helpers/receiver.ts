// A local webhook receiver for notification tests: records every request (path, headers, parsed JSON body) and
// answers with the status the test sets (200 by default).
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'

export interface Received {
  path: string
  contentType: string | undefined
  body: any
}

export interface Receiver {
  url: string
  received: Received[]
  /** Status for the next requests (200 by default). */
  status: number
  close(): Promise<void>
}

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = []
  const state = {status: 200}
  const server: Server = createServer((req, res) => {
    let data = ''
    req.on('data', (d) => (data += d))
    req.on('end', () => {
      let body: unknown
      try {
        body = JSON.parse(data)
      } catch {
        body = data
      }
      received.push({path: req.url ?? '', contentType: req.headers['content-type'], body})
      res.writeHead(state.status, {'content-type': 'text/plain'})
      res.end('ok')
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  const {port} = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    get status() {
      return state.status
    },
    set status(v: number) {
      state.status = v
    },
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r())
        server.closeAllConnections()
      }),
  }
}
