/**
 * What both `config check` rule sets share (legacy: rules.ts, v8: rules-v8*.ts): the finding and
 * rule types, thresholds, and the rules that mean the same in both layouts and differ only in where the key lives
 * (usage publishing and queue retention, client keys, the management secret, remote access without TLS, weights).
 */
import {formatPath, getAt, type PathPart} from './path.js'
import {ROUTING_STRATEGIES} from '../gateway/config-keymap.js'

/** error: the gateway rejects it; warning: accepted but ignored, clamped or risky; info: worth knowing. */
export type Severity = 'error' | 'warning' | 'info'

export interface Finding {
  rule: string
  severity: Severity
  path: string
  message: string
  fix: string
}

/** A finding before its rule and severity are attached; `severity` overrides the rule's default for this one. */
export type RawFinding = Omit<Finding, 'rule' | 'severity'> & {severity?: Severity}

export interface RuleDef<C> {
  id: string
  severity: Severity
  summary: string
  run(ctx: C): RawFinding[]
}

export interface Thresholds {
  /** How often `cpactl collect` runs, in seconds (retention must outlast it). */
  collectionIntervalSeconds: number
  /** The rules file set collection-interval: a collector is configured (v8 `usage-publishing-off`). */
  collectionIntervalSet: boolean
  /** Lowest accepted weight; none by default (≤ 0 is valid: the key is left out of weighted-round-robin). */
  weightMin: number
  weightMax: number
}

export const DEFAULT_THRESHOLDS: Thresholds = {collectionIntervalSeconds: 60, collectionIntervalSet: false, weightMin: Number.NEGATIVE_INFINITY, weightMax: 1_000_000}

/** What every shared rule reads. */
interface BaseContext {
  data: Record<string, unknown>
  thresholds: Thresholds
}

export const isTrue = (v: unknown): boolean => v === true || (typeof v === 'string' && /^(true|yes|on|y)$/i.test(v))

/** The strategy as the gateway reads it ('' and aliases resolved), or null when it is not one it knows. */
export function strategyOf(data: unknown, parts: readonly PathPart[] = ['routing', 'strategy']): string | null {
  const v = getAt(data, parts)
  if (v === undefined || v === null) return 'round-robin'
  return typeof v === 'string' ? (ROUTING_STRATEGIES[v.trim().toLowerCase()] ?? null) : null
}

/** Non-integers and values outside the thresholds; null when the weight is fine (or absent). */
export function weightProblem(w: unknown, t: Thresholds): string | null {
  if (typeof w !== 'number' || !Number.isFinite(w)) return null
  if (!Number.isInteger(w)) return `weight ${w} is not an integer`
  if (w > t.weightMax) return `weight ${w} is above the maximum ${t.weightMax.toLocaleString('en-US')}`
  if (w < t.weightMin) return `weight ${w} is below the minimum ${t.weightMin.toLocaleString('en-US')}`
  return null
}

/**
 * `weight-out-of-range` (not an integer, or beyond the thresholds) and `weight-excluded` (≤ 0 under
 * weighted-round-robin: valid, but the key gets no traffic). `each` walks the weights of the layout.
 */
export function weightRules<C extends BaseContext>(
  each: (data: Record<string, unknown>, fn: (parts: PathPart[], w: unknown) => void) => void,
  o: {skipFractions: boolean; summary: string; fix: string},
): Array<RuleDef<C>> {
  return [
    {
      id: 'weight-out-of-range',
      severity: 'error',
      summary: o.summary,
      run(ctx) {
        const out: RawFinding[] = []
        each(ctx.data, (parts, w) => {
          // skipFractions: a fraction is already an invalid-value finding (the legacy schema types weights as integers)
          const problem = o.skipFractions && typeof w === 'number' && !Number.isInteger(w) ? null : weightProblem(w, ctx.thresholds)
          if (problem) out.push({path: formatPath(parts), message: problem, fix: `use an integer up to ${ctx.thresholds.weightMax}, ${o.fix}`})
        })
        return out
      },
    },
    {
      id: 'weight-excluded',
      severity: 'warning',
      summary: 'A weight of 0 or less is valid but leaves the key out of weighted-round-robin (often unintended).',
      run(ctx) {
        if (strategyOf(ctx.data) !== 'weighted-round-robin') return []
        const out: RawFinding[] = []
        each(ctx.data, (parts, w) => {
          if (typeof w === 'number' && Number.isInteger(w) && w <= 0 && w >= ctx.thresholds.weightMin) {
            out.push({path: formatPath(parts), message: `weight ${w}: this key gets no traffic while routing.strategy is weighted-round-robin`, fix: 'set a positive weight, or remove the key if it should not be used'})
          }
        })
        return out
      },
    },
  ]
}

/**
 * Usage collection: publishing switched off, retention shorter than the collection interval or without headroom,
 * retention outside 1..3600 (absent or ≤ 0 ⇒ 60 s, above 3600 clamped). `collecting` gates the first three.
 */
export function collectorRules<C extends BaseContext>(o: {
  enabled: string[]
  retention: string[]
  collecting: (ctx: C) => boolean
  publishingSeverity: Severity
  enableHint: string
}): Array<RuleDef<C>> {
  const name = o.retention.join('.')
  const retention = (data: Record<string, unknown>) => {
    const v = getAt(data, o.retention)
    return {configured: v, effective: typeof v === 'number' && Number.isInteger(v) && v > 0 ? Math.min(v, 3600) : 60}
  }
  return [
    {
      id: 'usage-publishing-off',
      severity: o.publishingSeverity,
      summary: `${o.enabled.join('.')} is not true, so the gateway publishes no usage records.`,
      run(ctx) {
        const v = getAt(ctx.data, o.enabled)
        if (!o.collecting(ctx) || isTrue(v)) return []
        const key = o.enabled[o.enabled.length - 1]
        return [
          {
            path: o.enabled.join('.'),
            message: `usage publishing is off (${v === undefined ? `${key} is absent; it defaults to false` : `${key}: ${JSON.stringify(v)}`}): the usage queue stays empty and nothing can be collected`,
            fix: `set ${o.enabled.join('.')}: true (or: ${o.enableHint})`,
          },
        ]
      },
    },
    {
      id: 'retention-shorter-than-interval',
      severity: 'error',
      summary: 'Queue records expire before the next collection run picks them up.',
      run(ctx) {
        const {configured, effective} = retention(ctx.data)
        const interval = ctx.thresholds.collectionIntervalSeconds
        if (!o.collecting(ctx) || effective >= interval) return []
        return [
          {
            path: name,
            message: `queue retention is ${effective}s${configured === undefined ? ' (default)' : ''} but collection runs every ${interval}s: records expire before they are collected`,
            fix: `set ${name} to at least ${Math.min(3600, interval * 2)} (max 3600), or collect more often`,
          },
        ]
      },
    },
    {
      id: 'retention-headroom',
      severity: 'warning',
      summary: 'Queue retention is under two collection intervals: one late or failed run loses records.',
      run(ctx) {
        const {effective} = retention(ctx.data)
        const interval = ctx.thresholds.collectionIntervalSeconds
        if (!o.collecting(ctx) || effective < interval || effective >= interval * 2 || effective >= 3600) return []
        return [{path: name, message: `queue retention is ${effective}s, less than two collection intervals (${interval}s): a late or failed run loses records`, fix: `set ${name} to ${Math.min(3600, interval * 2)} or more`}]
      },
    },
    {
      id: 'retention-out-of-range',
      severity: 'warning',
      summary: 'Retention ≤ 0 means 60 s and values above 3600 are clamped to 3600.',
      run(ctx) {
        const v = getAt(ctx.data, o.retention)
        if (typeof v !== 'number' || !Number.isInteger(v) || (v >= 1 && v <= 3600)) return []
        return [{path: name, message: v <= 0 ? `retention ${v} is not positive; the gateway uses 60 seconds` : `retention ${v} is above the maximum; the gateway uses 3600 seconds`, fix: 'set a value between 60 and 3600'}]
      },
    },
  ]
}

/** routing.strategy that is neither a strategy nor an alias (v0 answers 400 invalid strategy). */
export function unknownStrategyRule<C extends BaseContext>(): RuleDef<C> {
  return {
    id: 'unknown-routing-strategy',
    severity: 'error',
    summary: 'routing.strategy must be round-robin, weighted-round-robin or fill-first (or an alias).',
    run(ctx) {
      const v = getAt(ctx.data, ['routing', 'strategy'])
      if (v === undefined || v === null || strategyOf(ctx.data) !== null) return []
      return [{path: 'routing.strategy', message: `unknown routing strategy ${JSON.stringify(v)}`, fix: 'use round-robin, weighted-round-robin or fill-first'}]
    },
  }
}

/** Remote management allowed while TLS is off: the key crosses the network in clear text. */
export function remoteTlsRule<C extends BaseContext>(allow: string[], tls: string[]): RuleDef<C> {
  return {
    id: 'remote-without-tls',
    severity: 'error',
    summary: 'Remote management is allowed while TLS is off: the management key crosses the network in clear text.',
    run(ctx) {
      if (!isTrue(getAt(ctx.data, allow)) || isTrue(getAt(ctx.data, tls))) return []
      return [
        {
          path: allow.join('.'),
          message: `allow-remote is on but ${tls.join('.')} is not: the management key and credentials travel unencrypted`,
          fix: `set ${tls.join('.')}: true with a cert and key, or set allow-remote: false and manage from the gateway host`,
        },
      ]
    },
  }
}

/** A plaintext secret-key: the gateway hashes it on load, but the key sits in the file (and its history). */
export function plaintextSecretRule<C extends BaseContext>(path: string[], severity: Severity, revealHint: string): RuleDef<C> {
  return {
    id: 'plaintext-secret-key',
    severity,
    summary: `${path.join('.')} is plaintext instead of a bcrypt hash: the management key is in the file.`,
    run(ctx) {
      const v = getAt(ctx.data, path)
      if (typeof v !== 'string' || v.trim() === '' || /^\$2[aby]\$/.test(v.trim())) return []
      return [
        {
          path: path.join('.'),
          message: 'secret-key is plaintext: anyone who can read this file (or its git history) has the management key (the gateway writes a bcrypt hash over it when it loads the file)',
          fix: `commit the bcrypt hash the gateway writes back (${revealHint} shows it), or keep the key out of the file and set MANAGEMENT_PASSWORD on the gateway`,
        },
      ]
    },
  }
}

/** Client keys: the example keys your-api-key-* (safe mode) and duplicates. */
export function clientKeyRules<C extends BaseContext>(list: string[], exampleSeverity: Severity): Array<RuleDef<C>> {
  const keysOf = (ctx: C) => {
    const keys = getAt(ctx.data, list)
    return Array.isArray(keys) ? keys.map((k) => (typeof k === 'string' ? k.trim() : k === null || k === undefined ? '' : String(k))) : []
  }
  const at = (i: number) => formatPath([...list, i])
  return [
    {
      id: 'example-api-keys',
      severity: exampleSeverity,
      summary: 'The example client keys your-api-key-* are present; the gateway refuses all proxy traffic (safe mode).',
      run: (ctx) =>
        keysOf(ctx).flatMap((k, i) =>
          /^your-api-key-/i.test(k)
            ? [{path: at(i), message: `example client key '${k}': while it is present the gateway answers every proxy request with 403 unsafe_example_api_key`, fix: 'replace it with a generated key (cpactl api-keys add prints one) and remove the examples'}]
            : [],
        ),
    },
    {
      id: 'duplicate-api-keys',
      severity: 'warning',
      summary: 'The same client key is listed twice; removing one by value removes both.',
      run(ctx) {
        const first = new Map<string, number>()
        const out: RawFinding[] = []
        keysOf(ctx).forEach((k, i) => {
          if (k === '') return
          const seen = first.get(k)
          if (seen === undefined) first.set(k, i)
          else out.push({path: at(i), message: `client key at ${at(i)} duplicates ${at(seen)}`, fix: `remove ${at(i)}`})
        })
        return out
      },
    },
  ]
}
