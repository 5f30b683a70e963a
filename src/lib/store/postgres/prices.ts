/** PriceRepository over PostgreSQL (the counterpart of ../prices.ts: same statements, same import rule). */
import type {ModelPrice} from '../price-rows.js'
import {fromRow, planPriceImport, priceParams, UPSERT_PRICE, type PriceRow} from '../prices.js'
import type {PriceImportOutcome} from '../records.js'
import type {PriceRepository} from '../types.js'
import type {PgConnection} from './connection.js'

export class PgPrices implements PriceRepository {
  constructor(private readonly c: PgConnection) {}

  async list(): Promise<ModelPrice[]> {
    return (await this.c.query<PriceRow>('SELECT * FROM prices ORDER BY model COLLATE "C"', [], 'list prices')).map(fromRow)
  }

  async get(model: string): Promise<ModelPrice | null> {
    const r = await this.c.one<PriceRow>('SELECT * FROM prices WHERE model = ?', [model], 'read a price')
    return r ? fromRow(r) : null
  }

  async upsert(p: ModelPrice): Promise<void> {
    await this.c.tx('save a price', () => this.c.query(UPSERT_PRICE, priceParams(p)))
  }

  async remove(models: readonly string[]): Promise<string[]> {
    return this.c.tx('remove prices', async () =>
      (await this.c.query<{model: string}>('DELETE FROM prices WHERE model = ANY(?::text[]) RETURNING model', [models])).map((r) => r.model).sort((a, b) => models.indexOf(a) - models.indexOf(b)),
    )
  }

  async import(prices: ReadonlyArray<Omit<ModelPrice, 'updatedAt'>>, options: {overwrite?: boolean; dryRun?: boolean; now?: number} = {}): Promise<PriceImportOutcome> {
    const now = options.now ?? Date.now()
    const out: PriceImportOutcome = {added: [], updated: [], unchanged: 0, keptManual: []}
    const run = async () => {
      const current = new Map((await this.list()).map((p) => [p.model, p]))
      const write = planPriceImport(prices, (m) => current.get(m) ?? null, options, out)
      if (!options.dryRun) for (const p of write) await this.c.query(UPSERT_PRICE, priceParams({...p, updatedAt: now}))
    }
    if (options.dryRun) await run()
    else await this.c.tx('import prices', run)
    return out
  }
}
