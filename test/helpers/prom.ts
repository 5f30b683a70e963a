// Expositions read back with a real Prometheus text-format parser (parse-prometheus-text-format, the parser of
// the 0.0.4 format also used by Prometheus tooling in JavaScript), as a scrape or node_exporter would read them.
import {createRequire} from 'node:module'

interface ParsedFamily {
  name: string
  help: string
  type: string
  metrics: Array<{value: string; labels?: Record<string, string>}>
}

const require = createRequire(import.meta.url)
const parse = require('parse-prometheus-text-format') as (text: string) => ParsedFamily[]

export interface Sample {
  labels: Record<string, string>
  value: number
}

export interface Family {
  type: string
  help: string
  samples: Sample[]
}

/** Families by name; throws on text the parser rejects, and on duplicate families or label sets. */
export function parseExposition(text: string): Map<string, Family> {
  const out = new Map<string, Family>()
  for (const f of parse(text)) {
    if (out.has(f.name)) throw new Error(`family ${f.name} appears twice`)
    const samples = f.metrics.map((m) => ({labels: m.labels ?? {}, value: Number(m.value)}))
    const seen = new Set(samples.map((s) => JSON.stringify(Object.entries(s.labels).sort())))
    if (seen.size !== samples.length) throw new Error(`family ${f.name} repeats a label set`)
    for (const s of samples) if (!Number.isFinite(s.value)) throw new Error(`family ${f.name} has a non-finite value`)
    out.set(f.name, {type: f.type, help: f.help, samples})
  }
  return out
}

/** Sum of a family's samples whose labels match `where`. */
export function sum(fams: Map<string, Family>, name: string, where: Record<string, string> = {}): number {
  const f = fams.get(name)
  if (!f) throw new Error(`no family ${name}`)
  return f.samples.filter((s) => Object.entries(where).every(([k, v]) => s.labels[k] === v)).reduce((a, s) => a + s.value, 0)
}

/** Samples in the exposition (what --max-series caps). */
export function sampleCount(fams: Map<string, Family>): number {
  return [...fams.values()].reduce((a, f) => a + f.samples.length, 0)
}
