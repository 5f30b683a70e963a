/**
 * Alerts on change: for each --notify receiver, compare every target's state with the state last delivered to
 * that receiver (the check-state repository; a target never delivered counts as `ok`), post one payload listing
 * the changes, and record the new states only once the receiver accepted it (2xx), so a receiver that was down
 * hears about the change on the next run. Bounded retries: network errors, timeouts, 429 and 5xx are retried
 * with exponential backoff; any other answer fails at once. A failed notification never changes the check's
 * verdict or exit code: it is reported (stderr and `notifications`), with the URL masked.
 */
import {hostname} from 'node:os'

import type {CheckStateRecord, CheckStateRepository} from '../store/index.js'
import type {CheckResult, NotificationResult, NotifyFormat} from './check-types.js'
import {buildPayload, type Change} from './notify-format.js'
import {scrub, type Webhook} from './webhook.js'

export interface NotifySettings {
  webhooks: Webhook[]
  format: NotifyFormat
  /** Retries after the first attempt (so attempts ≤ retries + 1). */
  retries: number
  timeoutMs: number
  /** First backoff delay; doubles per retry (default 500 ms). */
  backoffMs?: number
  host?: string
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

interface PostOutcome {
  ok: boolean
  attempts: number
  status: number | null
  error: string | null
}

async function post(w: Webhook, body: string, s: NotifySettings): Promise<PostOutcome> {
  let status: number | null = null
  let error: string | null = null
  const max = s.retries + 1
  for (let attempt = 1; attempt <= max; attempt++) {
    if (attempt > 1) await sleep((s.backoffMs ?? 500) * 2 ** (attempt - 2))
    let retryable = true
    try {
      const res = await fetch(w.url, {
        method: 'POST',
        headers: {'content-type': 'application/json', 'user-agent': 'cpactl'},
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(s.timeoutMs),
      })
      status = res.status
      await res.arrayBuffer().catch(() => undefined)
      if (res.status >= 200 && res.status < 300) return {ok: true, attempts: attempt, status, error: null}
      error = `the receiver answered HTTP ${res.status}`
      retryable = res.status === 429 || res.status >= 500
    } catch (e) {
      const err = e as Error & {cause?: {code?: string; message?: string}}
      status = null
      error = err.name === 'TimeoutError' ? `no answer within ${s.timeoutMs} ms` : `${err.message}${err.cause?.code ? ` (${err.cause.code})` : err.cause?.message ? ` (${err.cause.message})` : ''}`
    }
    if (!retryable) return {ok: false, attempts: attempt, status, error: scrub(error, w)}
  }
  return {ok: false, attempts: max, status, error: scrub(error ?? 'failed', w)}
}

export async function notifyChanges(states: CheckStateRepository, r: Omit<CheckResult, 'notifications'>, s: NotifySettings, now: number): Promise<NotificationResult[]> {
  const out: NotificationResult[] = []
  for (const w of s.webhooks) {
    const base = {receiver: w.masked, receiverId: w.id, format: s.format}
    const prev = new Map((await states.list(r.check, w.id)).map((p) => [p.target, p]))
    const changes: Change[] = r.items
      .filter((i) => i.state !== (prev.get(i.target)?.state ?? 'ok'))
      .map((i) => ({target: i.target, from: prev.get(i.target)?.state ?? 'ok', to: i.state, summary: i.summary}))
    if (changes.length === 0) {
      out.push({...base, changes: [], delivered: false, attempts: 0, status: null, error: null})
      continue
    }
    const body = JSON.stringify(buildPayload(s.format, r, changes, s.host ?? hostname()))
    const res = await post(w, body, s)
    let error = res.error
    if (res.ok) {
      const rows: CheckStateRecord[] = changes.map((c) => ({
        check: r.check,
        target: c.target,
        receiver: w.id,
        state: c.to,
        summary: c.summary,
        since: now,
        updatedAt: now,
      }))
      try {
        await states.save(rows)
      } catch (e) {
        error = `delivered, but the new states could not be recorded (the change will be sent again): ${(e as Error).message}`
      }
    }
    out.push({...base, changes: changes.map(({target, from, to}) => ({target, from, to})), delivered: res.ok, attempts: res.attempts, status: res.status, error})
  }
  return out
}
