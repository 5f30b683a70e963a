/** Collection: queue → usage → store orchestration, coverage, status and doctor checks (issue 4). */
import {GatewayClient} from '../gateway/client.js'

export {runCollect} from './run.js'
export type {CollectResult} from './types.js'
export {collectStatus, type CollectStatusResult} from './status.js'
export {respEndpointFor} from '../queue/index.js'

/**
 * A second client for HTTP pops that is NOT tied to the command's abort signal: SIGINT/SIGTERM must let a pop
 * in flight finish (an aborted request may already have removed records on the gateway). Same URL and key.
 */
export function createPopClient(gateway: GatewayClient, options: {insecure?: boolean; timeoutMs?: number} = {}): GatewayClient {
  return new GatewayClient({
    baseUrl: gateway.url.origin,
    getKey: () => gateway.key(),
    insecure: options.insecure,
    timeoutMs: options.timeoutMs ?? 60_000,
    userAgent: 'cpactl',
    // same gateway: one API detection (the pop client never probes on its own)
    apiFrom: gateway,
  })
}
