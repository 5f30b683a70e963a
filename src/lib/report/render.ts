/**
 * Human, TSV and CSV views of the report results (the JSON view is the result itself). Tables on a TTY use
 * human numbers ($, thousands separators); piped TSV and --csv carry plain numbers so they parse. Warnings reach
 * stderr through the base command, in every mode. A timeline on a TTY also gets an asciichart plot of requests or cost.
 */
import {createRequire} from 'node:module'

import {failureRateTone, formatInt, formatPercent, formatUsd, paint, renderKeyValues, renderTable, stdoutIsTTY, terminalWidth, warn, writeOut, type Column} from '../cli/output.js'
import type {BreakdownResult, BreakdownRow} from './breakdown.js'
import type {EventItem, EventsResult} from './events.js'
import type {FailureRow, FailuresResult} from './failures.js'
import type {ExplainModel, Metrics} from './metrics.js'
import type {SummaryResult} from './summary.js'
import type {TimelineResult, TimelineRow} from './timeline.js'

export interface RenderOptions {
  csv?: boolean
  noHeader?: boolean
  /** Force human formatting (tests); default: stdout is a TTY and not --csv. */
  human?: boolean
  /** Terminal width for the chart (default: stdout columns or 100). */
  width?: number
}

const isHuman = (o: RenderOptions) => o.human ?? (!o.csv && stdoutIsTTY())
const tableMode = (o: RenderOptions) => (o.csv ? 'csv' : isHuman(o) ? 'tty' : 'tsv') as 'csv' | 'tty' | 'tsv'

const n = (h: boolean) => (v: number | null) => (v === null ? (h ? '-' : '') : h ? formatInt(v) : String(v))
const usd = (h: boolean) => (v: number | null, lowerBound = false) =>
  v === null ? (h ? '-' : '') : h ? `${lowerBound ? '≥' : ''}${formatUsd(v)}` : String(v)
const pct = (h: boolean) => (v: number | null) => (v === null ? (h ? '-' : '') : h ? formatPercent(v) : String(Math.round(v * 1e6) / 1e6))
const ms = (h: boolean) => (v: number | null) => (v === null ? (h ? '-' : '') : h ? `${formatInt(v)}` : String(v))
const when = (h: boolean) => (v: string | null) => (v === null ? (h ? '-' : '') : h ? v.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : v)

/** Metric columns shared by breakdown and timeline tables; the CSV/TSV view carries every bucket. */
function metricColumns<R extends Metrics>(h: boolean): Column<R>[] {
  const cols: Column<R>[] = [
    {key: 'requests', header: 'REQUESTS', align: 'right', get: (r) => n(h)(r.requests)},
    {key: 'failed', header: 'FAILED', align: 'right', get: (r) => n(h)(r.failed)},
    {key: 'failureRate', header: 'FAIL%', align: 'right', get: (r) => paint(pct(h)(r.failureRate), failureRateTone(r.failureRate))},
  ]
  if (!h) {
    cols.push(
      {key: 'inputTokens', header: 'INPUT_TOKENS', get: (r) => r.inputTokens},
      {key: 'cacheReadTokens', header: 'CACHE_READ_TOKENS', get: (r) => r.cacheReadTokens},
      {key: 'cacheWriteTokens', header: 'CACHE_WRITE_TOKENS', get: (r) => r.cacheWriteTokens},
      {key: 'outputTokens', header: 'OUTPUT_TOKENS', get: (r) => r.outputTokens},
      {key: 'reasoningTokens', header: 'REASONING_TOKENS', get: (r) => r.reasoningTokens},
    )
  }
  cols.push(
    {key: 'totalTokens', header: h ? 'TOKENS' : 'TOTAL_TOKENS', align: 'right', get: (r) => n(h)(r.totalTokens)},
    {key: 'cacheHitRate', header: h ? 'CACHE%' : 'CACHE_HIT_RATE', align: 'right', get: (r) => pct(h)(r.cacheHitRate)},
    {key: 'costUsd', header: h ? 'COST' : 'COST_USD', align: 'right', get: (r) => usd(h)(r.costUsd, r.costIsLowerBound)},
  )
  if (!h) cols.push({key: 'costIsLowerBound', header: 'COST_IS_LOWER_BOUND', get: (r) => String(r.costIsLowerBound)})
  return cols
}

function latencyColumns<R extends Metrics>(h: boolean): Column<R>[] {
  return [
    {key: 'avgLatencyMs', header: h ? 'AVG MS' : 'AVG_LATENCY_MS', align: 'right', get: (r) => ms(h)(r.avgLatencyMs)},
    {key: 'p95LatencyMs', header: h ? 'P95 MS' : 'P95_LATENCY_MS', align: 'right', get: (r) => ms(h)(r.p95LatencyMs)},
  ]
}

// --------------------------------------------------------------------------------------------- summary

export function renderSummary(r: SummaryResult, o: RenderOptions = {}): void {
  const h = isHuman(o)
  const rows: Array<[string, (t: SummaryResult['totals']) => string]> = [
    ['requests', (t) => n(h)(t.requests)],
    ['succeeded', (t) => n(h)(t.succeeded)],
    ['failed', (t) => n(h)(t.failed)],
    ['success rate', (t) => pct(h)(t.successRate)],
    ['input tokens (uncached)', (t) => n(h)(t.inputTokens)],
    ['cache read tokens', (t) => n(h)(t.cacheReadTokens)],
    ['cache write tokens', (t) => n(h)(t.cacheWriteTokens)],
    ['output tokens', (t) => n(h)(t.outputTokens)],
    ['reasoning tokens', (t) => n(h)(t.reasoningTokens)],
    ['unclassified tokens', (t) => n(h)(t.unclassifiedTokens)],
    ['total tokens', (t) => n(h)(t.totalTokens)],
    ['cache hit rate', (t) => pct(h)(t.cacheHitRate)],
    ['cost (USD)', (t) => usd(h)(t.costUsd, t.costIsLowerBound)],
    ['avg latency ms', (t) => ms(h)(t.avgLatencyMs)],
    [`p95 latency ms${r.percentiles === 'estimated' && h ? ' (±2%)' : ''}`, (t) => ms(h)(t.p95LatencyMs)],
    [`p95 TTFT ms${r.percentiles === 'estimated' && h ? ' (±2%)' : ''}`, (t) => ms(h)(t.p95TtftMs)],
    ['busiest model', (t) => (t.busiestModel ? `${t.busiestModel.model}${h ? ` (${formatInt(t.busiestModel.requests)})` : ''}` : h ? '-' : '')],
  ]
  const prev = r.previous
  if (h && !o.csv) {
    writeOut(`${r.range.sinceLocal} → ${r.range.untilLocal} (${r.range.tz})`)
    if (prev) {
      renderTable(
        [
          {key: 'k', header: 'METRIC'},
          {key: 'cur', header: 'THIS PERIOD', align: 'right'},
          {key: 'prev', header: 'PREVIOUS', align: 'right'},
        ],
        rows.map(([k, f]) => ({k, cur: f(r.totals), prev: f(prev.totals)})),
        {mode: 'tty', noHeader: o.noHeader},
      )
    } else renderKeyValues(rows.map(([k, f]) => [k, f(r.totals)]))
  } else {
    const cols: Column<{k: string; cur: string; prev: string}>[] = [
      {key: 'k', header: 'metric'},
      {key: 'cur', header: 'value'},
    ]
    if (prev) cols.push({key: 'prev', header: 'previous'})
    renderTable(
      cols,
      rows.map(([k, f]) => ({k, cur: f(r.totals), prev: prev ? f(prev.totals) : ''})),
      {mode: tableMode(o), noHeader: o.noHeader},
    )
  }
  if (r.explain) renderExplain(r.explain, o)
}

// ------------------------------------------------------------------------------------------- breakdown

export function renderBreakdown(r: BreakdownResult, o: RenderOptions = {}): void {
  const h = isHuman(o)
  const nameHeader = {model: 'MODEL', provider: 'PROVIDER', account: 'ACCOUNT', 'api-key': 'API KEY'}[r.groupBy]
  const cols: Column<BreakdownRow>[] = [{key: 'name', header: h ? nameHeader : nameHeader.replace(' ', '_')}]
  if (!h) cols.push({key: 'key', header: 'KEY'})
  cols.push(...metricColumns<BreakdownRow>(h))
  cols.push({key: 'costShare', header: h ? 'SHARE' : 'COST_SHARE', align: 'right', get: (x) => pct(h)(x.costShare)})
  cols.push(...latencyColumns<BreakdownRow>(h))
  cols.push({key: 'lastSeen', header: h ? 'LAST SEEN' : 'LAST_SEEN', get: (x) => when(h)(x.lastSeen)})
  renderTable(cols, r.rows, {mode: tableMode(o), noHeader: o.noHeader})
  if (r.explain) renderExplain(r.explain, o)
}

// -------------------------------------------------------------------------------------------- timeline

/** Sum consecutive points so a series fits `width` columns. */
export function downsample(values: readonly number[], width: number): number[] {
  if (values.length <= width) return [...values]
  const step = Math.ceil(values.length / width)
  const out: number[] = []
  for (let i = 0; i < values.length; i += step) out.push(values.slice(i, i + step).reduce((a, b) => a + b, 0))
  return out
}

export function timelineChart(r: TimelineResult, metric: 'requests' | 'cost', width: number): string {
  const require = createRequire(import.meta.url)
  const asciichart = require('asciichart') as {plot(series: number[], cfg?: {height?: number; format?: (x: number) => string}): string}
  const cols = Math.max(10, width - 14)
  const values = r.rows.map((x) => (metric === 'cost' ? x.costUsd : x.requests))
  // few buckets: widen each point so the chart reads; many: sum neighbours to fit
  const stretch = Math.min(6, Math.max(1, Math.floor(cols / Math.max(1, values.length))))
  const series = stretch > 1 ? values.flatMap((v) => Array<number>(stretch).fill(v)) : downsample(values, cols)
  if (series.every((v) => v === 0)) return ''
  const fmt = metric === 'cost' ? (x: number) => `$${x.toFixed(2)}`.padStart(11) : (x: number) => formatInt(x).padStart(11)
  const per = stretch === 1 && r.rows.length > series.length ? `${Math.ceil(r.rows.length / series.length)} ${r.granularity}s` : r.granularity
  return `${metric} per ${per}\n${asciichart.plot(series, {height: 10, format: fmt})}`
}

export function renderTimeline(r: TimelineResult, o: RenderOptions & {chart?: 'requests' | 'cost' | 'none'} = {}): void {
  const h = isHuman(o)
  if (h && (o.chart ?? 'requests') !== 'none') {
    const chart = timelineChart(r, o.chart === 'cost' ? 'cost' : 'requests', o.width ?? terminalWidth())
    if (chart) writeOut(chart + '\n')
  }
  const cols: Column<TimelineRow>[] = [{key: 'bucket', header: 'BUCKET'}]
  if (!h) cols.push({key: 'start', header: 'START'}, {key: 'end', header: 'END'})
  cols.push(...metricColumns<TimelineRow>(h), ...latencyColumns<TimelineRow>(h))
  renderTable(cols, r.rows, {mode: tableMode(o), noHeader: o.noHeader})
}

// -------------------------------------------------------------------------------------------- failures

export function renderFailures(r: FailuresResult, o: RenderOptions = {}): void {
  const h = isHuman(o)
  const cols: Column<FailureRow>[] = [
    {key: 'statusCode', header: h ? 'STATUS' : 'STATUS_CODE'},
    {key: 'account', header: 'ACCOUNT'},
  ]
  if (!h) cols.push({key: 'authIndex', header: 'AUTH_INDEX'})
  cols.push(
    {key: 'model', header: 'MODEL'},
    {key: 'failures', header: 'FAILURES', align: 'right', get: (x) => n(h)(x.failures)},
    {key: 'credentialClass', header: h ? 'CLASS' : 'CREDENTIAL_CLASS', get: (x) => x.credentialClass ?? (h ? '-' : '')},
    {key: 'lastSeen', header: h ? 'LAST SEEN' : 'LAST_SEEN', get: (x) => when(h)(x.lastSeen)},
  )
  if (!h) cols.push({key: 'latestRequestId', header: 'LATEST_REQUEST_ID', get: (x) => x.latestRequestId ?? ''})
  cols.push({
    key: 'latestError',
    header: h ? 'LATEST ERROR' : 'LATEST_ERROR',
    get: (x) => {
      const e = x.latestError ?? ''
      return h && e.length > 80 ? `${e.slice(0, 79)}…` : e
    },
  })
  renderTable(cols, r.rows, {mode: tableMode(o), noHeader: o.noHeader})
}

// ---------------------------------------------------------------------------------------------- events

export function renderEvents(r: EventsResult, o: RenderOptions = {}): void {
  const h = isHuman(o)
  const cols: Column<EventItem>[] = [
    {key: 'time', header: 'TIME', get: (x) => when(h)(x.time)},
    {key: 'requestId', header: h ? 'REQUEST' : 'REQUEST_ID', get: (x) => x.requestId ?? ''},
    {key: 'model', header: 'MODEL', get: (x) => x.model ?? ''},
    {key: 'account', header: 'ACCOUNT'},
    {key: 'apiKey', header: h ? 'API KEY' : 'API_KEY'},
    {key: 'statusCode', header: 'STATUS', get: (x) => x.statusCode ?? ''},
    {key: 'latencyMs', header: h ? 'MS' : 'LATENCY_MS', align: 'right', get: (x) => ms(h)(x.latencyMs)},
  ]
  if (!h) {
    cols.push(
      {key: 'ttftMs', header: 'TTFT_MS', get: (x) => x.ttftMs ?? ''},
      {key: 'inputTokens', header: 'INPUT_TOKENS'},
      {key: 'cacheReadTokens', header: 'CACHE_READ_TOKENS'},
      {key: 'cacheWriteTokens', header: 'CACHE_WRITE_TOKENS'},
      {key: 'outputTokens', header: 'OUTPUT_TOKENS'},
      {key: 'reasoningTokens', header: 'REASONING_TOKENS'},
    )
  }
  cols.push(
    {key: 'totalTokens', header: h ? 'TOKENS' : 'TOTAL_TOKENS', align: 'right', get: (x) => n(h)(x.totalTokens)},
    {key: 'costUsd', header: h ? 'COST' : 'COST_USD', align: 'right', get: (x) => usd(h)(x.costUsd)},
    {
      key: 'error',
      header: 'ERROR',
      get: (x) => {
        const e = x.error ?? ''
        return h && e.length > 60 ? `${e.slice(0, 59)}…` : e
      },
    },
  )
  renderTable(cols, r.rows, {mode: tableMode(o), noHeader: o.noHeader})
  if (r.nextCursor && h) warn(`more events: --before ${r.nextCursor}`)
}

// --------------------------------------------------------------------------------------------- explain

export function renderExplain(models: readonly ExplainModel[], o: RenderOptions = {}): void {
  if (o.csv) return
  const lines: string[] = ['', 'Cost arithmetic (USD per 1M tokens; tokens × rate / 1,000,000 × multiplier):']
  for (const m of models) {
    const price = m.price ? `price ${m.price.model} (${m.price.source}${m.price.matchedBy === 'exact' ? '' : `, matched by ${m.price.matchedBy}`})` : 'NO PRICE'
    lines.push(`  ${m.model || '(unknown model)'}: ${price}${m.costUsd === null ? '' : ` = ${formatUsd(m.costUsd, 6)}`}`)
    for (const l of m.lines) {
      const tier = [l.serviceTier ? `tier ${l.serviceTier}` : 'standard', l.contextTierAbove !== null ? `context > ${formatInt(l.contextTierAbove)}` : null].filter(Boolean).join(', ')
      lines.push(`    ${l.provider || '-'} · ${tier} · ${formatInt(l.requests)} requests`)
      if (!l.rates || !l.costs) {
        lines.push(`      ${formatInt(l.tokens.uncachedInput)} input, ${formatInt(l.tokens.cacheRead)} cache read, ${formatInt(l.tokens.cacheWrite)} cache write, ${formatInt(l.tokens.output)} output: not priced`)
        continue
      }
      const x = l.rates.multiplier === 1 ? '' : ` × ${l.rates.multiplier}`
      const row = (label: string, tokens: number, rate: number, cost: number) =>
        `      ${label.padEnd(12)} ${formatInt(tokens).padStart(15)} × $${rate}${x} = ${formatUsd(cost, 6)}`
      lines.push(row('input', l.tokens.uncachedInput, l.rates.input, l.costs.uncachedInput))
      lines.push(row('cache read', l.tokens.cacheRead, l.rates.cacheRead, l.costs.cacheRead))
      lines.push(row('cache write', l.tokens.cacheWrite, l.rates.cacheWrite, l.costs.cacheWrite))
      lines.push(row('output', l.tokens.output - Math.min(l.tokens.reasoning, l.tokens.output), l.rates.output, l.costs.output))
      lines.push(row('reasoning', Math.min(l.tokens.reasoning, l.tokens.output), l.rates.reasoning, l.costs.reasoning))
      for (const note of l.notes) lines.push(`      note: ${note}`)
    }
  }
  writeOut(lines.join('\n'))
}
