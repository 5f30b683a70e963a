/**
 * HTTP consumer: `GET /v0/management/usage-queue?count=N` (v8: `/observability/usage/queue`) through the gateway
 * client, never retried. Works through reverse proxies and TLS terminators where RESP cannot.
 */
import type {GatewayClient} from '../gateway/client.js'
import {popUsageQueue} from '../gateway/usage-queue.js'
import type {QueueConsumer} from './types.js'

export class HttpConsumer implements QueueConsumer {
  readonly transport = 'http' as const

  /** `client` should not be tied to the command's abort signal: an aborted pop may already have removed records. */
  constructor(private readonly client: GatewayClient) {}

  async pop(count: number): Promise<unknown[]> {
    return popUsageQueue(this.client, count)
  }

  async close(): Promise<void> {
    // the client is owned (and closed) by whoever created it
  }
}
