/**
 * Price flags as typed on the command line:
 *   --tier 200000:input=2.5,output=15,cache-read=0.25      (context tier; also 200k / 1m)
 *   --service-tier priority=2                              (multiplier)
 *   --service-tier priority:input=2.5,output=20            (explicit rates; may add multiplier=…)
 */
import {UsageError} from '../cli/errors.js'
import {normalizeServiceTier} from './cost.js'
import type {ContextTier, Rates, ServiceTierRule} from '../store/index.js'

const RATE_KEYS: Record<string, keyof Rates> = {
  input: 'input',
  'cache-read': 'cacheRead',
  cache_read: 'cacheRead',
  cacheread: 'cacheRead',
  'cache-write': 'cacheWrite',
  cache_write: 'cacheWrite',
  cachewrite: 'cacheWrite',
  output: 'output',
  reasoning: 'reasoning',
}

/** A price in USD per 1M tokens: a finite, non-negative number. */
export function parseRate(text: string, what: string): number {
  const v = Number(text.trim().replace(/^\$/, ''))
  if (text.trim() === '' || !Number.isFinite(v) || v < 0) {
    throw new UsageError(`invalid ${what} '${text}': expected USD per 1M tokens, e.g. 2.5`, {code: 'invalid_price'})
  }
  return v
}

function parseTokens(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([km]?)$/i.exec(text.trim())
  if (!m) throw new UsageError(`invalid tier threshold '${text}': expected a token count such as 200000 or 200k`, {code: 'invalid_tier'})
  const mult = m[2].toLowerCase() === 'k' ? 1000 : m[2].toLowerCase() === 'm' ? 1_000_000 : 1
  return Math.round(Number(m[1]) * mult)
}

function parseRates(text: string, what: string, allowMultiplier: boolean): Partial<Rates> & {multiplier?: number} {
  const out: Partial<Rates> & {multiplier?: number} = {}
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [k, v] = part.split('=')
    if (v === undefined) throw new UsageError(`invalid ${what} '${text}': expected name=value pairs`, {code: 'invalid_tier'})
    const key = k.trim().toLowerCase()
    if (allowMultiplier && key === 'multiplier') {
      out.multiplier = parseRate(v, `${what} multiplier`)
      continue
    }
    const field = RATE_KEYS[key]
    if (!field) throw new UsageError(`unknown rate '${k}' in ${what}: use input, cache-read, cache-write, output, reasoning`, {code: 'invalid_tier'})
    out[field] = parseRate(v, `${what} ${key}`)
  }
  return out
}

/** `ABOVE:rate=value,…` → a context tier. */
export function parseContextTier(text: string): ContextTier {
  const i = text.indexOf(':')
  if (i <= 0) throw new UsageError(`invalid --tier '${text}': expected ABOVE:input=…,output=… (e.g. 200k:input=2.5,output=15)`, {code: 'invalid_tier'})
  const rates = parseRates(text.slice(i + 1), '--tier', false)
  if (Object.keys(rates).length === 0) throw new UsageError(`--tier '${text}' sets no rate`, {code: 'invalid_tier'})
  return {above: parseTokens(text.slice(0, i)), ...rates}
}

/** `NAME=multiplier` or `NAME:rate=value,…` → [normalised tier name, rule]. */
export function parseServiceTier(text: string): [string, ServiceTierRule] {
  const eq = /^([A-Za-z][\w-]*)=(.+)$/.exec(text.trim())
  if (eq) {
    const name = normalizeServiceTier(eq[1])
    if (!name) throw new UsageError(`'${eq[1]}' is the standard tier; it has no multiplier`, {code: 'invalid_tier'})
    return [name, {multiplier: parseRate(eq[2], '--service-tier multiplier')}]
  }
  const i = text.indexOf(':')
  if (i <= 0) throw new UsageError(`invalid --service-tier '${text}': expected NAME=MULTIPLIER or NAME:input=…,output=…`, {code: 'invalid_tier'})
  const name = normalizeServiceTier(text.slice(0, i))
  if (!name) throw new UsageError(`'${text.slice(0, i)}' is the standard tier; set the base price instead`, {code: 'invalid_tier'})
  const rule = parseRates(text.slice(i + 1), '--service-tier', true)
  if (Object.keys(rule).length === 0) throw new UsageError(`--service-tier '${text}' sets nothing`, {code: 'invalid_tier'})
  return [name, rule]
}
