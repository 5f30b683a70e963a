/**
 * Opening a usage-queue consumer for a transport choice (issue 4 "Transports"):
 * - `resp`: RESP only; `http`: the HTTP queue only (v0 /usage-queue or v8 /observability/usage/queue);
 * - `auto` on v7: RESP, falling back to HTTP when RESP cannot be established (connection refused or closed, a
 *   reverse proxy answering HTTP, a timeout) — never on an authentication error, which stops everything;
 * - `auto` on v8: the HTTP queue. Whether v8 ships the RESP usage output is unknown, so RESP is opened only when
 *   a recent ban-safe probe (status, doctor, a `--transport resp` run) found it served;
 * - `resp` on a v8 gateway that does not serve it: stops at the AUTH (nothing popped), exit 8 `resp_not_served`.
 */
import {RejectedError, UpstreamError} from '../cli/errors.js'
import type {GatewayClient} from '../gateway/client.js'
import {HttpConsumer} from './http.js'
import {RespConsumer} from './resp.js'
import type {QueueConsumer, RespEndpoint, TransportName} from './types.js'

export type {QueueConsumer, RespEndpoint, TransportChoice, TransportName} from './types.js'
export {RespConsumer} from './resp.js'
export {HttpConsumer} from './http.js'
export {RespSubscriber} from './subscribe.js'

export interface OpenConsumerOptions {
  transport: 'auto' | TransportName
  /** Client used for HTTP pops (not tied to the command's abort signal); its API detection decides v0/v8. */
  popClient: GatewayClient
  resp: RespEndpoint
}

export interface OpenedConsumer {
  consumer: QueueConsumer
  /** Why `auto` fell back to HTTP (null when it did not). */
  fallbackReason: string | null
  /** Why `auto` chose HTTP without trying RESP (a v8 gateway), null otherwise. */
  note: string | null
}

/** The AUTH reply was HTTP: nothing on that port speaks RESP (a v8 gateway without the output, a reverse proxy). */
function answeredHttp(error: unknown): boolean {
  return /got "H"|HTTP\/1\.[01]/.test(String((error as Error)?.message ?? ''))
}

/**
 * Connect RESP for a transport that needs it (`resp`, and `subscribe`'s pop connection) on a gateway speaking
 * `api`: on v8 a port that answers HTTP means the RESP usage output is not served (exit 8, nothing popped).
 */
export async function connectRespFor(gateway: GatewayClient, resp: RespEndpoint): Promise<RespConsumer> {
  const {api} = await gateway.managementApi()
  try {
    const consumer = await RespConsumer.connect(resp)
    gateway.rememberResp(true)
    return consumer
  } catch (error) {
    if (api === 'v8' && error instanceof UpstreamError && error.code === 'resp_unavailable' && answeredHttp(error)) {
      gateway.rememberResp(false)
      throw respNotServed(gateway)
    }
    throw error
  }
}

export function respNotServed(gateway: GatewayClient): RejectedError {
  return new RejectedError(
    `the v8 gateway at ${gateway.url.origin} does not serve the RESP usage output (its port answered the AUTH with HTTP); nothing was popped`,
    404,
    {code: 'resp_not_served', hint: 'collect over HTTP: --transport http (or auto, which chooses it on v8)'},
  )
}

export function respEndpointFor(client: GatewayClient, options: {insecure?: boolean; connectTimeoutMs?: number} = {}): RespEndpoint {
  return {
    host: client.url.host,
    port: client.url.port,
    tls: client.url.tls,
    insecure: options.insecure,
    connectTimeoutMs: options.connectTimeoutMs,
    key: async () => (await client.key()).key,
  }
}

export async function openConsumer(options: OpenConsumerOptions): Promise<OpenedConsumer> {
  const http = (): QueueConsumer => new HttpConsumer(options.popClient)
  if (options.transport === 'http') return {consumer: http(), fallbackReason: null, note: null}
  const {api} = await options.popClient.managementApi()
  if (api === 'v8' && options.transport === 'auto' && options.popClient.respServed() !== true) {
    return {consumer: http(), fallbackReason: null, note: 'v8 gateway: collecting over the HTTP usage queue (the RESP usage output is only used after a probe found it served)'}
  }
  if (options.transport === 'resp') return {consumer: await connectRespFor(options.popClient, options.resp), fallbackReason: null, note: null}
  try {
    return {consumer: await connectRespFor(options.popClient, options.resp), fallbackReason: null, note: null}
  } catch (error) {
    // only "RESP could not be established" falls back; an auth error stops everything (HTTP and RESP
    // share the 5-strike IP ban)
    const fallback = (error instanceof UpstreamError && error.code === 'resp_unavailable') || (error instanceof RejectedError && error.code === 'resp_not_served')
    if (!fallback) throw error
    return {consumer: http(), fallbackReason: (error as Error).message, note: null}
  }
}
