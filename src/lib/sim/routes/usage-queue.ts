/**
 * `GET /usage-queue?count=N` (since v6.10.8): destructively pops up to `count`
 * records (default 1, no upper cap) from the same FIFO as RESP LPOP/RPOP and answers them as a JSON array,
 * records as objects and non-JSON items as JSON strings; 400 `count must be a positive integer`.
 */
import type {SimRequest, SimResponse, SimRoute} from '../types.js'
import {fail} from './http.js'

export interface UsageQueueDeps {
  /** Pop up to `count` payloads (oldest first, after retention pruning). */
  pop(count: number): string[]
  /** Whether this non-empty reply should be cut off (faults.dropMidReplyEvery). */
  dropThisReply(): boolean
}

/** The answer body: a JSON array, records as objects, non-JSON items as JSON strings. */
export function usageQueueBody(items: string[]): string {
  const parts = items.map(p => {
    try {
      JSON.parse(p)
      return p
    } catch {
      return JSON.stringify(p)
    }
  })
  return `[${parts.join(',')}]`
}

function popUsage(deps: UsageQueueDeps, req: SimRequest): SimResponse {
  const raw = req.query.get('count')
  let count = 1
  if (raw !== null && raw !== '') {
    count = /^[+-]?\d+$/.test(raw) ? Number(raw) : Number.NaN
    if (!Number.isSafeInteger(count) || count <= 0) return fail(400, 'count must be a positive integer')
  }
  const items = deps.pop(count)
  return {
    status: 200,
    headers: {'content-type': 'application/json; charset=utf-8'},
    body: Buffer.from(usageQueueBody(items)),
    dropMidReply: items.length > 0 && deps.dropThisReply(),
  }
}

export function usageQueueRoutes(deps: UsageQueueDeps): SimRoute[] {
  return [{method: 'GET', path: '/usage-queue', since: 'httpUsageQueue', handler: req => popUsage(deps, req)}]
}
