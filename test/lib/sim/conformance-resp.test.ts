/**
 * RESP conformance of the simulator, written from the gateway's RESP contract (not from our client).
 * Every test talks to a real listener over a real socket with a raw RESP client.
 */
import {connect} from 'node:net'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {RawResp, RespErrorReply, respAuthed, type Simulator, startTestSimulator, TEST_MANAGEMENT_KEY, V7} from '../../helpers/sim.js'

let sim: Simulator
const open: RawResp[] = []

async function client(): Promise<RawResp> {
  const c = await RawResp.connect(sim.port)
  open.push(c)
  return c
}

async function authed(): Promise<RawResp> {
  const c = await respAuthed(sim)
  open.push(c)
  return c
}

const err = (message: string) => new RespErrorReply(message)

beforeEach(async () => {
  sim = await startTestSimulator({version: V7, seed: 11})
})

afterEach(async () => {
  for (const c of open.splice(0)) c.close()
  await sim.close()
})

describe('before AUTH', () => {
  it('answers NOAUTH to every non-AUTH command and counts each as a failed auth', async () => {
    const c = await client()
    expect(await c.command('PING')).toEqual(err('NOAUTH Authentication required.'))
    expect(await c.command('LPOP', 'usage')).toEqual(err('NOAUTH Authentication required.'))
    expect(await c.command('INFO')).toEqual(err('NOAUTH Authentication required.'))
    expect(sim.authFailures()).toBe(3)
    expect(c.isClosed).toBe(false)
    // success resets the counter
    expect(await c.command('AUTH', TEST_MANAGEMENT_KEY)).toBe('OK')
    expect(sim.authFailures()).toBe(0)
  })

  it('bans after five pre-AUTH commands and then answers -ERR IP banned without counting', async () => {
    const c = await client()
    for (let i = 0; i < 5; i++) expect(await c.command('HELLO', '3')).toEqual(err('NOAUTH Authentication required.'))
    expect(sim.counters().bans).toBe(1)
    const r = await c.command('LPOP', 'usage')
    expect(r).toBeInstanceOf(RespErrorReply)
    expect((r as RespErrorReply).message).toBe('ERR IP banned due to too many failed attempts. Try again in 30m0s')
    // even the right key is refused while banned (the ban is checked first)
    const a = await c.command('AUTH', TEST_MANAGEMENT_KEY)
    expect((a as RespErrorReply).message).toMatch(/^ERR IP banned due to too many failed attempts\. Try again in \d+m\d+s$/)
    expect(sim.counters().authFailures).toBe(5)
  })
})

describe('AUTH', () => {
  it('accepts AUTH <password> and AUTH <username> <password> (username ignored)', async () => {
    const a = await client()
    expect(await a.command('AUTH', TEST_MANAGEMENT_KEY)).toBe('OK')
    const b = await client()
    expect(await b.command('auth', 'whoever', TEST_MANAGEMENT_KEY)).toBe('OK')
    expect(await b.command('LPOP', 'usage')).toBeNull()
  })

  it('rejects a wrong key, an empty key and wrong arity, each counted', async () => {
    const c = await client()
    expect(await c.command('AUTH', 'wrong')).toEqual(err('ERR invalid management key'))
    expect(await c.command('AUTH', '')).toEqual(err('ERR missing management key'))
    expect(await c.command('AUTH')).toEqual(err("ERR wrong number of arguments for 'auth' command"))
    expect(await c.command('AUTH', 'a', 'b', 'c')).toEqual(err("ERR wrong number of arguments for 'auth' command"))
    expect(sim.authFailures()).toBe(4)
    expect(c.isClosed).toBe(false)
  })
})

describe('LPOP / RPOP', () => {
  it('pops oldest first on both LPOP and RPOP, with and without count', async () => {
    for (let i = 0; i < 6; i++) sim.pushRaw(`{"n":${i}}`)
    const c = await authed()
    expect(await c.command('LPOP', 'usage')).toBe('{"n":0}')
    expect(await c.command('RPOP', 'usage')).toBe('{"n":1}')
    expect(await c.command('RPOP', 'usage', '2')).toEqual(['{"n":2}', '{"n":3}'])
    expect(await c.command('lpop', 'usage', '10')).toEqual(['{"n":4}', '{"n":5}'])
    expect(sim.counters().popped).toBe(6)
  })

  it('answers nil without a count and an empty array (*0) with a count on an empty queue', async () => {
    const c = await authed()
    c.raw = Buffer.alloc(0)
    expect(await c.command('LPOP', 'usage')).toBeNull()
    expect(await c.command('RPOP', 'usage', '5')).toEqual([])
    expect(c.raw.toString()).toBe('$-1\r\n*0\r\n')
  })

  it('accepts the key case-insensitively and trimmed, rejects any other key', async () => {
    sim.pushRaw('{"a":1}')
    const c = await authed()
    expect(await c.command('LPOP', ' USAGE ')).toBe('{"a":1}')
    expect(await c.command('LPOP', 'queue')).toEqual(err("ERR unsupported channel 'queue'"))
    expect(await c.command('RPOP', 'Usage2', '3')).toEqual(err("ERR unsupported channel 'Usage2'"))
  })

  it('rejects bad counts and arity', async () => {
    const c = await authed()
    for (const bad of ['0', '-1', 'abc', '1.5', '']) {
      expect(await c.command('LPOP', 'usage', bad)).toEqual(err('ERR value is not an integer or out of range'))
    }
    expect(await c.command('LPOP')).toEqual(err("ERR wrong number of arguments for 'lpop' command"))
    expect(await c.command('RPOP', 'usage', '1', '2')).toEqual(err("ERR wrong number of arguments for 'rpop' command"))
  })

  it('older gateways (< v7.1.44) accept any key', async () => {
    await sim.close()
    sim = await startTestSimulator({version: '7.1.40'})
    sim.pushRaw('{"old":true}')
    const c = await authed()
    expect(await c.command('LPOP', 'queue')).toBe('{"old":true}')
  })
})

describe('other commands', () => {
  it('answers unknown command (lower-cased) for INFO, HELLO, CLIENT, SELECT, PING, QUIT … after AUTH, staying open', async () => {
    const c = await authed()
    for (const name of ['INFO', 'HELLO', 'CLIENT', 'SELECT', 'PING', 'QUIT', 'COMMAND', 'PSUBSCRIBE', 'LLEN']) {
      expect(await c.command(name, 'x')).toEqual(err(`ERR unknown command '${name.toLowerCase()}'`))
    }
    expect(c.isClosed).toBe(false)
    expect(await c.command('LPOP', 'usage')).toBeNull()
  })

  it('answers -ERR empty command to an empty array', async () => {
    const c = await authed()
    c.sendRaw('*0\r\n')
    expect(await c.reply()).toEqual(err('ERR empty command'))
  })

  it('answers earlier pipelined commands, then -ERR protocol error and closes on a malformed frame', async () => {
    sim.pushRaw('{"p":1}')
    const c = await authed()
    c.sendRaw('*2\r\n$4\r\nLPOP\r\n$5\r\nusage\r\n+PING\r\n')
    expect(await c.reply()).toBe('{"p":1}')
    expect(await c.reply()).toEqual(err('ERR protocol error'))
    await c.closed()
  })

  it('treats a first byte of $ + - : as RESP (arrays only ⇒ protocol error)', async () => {
    for (const prefix of ['$3\r\nfoo\r\n', '+PING\r\n', '-x\r\n', ':1\r\n']) {
      const c = await client()
      c.sendRaw(prefix)
      expect(await c.reply()).toEqual(err('ERR protocol error'))
      await c.closed()
    }
  })

  it('sends inline (telnet-style) commands to HTTP, not RESP', async () => {
    const text = await new Promise<string>((resolve, reject) => {
      const s = connect({port: sim.port, host: '127.0.0.1'}, () => s.write('PING\r\n\r\n'))
      let out = ''
      s.on('data', d => (out += d.toString()))
      s.on('close', () => resolve(out))
      s.on('error', reject)
    })
    expect(text).toMatch(/^HTTP\/1\.1 400 /)
  })

  it('pipelines: replies come back in order', async () => {
    for (let i = 0; i < 3; i++) sim.pushRaw(`{"i":${i}}`)
    const c = await client()
    c.sendRaw(
      `*2\r\n$4\r\nAUTH\r\n$${TEST_MANAGEMENT_KEY.length}\r\n${TEST_MANAGEMENT_KEY}\r\n*3\r\n$4\r\nLPOP\r\n$5\r\nusage\r\n$1\r\n2\r\n*2\r\n$4\r\nRPOP\r\n$5\r\nusage\r\n*1\r\n$4\r\nINFO\r\n`,
    )
    expect(await c.reply()).toBe('OK')
    expect(await c.reply()).toEqual(['{"i":0}', '{"i":1}'])
    expect(await c.reply()).toBe('{"i":2}')
    expect(await c.reply()).toEqual(err("ERR unknown command 'info'"))
  })

  it('closes silently when management is disabled, checked before each command', async () => {
    const c = await authed()
    sim.setManagementEnabled(false)
    c.raw = Buffer.alloc(0)
    c.send('LPOP', 'usage')
    await c.closed()
    expect(c.raw.length).toBe(0)
  })
})

describe('SUBSCRIBE', () => {
  it('replies subscribe, then {"support_refresh":true} as the first message', async () => {
    const c = await authed()
    c.raw = Buffer.alloc(0)
    c.send('SUBSCRIBE', 'usage')
    expect(await c.reply()).toEqual(['subscribe', 'usage', 1])
    expect(await c.reply()).toEqual(['message', 'usage', '{"support_refresh":true}'])
    expect(c.raw.toString()).toBe(
      '*3\r\n$9\r\nsubscribe\r\n$5\r\nusage\r\n:1\r\n*3\r\n$7\r\nmessage\r\n$5\r\nusage\r\n$24\r\n{"support_refresh":true}\r\n',
    )
  })

  it('delivers new records only to subscribers while one is attached: the FIFO starves', async () => {
    const sub = await authed()
    await sub.command('SUBSCRIBE', 'usage')
    expect(await sub.reply()).toEqual(['message', 'usage', '{"support_refresh":true}'])
    const recs = sim.generate(3)
    for (const rec of recs) expect(await sub.reply()).toEqual(['message', 'usage', rec.payload])
    const poller = await authed()
    expect(await poller.command('LPOP', 'usage', '10')).toEqual([])
    expect(sim.counters()).toMatchObject({published: 3, deliveredToSubscribers: 3, queued: 0})
    // once the subscriber leaves, records go to the FIFO again
    sub.send('QUIT')
    expect(await sub.reply()).toBe('OK')
    await sub.closed()
    await until(() => sim.subscribers().usage === 0)
    const later = sim.generate(2)
    expect(await poller.command('LPOP', 'usage', '10')).toEqual(later.map(r => r.payload))
  })

  it('control payloads never enter the FIFO; a config reload pushes {"refresh":true}', async () => {
    const sub = await authed()
    await sub.command('SUBSCRIBE', 'usage')
    await sub.reply()
    sim.setConfig('debug', true)
    expect(await sub.reply()).toEqual(['message', 'usage', '{"refresh":true}'])
    expect(sim.counters().queued).toBe(0)
  })

  it('answers PING with a nil second element, PING msg with the message, unknown commands in subscribe mode', async () => {
    const c = await authed()
    await c.command('SUBSCRIBE', 'usage')
    await c.reply()
    c.raw = Buffer.alloc(0)
    expect(await c.command('PING')).toEqual(['pong', null])
    expect(c.raw.toString()).toBe('*2\r\n$4\r\npong\r\n$-1\r\n')
    expect(await c.command('PING', 'hi')).toEqual(['pong', 'hi'])
    expect(await c.command('LPOP', 'usage')).toEqual(err("ERR unknown command 'lpop'"))
    expect(await c.command('SUBSCRIBE', 'errors')).toEqual(err("ERR unknown command 'subscribe'"))
    expect(c.isClosed).toBe(false)
  })

  it('UNSUBSCRIBE answers and the server closes the connection', async () => {
    const c = await authed()
    await c.command('SUBSCRIBE', 'usage')
    await c.reply()
    expect(await c.command('UNSUBSCRIBE')).toEqual(['unsubscribe', 'usage', 0])
    await c.closed()
    expect(sim.subscribers().usage).toBe(0)
  })

  it('rejects other channels and arities', async () => {
    const c = await authed()
    expect(await c.command('SUBSCRIBE', 'usage', 'errors')).toEqual(err("ERR wrong number of arguments for 'subscribe' command"))
    expect(await c.command('SUBSCRIBE')).toEqual(err("ERR wrong number of arguments for 'subscribe' command"))
    expect(await c.command('SUBSCRIBE', 'queue')).toEqual(err("ERR unsupported channel 'queue'"))
  })

  it('SUBSCRIBE errors: no control message, credential error events, and the usage FIFO is not starved', async () => {
    const c = await authed()
    expect(await c.command('SUBSCRIBE', 'errors')).toEqual(['subscribe', 'errors', 1])
    let failed = sim.generate(1)
    for (let i = 0; i < 500 && !failed.some(r => r.failed); i++) failed = failed.concat(sim.generate(1))
    const rec = failed.find(r => r.failed)!
    const msg = (await c.reply()) as string[]
    expect(msg[0]).toBe('message')
    expect(msg[1]).toBe('errors')
    const ev = JSON.parse(msg[2])
    expect(Object.keys(ev).slice(0, 6)).toEqual(['timestamp', 'provider', 'model', 'auth_id', 'auth_index', 'status_code'])
    expect(ev.auth_index).toBe(rec.authIndex)
    expect(ev.status_code).toBe(JSON.parse(rec.payload).fail.status_code)
    expect(sim.counters().queued).toBe(failed.length)
  })

  it('drops a subscriber whose 256-message buffer fills, closes it after the buffered messages', async () => {
    const c = await authed()
    await c.command('SUBSCRIBE', 'usage')
    await c.reply()
    c.socket.pause() // stop reading: the kernel buffers fill, then the server-side buffer
    const all: string[] = []
    while (sim.counters().subscribersDropped === 0 && all.length < 200_000) {
      for (const r of sim.generate(500)) all.push(r.payload)
    }
    expect(sim.counters().subscribersDropped).toBe(1)
    expect(sim.subscribers().usage).toBe(0)
    const {deliveredToSubscribers: delivered, lostOnOverflow} = sim.counters()
    expect(lostOnOverflow).toBe(1)
    c.socket.resume()
    await c.closed(10_000)
    // the records delivered before the drop all arrive, in order, then the server closes
    // (the control payload was read above)
    const messages = (c.pendingReplies() as string[][]).map(m => m[2])
    expect(messages).toEqual(all.slice(0, delivered))
    // the overflowing record is lost (v7.2.140), later ones go to the FIFO again
    const poller = await authed()
    const rest = (await poller.command('LPOP', 'usage', String(all.length))) as string[]
    expect(rest).toEqual(all.slice(delivered + 1))
  })
})

async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met')
    await new Promise(r => setTimeout(r, 5))
  }
}
