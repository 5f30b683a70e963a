/**
 * Opening a usage-queue consumer for a transport choice (issue 4 "Transports"):
 * - `resp`: RESP only; `http`: /usage-queue only;
 * - `auto`: RESP, falling back to HTTP when RESP cannot be established (connection refused or closed, a
 *   reverse proxy answering HTTP, a timeout) — never on an authentication error, which stops everything.
 */
import {UpstreamError} from '../cli/errors.js'
import type {GatewayClient} from '../gateway/client.js'
import {HttpConsumer} from './http.js'
import {RespConsumer} from './resp.js'
import type {QueueConsumer, RespEndpoint, TransportName} from './types.js'

export type {QueueConsumer, RespEndpoint, TransportChoice, TransportName} from './types.js'
export {RespConsumer, connectResp, respError} from './resp.js'
export {HttpConsumer} from './http.js'
export {RespSubscriber, type SubscriberHandlers} from './subscribe.js'

export interface OpenConsumerOptions {
  transport: 'auto' | TransportName
  /** Client used for HTTP pops (not tied to the command's abort signal). */
  popClient: GatewayClient
  resp: RespEndpoint
}

export interface OpenedConsumer {
  consumer: QueueConsumer
  /** Why `auto` fell back to HTTP (null when it did not). */
  fallbackReason: string | null
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
  if (options.transport === 'http') return {consumer: new HttpConsumer(options.popClient), fallbackReason: null}
  try {
    return {consumer: await RespConsumer.connect(options.resp), fallbackReason: null}
  } catch (error) {
    // only "RESP could not be established" falls back; an auth error stops everything (§1.5)
    const fallback = options.transport === 'auto' && error instanceof UpstreamError && error.code === 'resp_unavailable'
    if (!fallback) throw error
    return {consumer: new HttpConsumer(options.popClient), fallbackReason: (error as Error).message}
  }
}
