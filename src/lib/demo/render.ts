/** Human view of `cpactl demo`. */
import {formatInt, renderTable, writeErr, writeOut} from '../cli/output.js'
import {renderBreakdown, renderSummary} from '../report/render.js'
import type {DemoResult} from './run.js'

export function renderDemo(r: DemoResult): void {
  const c = r.collect
  writeErr(
    `Collected ${formatInt(c.popped)} records via ${c.transport}: ${formatInt(c.inserted)} stored, ${c.duplicates} duplicates, ${c.deadLettered} dead letters (${Math.round(c.recordsPerSecond)} records/s).`,
  )
  writeErr(`Prices: ${r.prices.added} models loaded from the bundled catalogue (${r.prices.format}).`)
  writeOut(`\n== report summary --since ${r.simulator.days + 1}d ==`)
  renderSummary(r.summary)
  writeOut(`\n== report models --since ${r.simulator.days + 1}d --sort cost --limit 10 ==`)
  renderBreakdown(r.models)
  writeOut(`\n== store totals vs the simulator's generated totals: ${r.check.exact ? 'EXACT' : 'MISMATCH'} ==`)
  renderTable(
    [
      {key: 'name', header: 'FIGURE'},
      {key: 'simulator', header: 'SIMULATOR', align: 'right', get: (f: DemoResult['check']['figures'][number]) => formatInt(f.simulator)},
      {key: 'store', header: 'STORE', align: 'right', get: (f: DemoResult['check']['figures'][number]) => formatInt(f.store)},
    ],
    r.check.figures,
  )
  writeErr(`\nThe store stays at ${r.store}. Try:\n  cpactl report timeline --store ${r.store} --since ${r.simulator.days + 1}d --granularity day\n  cpactl report api-keys --store ${r.store} --since ${r.simulator.days + 1}d\n  cpactl report failures --store ${r.store} --since ${r.simulator.days + 1}d`)
}
