/**
 * xAI probe: the Grok CLI billing endpoints on `cli-chat-proxy.grok.com`,
 * through `/api-call` with `Authorization: Bearer $TOKEN$` and `x-xai-token-auth: xai-grok-cli`:
 * - `GET /v1/billing?format=credits` — the weekly credit pool: `{"config": {"creditUsagePercent",
 *   "currentPeriod": {"type", "start", "end"}, "productUsage": [{"product", "usagePercent"}]}}`;
 * - `GET /v1/billing` — the monthly allowance: `{"config": {"monthlyLimit", "used", "onDemandCap",
 *   "onDemandUsed", "billingPeriodStart", "billingPeriodEnd"}}`, amounts in US cents, either plain numbers
 *   or `{"val": "<cents>"}` objects.
 * Field names come camelCase or snake_case; both are read. Errors carrying `free-usage-exhausted` or
 * `spending-limit` are long-window exhaustion; revoked/invalid tokens as for the other providers.
 */
import {classifyFailure, isRecord, parseJsonBody, type UpstreamAnswer} from './evidence.js'
import {judgeWindows, type ProbeContext, type ProviderProbe} from './probes.js'
import {arrangeWindows, makeWindow, num, toEpochMs} from './windows.js'
import type {ProbeOutcome} from './types.js'
import type {QuotaWindow} from '../store/index.js'

export const XAI_BILLING_URL = 'https://cli-chat-proxy.grok.com/v1/billing'
export const XAI_CREDITS_URL = `${XAI_BILLING_URL}?format=credits`

const WEEK_S = 604_800

function pick(obj: Record<string, unknown>, ...keys: string[]): unknown {
  for (const k of keys) if (obj[k] !== undefined && obj[k] !== null) return obj[k]
  return undefined
}

/** Cents as a number from `123`, `"123"` or `{"val": "123"}`. */
function cents(value: unknown): number | null {
  if (isRecord(value)) return num(value.val ?? value.value)
  return num(value)
}

function configOf(body: string): Record<string, unknown> | null {
  const json = parseJsonBody(body)
  if (!isRecord(json)) return null
  if (isRecord(json.config)) return json.config
  return json
}

function periodSeconds(startMs: number | null, endMs: number | null, type: string | null): number | null {
  if (startMs !== null && endMs !== null && endMs > startMs) return Math.round((endMs - startMs) / 1000)
  if (type && type.toLowerCase().includes('week')) return WEEK_S
  return null
}

/** The weekly credit window and per-product extras from a `?format=credits` config. */
export function readCredits(config: Record<string, unknown>): {main: QuotaWindow | null; extra: QuotaWindow[]} {
  const period = pick(config, 'currentPeriod', 'current_period')
  const p = isRecord(period) ? period : {}
  const type = typeof p.type === 'string' ? p.type : null
  const start = toEpochMs(pick(p, 'start'))
  const end = toEpochMs(pick(p, 'end'))
  const seconds = periodSeconds(start, end, type)
  const products = pick(config, 'productUsage', 'product_usage')
  const extra: QuotaWindow[] = []
  const productPercents: number[] = []
  if (Array.isArray(products)) {
    products.forEach((item, i) => {
      if (!isRecord(item)) return
      const used = num(pick(item, 'usagePercent', 'usage_percent'))
      if (used !== null) productPercents.push(used)
      const name = typeof item.product === 'string' ? item.product : `product_${i}`
      extra.push(makeWindow({id: `product.${name}`, label: `credits ${name}`, usedPercent: used, resetsAtMs: end, windowSeconds: seconds, startedAtMs: start}))
    })
  }
  let used = num(pick(config, 'creditUsagePercent', 'credit_usage_percent'))
  if (used === null && productPercents.length > 0) used = Math.max(...productPercents)
  if (used === null && end === null) return {main: null, extra}
  return {main: makeWindow({id: 'credits', usedPercent: used, resetsAtMs: end, windowSeconds: seconds, startedAtMs: start}), extra}
}

/** The monthly allowance window (and on-demand cap) from a plain `/v1/billing` config. */
export function readMonthly(config: Record<string, unknown>): {main: QuotaWindow | null; extra: QuotaWindow[]} {
  const limit = cents(pick(config, 'monthlyLimit', 'monthly_limit'))
  const used = cents(pick(config, 'used'))
  const start = toEpochMs(pick(config, 'billingPeriodStart', 'billing_period_start'))
  const end = toEpochMs(pick(config, 'billingPeriodEnd', 'billing_period_end'))
  const seconds = periodSeconds(start, end, null)
  const extra: QuotaWindow[] = []
  const cap = cents(pick(config, 'onDemandCap', 'on_demand_cap'))
  let onDemandUsed = cents(pick(config, 'onDemandUsed', 'on_demand_used'))
  if (onDemandUsed === null && used !== null && limit !== null) onDemandUsed = Math.max(0, used - limit)
  if (cap !== null && cap > 0 && onDemandUsed !== null) {
    extra.push(makeWindow({id: 'on_demand', label: 'on-demand', usedPercent: (onDemandUsed / cap) * 100, resetsAtMs: end, windowSeconds: seconds, startedAtMs: start}))
  }
  if (limit === null || limit <= 0 || used === null) return {main: null, extra}
  const pct = (Math.min(used, limit) / limit) * 100
  return {main: makeWindow({id: 'monthly', label: seconds ? undefined : 'month', usedPercent: pct, resetsAtMs: end, windowSeconds: seconds, startedAtMs: start}), extra}
}

const ok = (a: UpstreamAnswer) => a.status >= 200 && a.status < 300

/** Combine the two billing answers (exported for unit tests). `monthly` is null when it could not be fetched. */
export function interpretXaiBilling(credits: UpstreamAnswer, monthly: UpstreamAnswer | null, threshold: number, nowMs: number, monthlyError?: string): ProbeOutcome {
  const failures: ProbeOutcome[] = []
  const main: QuotaWindow[] = []
  const extra: QuotaWindow[] = []
  let status = credits.status
  for (const [answer, read] of [
    [credits, readCredits],
    [monthly, readMonthly],
  ] as const) {
    if (!answer) continue
    if (!ok(answer)) {
      failures.push(classifyFailure(answer, nowMs))
      continue
    }
    const config = configOf(answer.body)
    const got = config ? read(config) : {main: null, extra: []}
    if (got.main) {
      main.push(got.main)
      status = answer.status
    }
    extra.push(...got.extra)
  }
  const evidence = failures.find((f) => f.disableEvidence)
  if (evidence) return evidence
  if (main.length === 0) {
    const failure = failures.find((f) => f.classification !== 'probe_failed') ?? failures[0]
    if (failure) return failure
    return {
      classification: 'review',
      httpStatus: status,
      plan: null,
      windows: {short: null, long: null, extra},
      disableEvidence: false,
      reason: `the billing answers were not recognised (has the protocol changed?)${monthlyError ? `; monthly billing: ${monthlyError}` : ''}; nothing is decided`,
    }
  }
  const out = judgeWindows(arrangeWindows(main, extra), null, status, threshold)
  const notes = failures.map((f) => f.reason)
  if (monthlyError) notes.push(`monthly billing: ${monthlyError}`)
  return notes.length > 0 ? {...out, reason: `${out.reason} (partial: ${notes.join('; ')})`} : out
}

export const xaiProbe: ProviderProbe = {
  provider: 'xai',
  describe: 'GET cli-chat-proxy.grok.com/v1/billing?format=credits (weekly) and /v1/billing (monthly)',
  async probe(ctx: ProbeContext) {
    const header = {Authorization: 'Bearer $TOKEN$', Accept: '*/*', 'x-xai-token-auth': 'xai-grok-cli'}
    const credits = await ctx.call({method: 'GET', url: XAI_CREDITS_URL, header})
    if (!ok(credits)) {
      const f = classifyFailure(credits, ctx.nowMs)
      // an answer about the credential itself settles it; no need to ask the second endpoint
      if (f.disableEvidence || f.httpStatus === 401 || f.httpStatus === 403) return f
    }
    let monthly: UpstreamAnswer | null = null
    let monthlyError: string | undefined
    try {
      monthly = await ctx.call({method: 'GET', url: XAI_BILLING_URL, header})
    } catch (error) {
      if (!ok(credits)) throw error
      monthlyError = (error as Error).message
    }
    return interpretXaiBilling(credits, monthly, ctx.threshold, ctx.nowMs, monthlyError)
  },
}
