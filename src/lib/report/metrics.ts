/**
 * Metrics shared by every report row and total: counts, the token buckets, rates, cost and latency — plus the
 * cost warnings (unpriced models, unclassified tokens) and the `--explain` arithmetic.
 */
import {costOf, PriceBook, ratesFor, roundUsd, type AppliedRates} from '../pricing/cost.js'
import {addTokens, emptyTokens, type TokenCounts} from '../pricing/types.js'
import {addDense, emptyDense} from '../store/histogram.js'
import {type ReportWarning} from './engine.js'
import {costGroup, emptyGroup, p95, type GroupAgg, type PricingCell} from './groups.js'

export {emptyGroup}

export interface Metrics {
  requests: number
  succeeded: number
  failed: number
  successRate: number | null
  failureRate: number | null
  /** Uncached input tokens. */
  inputTokens: number
  cacheReadTokens: number
  cacheWriteTokens: number
  /** All input: uncached + cache read + cache write. */
  inputTotalTokens: number
  /** All output, reasoning included. */
  outputTokens: number
  reasoningTokens: number
  unclassifiedTokens: number
  /** inputTotal + output + unclassified. */
  totalTokens: number
  /** cache read / all input. */
  cacheHitRate: number | null
  costUsd: number
  /** True when some tokens could not be priced: the real cost is higher. */
  costIsLowerBound: boolean
  avgLatencyMs: number | null
  p95LatencyMs: number | null
  avgTtftMs: number | null
  /** Summary only (null in per-group and timeline rows). */
  p95TtftMs: number | null
  /** Newest event (ISO 8601 UTC), null when none. */
  lastSeen: string | null
}

const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null)
const round1 = (v: number | null): number | null => (v === null ? null : Math.round(v * 10) / 10)

/** Merge several groups into one (totals; p95 over the union). */
export function mergeGroups(groups: readonly GroupAgg[], key = '', bucket = 0): GroupAgg {
  const m = emptyGroup(key, bucket)
  for (const g of groups) {
    m.requests += g.requests
    m.failed += g.failed
    addTokens(m.tokens, g.tokens)
    m.latencySum += g.latencySum
    m.latencyCount += g.latencyCount
    m.ttftSum += g.ttftSum
    m.ttftCount += g.ttftCount
    if (g.lastTs > m.lastTs) m.lastTs = g.lastTs
    for (const p of g.providers) m.providers.add(p)
    for (const [k, c] of g.cells) {
      const cur = m.cells.get(k)
      if (cur) {
        cur.requests += c.requests
        addTokens(cur.tokens, c.tokens)
      } else m.cells.set(k, {...c, tokens: {...c.tokens}})
    }
    if (g.latValues) (m.latValues ??= []).push(...g.latValues)
    if (g.ttftValues) (m.ttftValues ??= []).push(...g.ttftValues)
    if (g.latDense) addDense((m.latDense ??= emptyDense()), g.latDense)
    if (g.ttftDense) addDense((m.ttftDense ??= emptyDense()), g.ttftDense)
  }
  return m
}

/** Cost problems collected over a report, turned into `warnings` at the end. */
export class CostIssues {
  readonly unpriced = new Map<string, number>()
  unclassified = 0

  note(g: GroupAgg, prices: PriceBook): void {
    for (const c of g.cells.values()) {
      this.unclassified += c.tokens.unclassified
      if (!prices.lookup(c.model)) {
        const name = c.model === '' ? '(unknown model)' : c.model
        this.unpriced.set(name, (this.unpriced.get(name) ?? 0) + c.requests)
      }
    }
  }

  warnings(): ReportWarning[] {
    const out: ReportWarning[] = []
    if (this.unpriced.size > 0) {
      const items = [...this.unpriced.entries()].sort((a, b) => b[1] - a[1])
      const requests = items.reduce((s, [, n]) => s + n, 0)
      out.push({
        code: 'unpriced_models',
        message: `no price for ${items.length} model${items.length === 1 ? '' : 's'} (${items
          .slice(0, 8)
          .map(([m]) => m)
          .join(', ')}${items.length > 8 ? `, +${items.length - 8} more` : ''}; ${requests} requests): cost is a lower bound — see cpactl prices missing; add prices with cpactl prices import --bundled or prices set`,
        items: items.map(([m]) => m),
      })
    }
    if (this.unclassified > 0) {
      out.push({
        code: 'unclassified_tokens',
        message: `${this.unclassified} tokens the gateway could not classify are not priced: cost is a lower bound`,
      })
    }
    return out
  }
}

/** The metrics of one group; `issues` (when given) records its cost problems. */
export function metricsOf(g: GroupAgg, prices: PriceBook, issues?: CostIssues): Metrics {
  const cost = costGroup(g, prices)
  issues?.note(g, prices)
  const t = g.tokens
  const inputTotal = t.uncachedInput + t.cacheRead + t.cacheWrite
  return {
    requests: g.requests,
    succeeded: g.requests - g.failed,
    failed: g.failed,
    successRate: ratio(g.requests - g.failed, g.requests),
    failureRate: ratio(g.failed, g.requests),
    inputTokens: t.uncachedInput,
    cacheReadTokens: t.cacheRead,
    cacheWriteTokens: t.cacheWrite,
    inputTotalTokens: inputTotal,
    outputTokens: t.output,
    reasoningTokens: t.reasoning,
    unclassifiedTokens: t.unclassified,
    totalTokens: inputTotal + t.output + t.unclassified,
    cacheHitRate: ratio(t.cacheRead, inputTotal),
    costUsd: roundUsd(cost.costUsd),
    costIsLowerBound: cost.lowerBound,
    avgLatencyMs: round1(ratio(g.latencySum, g.latencyCount)),
    p95LatencyMs: p95(g, 'latency'),
    avgTtftMs: round1(ratio(g.ttftSum, g.ttftCount)),
    p95TtftMs: p95(g, 'ttft'),
    lastSeen: g.lastTs > 0 ? new Date(g.lastTs).toISOString() : null,
  }
}

// ------------------------------------------------------------------------------------------ explain

export interface ExplainLine {
  provider: string
  /** Effective service tier (null = standard). */
  serviceTier: string | null
  /** Context tier in force (its threshold), null = base rates. */
  contextTierAbove: number | null
  requests: number
  tokens: TokenCounts
  /** USD per 1M after the multiplier; null when the model has no price. */
  rates: {input: number; cacheRead: number; cacheWrite: number; output: number; reasoning: number; multiplier: number} | null
  /** USD per bucket: tokens × rate / 1e6. */
  costs: {uncachedInput: number; cacheRead: number; cacheWrite: number; output: number; reasoning: number; total: number} | null
  notes: string[]
}

export interface ExplainModel {
  model: string
  /** The price entry used (null = unpriced) and how the name matched. */
  price: {model: string; source: string; matchedBy: string} | null
  lines: ExplainLine[]
  costUsd: number | null
}

/** Per-model price and bucket arithmetic over all groups (summary/models --explain). */
export function explainCost(groups: readonly GroupAgg[], prices: PriceBook): ExplainModel[] {
  const cells = new Map<string, PricingCell>()
  for (const g of groups) {
    for (const [k, c] of g.cells) {
      const cur = cells.get(k)
      if (cur) {
        cur.requests += c.requests
        addTokens(cur.tokens, c.tokens)
      } else cells.set(k, {...c, tokens: {...c.tokens}})
    }
  }
  const byModel = new Map<string, ExplainModel>()
  for (const c of [...cells.values()].sort((a, b) => a.model.localeCompare(b.model) || (a.serviceTier ?? '').localeCompare(b.serviceTier ?? '') || a.tierIdx - b.tierIdx)) {
    const match = prices.lookup(c.model)
    let e = byModel.get(c.model)
    if (!e) {
      e = {model: c.model, price: match ? {model: match.price.model, source: match.price.source, matchedBy: match.matchedBy} : null, lines: [], costUsd: match ? 0 : null}
      byModel.set(c.model, e)
    }
    if (!match) {
      e.lines.push({provider: c.provider, serviceTier: c.serviceTier, contextTierAbove: null, requests: c.requests, tokens: c.tokens, rates: null, costs: null, notes: ['no price for this model']})
      continue
    }
    const r: AppliedRates = ratesFor(match.price, {tierIndex: c.tierIdx, serviceTier: c.serviceTier})
    const parts = costOf(c.tokens, r)
    const notes = [...r.notes]
    if (r.serviceTier) notes.push(`service tier ${r.serviceTier}: ×${r.multiplier} (${r.serviceTierRule === 'price' ? "model's rule" : r.serviceTierRule === 'default' ? 'default multiplier' : 'no rule'})`)
    if (c.tokens.unclassified > 0) notes.push(`${c.tokens.unclassified} unclassified tokens not priced`)
    e.lines.push({
      provider: c.provider,
      serviceTier: c.serviceTier,
      contextTierAbove: r.contextTierAbove,
      requests: c.requests,
      tokens: c.tokens,
      rates: {input: r.input, cacheRead: r.cacheRead, cacheWrite: r.cacheWrite, output: r.output, reasoning: r.reasoning, multiplier: r.multiplier},
      costs: {
        uncachedInput: roundUsd(parts.uncachedInput),
        cacheRead: roundUsd(parts.cacheRead),
        cacheWrite: roundUsd(parts.cacheWrite),
        output: roundUsd(parts.output),
        reasoning: roundUsd(parts.reasoning),
        total: roundUsd(parts.total),
      },
      notes,
    })
    e.costUsd = roundUsd((e.costUsd ?? 0) + parts.total)
  }
  return [...byModel.values()]
}
