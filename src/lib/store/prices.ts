/**
 * Prices in the store (migration 002 `prices`): list, set, remove, import with manual entries protected
 * (a sync never overwrites a manual price: the leading panel's #682). SQL only; the rules live in src/lib/pricing.
 */
import type {ContextTier, ModelPrice, PriceSource, ServiceTierRule} from './price-rows.js'
import type {Connection} from './connection.js'
import type {PriceImportOutcome} from './records.js'
import type {PriceRepository} from './types.js'

export interface PriceRow {
  model: string
  input: number | null
  cache_read: number | null
  cache_write: number | null
  output: number | null
  reasoning: number | null
  tiers: string
  service_tiers: string
  source: string
  source_model: string | null
  updated_at: number
}

export function fromRow(r: PriceRow): ModelPrice {
  return {
    model: r.model,
    input: r.input,
    cacheRead: r.cache_read,
    cacheWrite: r.cache_write,
    output: r.output,
    reasoning: r.reasoning,
    tiers: JSON.parse(r.tiers) as ContextTier[],
    serviceTiers: JSON.parse(r.service_tiers) as Record<string, ServiceTierRule>,
    source: r.source as PriceSource,
    sourceModel: r.source_model,
    updatedAt: r.updated_at,
  }
}

export function samePrice(a: ModelPrice, b: Omit<ModelPrice, 'updatedAt'>): boolean {
  return (
    a.input === b.input &&
    a.cacheRead === b.cacheRead &&
    a.cacheWrite === b.cacheWrite &&
    a.output === b.output &&
    a.reasoning === b.reasoning &&
    a.source === b.source &&
    a.sourceModel === b.sourceModel &&
    JSON.stringify(a.tiers) === JSON.stringify(b.tiers) &&
    JSON.stringify(a.serviceTiers) === JSON.stringify(b.serviceTiers)
  )
}

export const UPSERT_PRICE = `INSERT INTO prices (model, input, cache_read, cache_write, output, reasoning, tiers, service_tiers, source, source_model, updated_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (model) DO UPDATE SET input = excluded.input, cache_read = excluded.cache_read, cache_write = excluded.cache_write,
    output = excluded.output, reasoning = excluded.reasoning, tiers = excluded.tiers, service_tiers = excluded.service_tiers,
    source = excluded.source, source_model = excluded.source_model, updated_at = excluded.updated_at`

export const priceParams = (p: ModelPrice): unknown[] => [
  p.model, p.input, p.cacheRead, p.cacheWrite, p.output, p.reasoning, JSON.stringify(p.tiers), JSON.stringify(p.serviceTiers), p.source, p.sourceModel, p.updatedAt,
]

/**
 * The import rule (both backends): entries from any import replace earlier imported ones; a manual entry is
 * replaced only with `overwrite`. Returns what to write; fills `out`.
 */
export function planPriceImport(
  prices: ReadonlyArray<Omit<ModelPrice, 'updatedAt'>>,
  current: (model: string) => ModelPrice | null,
  options: {overwrite?: boolean},
  out: PriceImportOutcome,
): Array<Omit<ModelPrice, 'updatedAt'>> {
  const write: Array<Omit<ModelPrice, 'updatedAt'>> = []
  for (const p of prices) {
    const cur = current(p.model)
    if (cur && cur.source === 'manual' && !options.overwrite) {
      out.keptManual.push(p.model)
      continue
    }
    if (cur && samePrice(cur, p)) {
      out.unchanged++
      continue
    }
    ;(cur ? out.updated : out.added).push(p.model)
    write.push(p)
  }
  return write
}

export class SqlitePrices implements PriceRepository {
  constructor(private readonly c: Connection) {}

  private getSync(model: string): ModelPrice | null {
    const r = this.c.db.prepare('SELECT * FROM prices WHERE model = ?').get(model) as PriceRow | undefined
    return r ? fromRow(r) : null
  }

  private upsertSync(p: ModelPrice): void {
    this.c.db
      .prepare(UPSERT_PRICE)
      .run(...priceParams(p))
  }

  async list(): Promise<ModelPrice[]> {
    return (this.c.db.prepare('SELECT * FROM prices ORDER BY model').all() as PriceRow[]).map(fromRow)
  }

  async get(model: string): Promise<ModelPrice | null> {
    return this.getSync(model)
  }

  async upsert(p: ModelPrice): Promise<void> {
    this.c.write('save a price', () => this.upsertSync(p))
  }

  async remove(models: readonly string[]): Promise<string[]> {
    const del = this.c.db.prepare('DELETE FROM prices WHERE model = ?')
    return this.c.write('remove prices', () => models.filter((m) => del.run(m).changes > 0))
  }

  /**
   * Store imported prices in one transaction. Entries from any import replace earlier imported ones; a manual
   * entry is replaced only with `overwrite`. `dryRun` computes the outcome and writes nothing.
   */
  async import(prices: ReadonlyArray<Omit<ModelPrice, 'updatedAt'>>, options: {overwrite?: boolean; dryRun?: boolean; now?: number} = {}): Promise<PriceImportOutcome> {
    const now = options.now ?? Date.now()
    const out: PriceImportOutcome = {added: [], updated: [], unchanged: 0, keptManual: []}
    const run = () => {
      const write = planPriceImport(prices, (m) => this.getSync(m), options, out)
      if (!options.dryRun) for (const p of write) this.upsertSync({...p, updatedAt: now})
    }
    if (options.dryRun) run()
    else this.c.write('import prices', run)
    return out
  }
}
