/** Human/TSV/CSV views of the `prices` results. */
import {formatInt, renderKeyValues, renderTable, stdoutIsTTY, writeErr, writeOut} from '../cli/output.js'
import type {ImportResult, MissingPrice, PriceJson} from './manage.js'

export interface PriceRenderOptions {
  csv?: boolean
  noHeader?: boolean
}

const rate = (v: number | null) => (v === null ? '' : String(v))

function tiersText(p: PriceJson): string {
  return p.tiers
    .map((t) => `>${t.above}:${[['input', t.input], ['cache-read', t.cacheRead], ['cache-write', t.cacheWrite], ['output', t.output], ['reasoning', t.reasoning]].filter(([, v]) => v !== undefined && v !== null).map(([k, v]) => `${k}=${v}`).join(',')}`)
    .join(' ')
}

function serviceText(p: PriceJson): string {
  return Object.entries(p.serviceTiers)
    .map(([name, r]) => {
      const parts = [['input', r.input], ['cache-read', r.cacheRead], ['cache-write', r.cacheWrite], ['output', r.output], ['reasoning', r.reasoning]].filter(([, v]) => v !== undefined && v !== null).map(([k, v]) => `${k}=${v}`)
      if (r.multiplier !== undefined) parts.push(`×${r.multiplier}`)
      return `${name}:${parts.join(',')}`
    })
    .join(' ')
}

export function renderPrices(rows: PriceJson[], o: PriceRenderOptions = {}): void {
  renderTable(
    [
      {key: 'model', header: 'MODEL'},
      {key: 'input', header: 'INPUT', align: 'right', get: (p: PriceJson) => rate(p.input)},
      {key: 'cacheRead', header: 'CACHE_READ', align: 'right', get: (p: PriceJson) => rate(p.cacheRead)},
      {key: 'cacheWrite', header: 'CACHE_WRITE', align: 'right', get: (p: PriceJson) => rate(p.cacheWrite)},
      {key: 'output', header: 'OUTPUT', align: 'right', get: (p: PriceJson) => rate(p.output)},
      {key: 'reasoning', header: 'REASONING', align: 'right', get: (p: PriceJson) => rate(p.reasoning)},
      {key: 'tiers', header: 'CONTEXT_TIERS', get: tiersText},
      {key: 'serviceTiers', header: 'SERVICE_TIERS', get: serviceText},
      {key: 'source', header: 'SOURCE'},
    ],
    rows,
    {csv: o.csv, noHeader: o.noHeader},
  )
  if (rows.length > 0 && stdoutIsTTY() && !o.csv) writeOut('(USD per 1M tokens)')
}

export function renderPrice(p: PriceJson): void {
  renderKeyValues([
    ['model', p.model],
    ['input', p.input],
    ['cache read', p.cacheRead ?? '(input rate)'],
    ['cache write', p.cacheWrite ?? '(input rate)'],
    ['output', p.output],
    ['reasoning', p.reasoning ?? '(output rate)'],
    ['context tiers', tiersText(p) || '-'],
    ['service tiers', serviceText(p) || '(defaults: flex/batch ×0.5, priority ×2)'],
    ['source', p.source],
  ])
}

export function renderImport(r: ImportResult): void {
  const what = r.format === 'bundled' ? 'the bundled catalogue' : `${r.file} (${r.format})`
  renderKeyValues([
    ['source', what],
    ['prices read', formatInt(r.read)],
    ...(r.source === 'bundled' ? ([['from the cpactl supplement', formatInt(r.supplemented)]] as Array<[string, string]>) : []),
    ['added', formatInt(r.added)],
    ['updated', formatInt(r.updated)],
    ['unchanged', formatInt(r.unchanged)],
    ['skipped (no price / duplicate)', formatInt(r.skipped)],
    ['manual kept', formatInt(r.keptManual.length)],
  ])
  if (r.dryRun) writeErr('dry run: nothing was written')
}

export function renderMissing(rows: MissingPrice[], o: PriceRenderOptions = {}): void {
  renderTable(
    [
      {key: 'model', header: 'MODEL'},
      {key: 'requests', header: 'REQUESTS', align: 'right', get: (m: MissingPrice) => (stdoutIsTTY() && !o.csv ? formatInt(m.requests) : m.requests)},
      {key: 'lastSeen', header: 'LAST_SEEN'},
    ],
    rows,
    {csv: o.csv, noHeader: o.noHeader},
  )
}
