/**
 * `config check` rules: the config mistakes operators actually make (issue 6). Each rule looks at decoded
 * config data and returns findings with a path, a message and a fix. Severities and thresholds can be
 * changed by a rules file (config-check.ts). Facts behind each rule are cited from cpa-gateway.md.
 */
import {formatPath, getAt, isPlainObject, type PathPart} from './config-path.js'
import {
  BASE_URL_REQUIRED,
  isKnownTopLevelKey,
  KNOWN_NESTED_KEYS,
  KNOWN_TOP_LEVEL_KEYS,
  PROVIDER_LIST_KEYS,
  ROUTING_STRATEGIES,
  type SchemaIssue,
} from './config-schema.js'

export type Severity = 'error' | 'warning'

export interface Finding {
  rule: string
  severity: Severity
  path: string
  message: string
  fix: string
}

export interface Thresholds {
  /** How often `cpactl collect` runs, in seconds (retention must outlast it). */
  collectionIntervalSeconds: number
  /** Below this a weight parks the key under weighted round-robin (a warning with that strategy only). */
  weightMin: number
  weightMax: number
}

export const DEFAULT_THRESHOLDS: Thresholds = {collectionIntervalSeconds: 60, weightMin: 1, weightMax: 1_000_000}

export interface RuleContext {
  data: Record<string, unknown>
  /** 'file' for a local file, 'live' for the gateway's current config. */
  target: 'file' | 'live'
  thresholds: Thresholds
  /** Extra top-level keys the rules file declares as known (plugins, newer gateways). */
  extraKnownKeys: readonly string[]
  /** Schema problems, computed once (config-schema.ts). */
  schemaIssues: readonly SchemaIssue[]
}

export type RawFinding = Omit<Finding, 'rule' | 'severity'>

export interface RuleDef {
  id: string
  severity: Severity
  summary: string
  run(ctx: RuleContext): RawFinding[]
}

const isTrue = (v: unknown) => v === true || (typeof v === 'string' && /^(true|yes|on|y)$/i.test(v))

/** Effective queue retention (§8): absent or ≤ 0 ⇒ 60 s, at most 3600 s. */
export function retentionOf(data: Record<string, unknown>): {configured: unknown; effective: number} {
  const v = data['redis-usage-queue-retention-seconds']
  const effective = typeof v === 'number' && Number.isInteger(v) && v > 0 ? Math.min(v, 3600) : 60
  return {configured: v, effective}
}

function entriesOf(data: Record<string, unknown>, family: string): Array<{entry: Record<string, unknown>; index: number}> {
  const list = data[family]
  if (!Array.isArray(list)) return []
  return list.flatMap((entry, index) => (isPlainObject(entry) ? [{entry, index}] : []))
}

const nonEmptyString = (v: unknown) => typeof v === 'string' && v.trim() !== ''

/** Every credential weight of the provider lists (openai-compatibility: per api-key entry). */
function eachWeight(data: Record<string, unknown>, visit: (parts: PathPart[], weight: unknown) => void): void {
  for (const family of PROVIDER_LIST_KEYS) {
    for (const {entry, index} of entriesOf(data, family)) {
      if ('weight' in entry) visit([family, index, 'weight'], entry.weight)
      if (family === 'openai-compatibility' && Array.isArray(entry['api-key-entries'])) {
        ;(entry['api-key-entries'] as unknown[]).forEach((k, ki) => {
          if (isPlainObject(k) && 'weight' in k) visit([family, index, 'api-key-entries', ki, 'weight'], k.weight)
        })
      }
    }
  }
}

export const RULES: readonly RuleDef[] = [
  {
    id: 'invalid-value',
    severity: 'error',
    summary: 'A known key has a value of the wrong type; the gateway refuses the whole file (422 invalid_config).',
    run: (ctx) =>
      ctx.schemaIssues.map((i) => ({
        path: i.path,
        message: i.message,
        fix: `give ${i.path} a value of the right type`,
      })),
  },
  {
    id: 'unknown-key',
    severity: 'warning',
    summary: 'A key the gateway does not know (often a typo); it is kept, but the gateway ignores it.',
    run(ctx) {
      const out: RawFinding[] = []
      for (const key of Object.keys(ctx.data)) {
        if (isKnownTopLevelKey(key) || ctx.extraKnownKeys.includes(key)) continue
        const close = closest(key, KNOWN_TOP_LEVEL_KEYS)
        out.push({
          path: key,
          message: `unknown top-level key '${key}'${close ? ` (did you mean '${close}'?)` : ''}; the gateway ignores it`,
          fix: close ? `rename it to '${close}'` : `remove it, or list it under known-keys in the rules file if it is intended`,
        })
      }
      for (const [parent, known] of Object.entries(KNOWN_NESTED_KEYS)) {
        const map = ctx.data[parent]
        if (!isPlainObject(map)) continue
        for (const key of Object.keys(map)) {
          if (known.includes(key)) continue
          const close = closest(key, known)
          out.push({
            path: `${parent}.${key}`,
            message: `unknown key '${key}' under ${parent}${close ? ` (did you mean '${close}'?)` : ''}; the gateway ignores it`,
            fix: close ? `rename it to '${close}'` : `remove it`,
          })
        }
      }
      return out
    },
  },
  {
    id: 'usage-publishing-off',
    severity: 'error',
    summary: 'usage-statistics-enabled is not true, so the gateway publishes no usage records (§5.4, §13.1).',
    run(ctx) {
      const v = ctx.data['usage-statistics-enabled']
      if (isTrue(v)) return []
      return [
        {
          path: 'usage-statistics-enabled',
          message: v === undefined ? 'usage publishing is off (usage-statistics-enabled is absent; it defaults to false): the usage queue stays empty and nothing can be collected' : `usage publishing is off (usage-statistics-enabled: ${JSON.stringify(v)}): the usage queue stays empty and nothing can be collected`,
          fix: 'set usage-statistics-enabled: true (or: cpactl config set usage-statistics-enabled true)',
        },
      ]
    },
  },
  {
    id: 'retention-shorter-than-interval',
    severity: 'error',
    summary: 'Queue records expire before the next collection run picks them up (§8, §13.4).',
    run(ctx) {
      const {configured, effective} = retentionOf(ctx.data)
      const interval = ctx.thresholds.collectionIntervalSeconds
      if (effective >= interval) return []
      return [
        {
          path: 'redis-usage-queue-retention-seconds',
          message: `queue retention is ${effective}s${configured === undefined ? ' (default)' : ''} but collection runs every ${interval}s: records expire before they are collected`,
          fix: `set redis-usage-queue-retention-seconds to at least ${Math.min(3600, interval * 2)} (max 3600), or collect more often`,
        },
      ]
    },
  },
  {
    id: 'retention-headroom',
    severity: 'warning',
    summary: 'Queue retention is under two collection intervals: one late or failed run loses records (§13.4).',
    run(ctx) {
      const {effective} = retentionOf(ctx.data)
      const interval = ctx.thresholds.collectionIntervalSeconds
      if (effective < interval || effective >= interval * 2 || effective >= 3600) return []
      return [
        {
          path: 'redis-usage-queue-retention-seconds',
          message: `queue retention is ${effective}s, less than two collection intervals (${interval}s): a late or failed run loses records`,
          fix: `set redis-usage-queue-retention-seconds to ${Math.min(3600, interval * 2)} or more`,
        },
      ]
    },
  },
  {
    id: 'retention-out-of-range',
    severity: 'warning',
    summary: 'Retention ≤ 0 means 60 s and values above 3600 are clamped to 3600 (§8).',
    run(ctx) {
      const v = ctx.data['redis-usage-queue-retention-seconds']
      if (typeof v !== 'number' || !Number.isInteger(v)) return []
      if (v <= 0) return [{path: 'redis-usage-queue-retention-seconds', message: `retention ${v} is not positive; the gateway uses 60 seconds`, fix: 'set a value between 60 and 3600'}]
      if (v > 3600) return [{path: 'redis-usage-queue-retention-seconds', message: `retention ${v} is above the maximum; the gateway uses 3600 seconds`, fix: 'set a value of at most 3600'}]
      return []
    },
  },
  {
    id: 'remote-without-tls',
    severity: 'error',
    summary: 'Remote management is allowed while TLS is off: the management key crosses the network in clear text (§1.3, §8).',
    run(ctx) {
      if (!isTrue(getAt(ctx.data, ['remote-management', 'allow-remote']))) return []
      if (isTrue(getAt(ctx.data, ['tls', 'enable']))) return []
      return [
        {
          path: 'remote-management.allow-remote',
          message: 'allow-remote is on but tls.enable is not: the management key and credentials travel unencrypted',
          fix: 'set tls.enable: true with tls.cert and tls.key, or set allow-remote: false and manage from the gateway host',
        },
      ]
    },
  },
  {
    id: 'example-api-keys',
    severity: 'error',
    summary: 'The example client keys your-api-key-* are present; the gateway refuses all proxy traffic (§2.2).',
    run(ctx) {
      const keys = ctx.data['api-keys']
      if (!Array.isArray(keys)) return []
      return keys.flatMap((k, i) =>
        typeof k === 'string' && /^your-api-key-/i.test(k.trim())
          ? [
              {
                path: formatPath(['api-keys', i]),
                message: `example client key '${k.trim()}': while it is present the gateway answers every proxy request with 403 unsafe_example_api_key`,
                fix: 'replace it with a generated key (cpactl api-keys add prints one) and remove the examples',
              },
            ]
          : [],
      )
    },
  },
  {
    id: 'plaintext-secret-key',
    severity: 'error',
    summary: 'remote-management.secret-key is plaintext instead of a bcrypt hash (§1.4): the management key is in the file.',
    run(ctx) {
      const v = getAt(ctx.data, ['remote-management', 'secret-key'])
      if (typeof v !== 'string' || v.trim() === '' || /^\$2[aby]\$/.test(v.trim())) return []
      return [
        {
          path: 'remote-management.secret-key',
          message: 'secret-key is plaintext: anyone who can read this file (or its git history) has the management key',
          fix: "commit the bcrypt hash the gateway writes back (cpactl config show --reveal shows it), or keep the key out of the file and set MANAGEMENT_PASSWORD on the gateway",
        },
      ]
    },
  },
  {
    id: 'empty-secret-key',
    severity: 'error',
    summary: 'remote-management.secret-key is empty: the management API and the usage queue are off (§1.1, §8).',
    run(ctx) {
      const v = getAt(ctx.data, ['remote-management', 'secret-key'])
      if (typeof v !== 'string' || v.trim() !== '') return []
      return [
        {
          path: 'remote-management.secret-key',
          message: 'secret-key is empty: the gateway switches the management API off (every /v0/management and /v8/management call answers 404) and publishes no usage records, unless MANAGEMENT_PASSWORD is set on the gateway',
          fix: 'set secret-key (the gateway bcrypt-hashes a plaintext value on load), or set MANAGEMENT_PASSWORD in the gateway environment',
        },
      ]
    },
  },
  {
    id: 'duplicate-api-keys',
    severity: 'warning',
    summary: 'The same client key is listed twice; removing one by value removes both (§3.2).',
    run(ctx) {
      const keys = ctx.data['api-keys']
      if (!Array.isArray(keys)) return []
      const first = new Map<string, number>()
      const out: RawFinding[] = []
      keys.forEach((k, i) => {
        if (typeof k !== 'string' || k.trim() === '') return
        const t = k.trim()
        const seen = first.get(t)
        if (seen === undefined) first.set(t, i)
        else
          out.push({
            path: formatPath(['api-keys', i]),
            message: `client key at api-keys[${i}] duplicates api-keys[${seen}]`,
            fix: `remove api-keys[${i}]`,
          })
      })
      return out
    },
  },
  {
    id: 'missing-base-url',
    severity: 'error',
    summary: 'codex / xai / openai-compatibility entries without base-url are dropped silently by the gateway (§3.3, §13.19).',
    run(ctx) {
      const out: RawFinding[] = []
      for (const family of BASE_URL_REQUIRED) {
        for (const {entry, index} of entriesOf(ctx.data, family)) {
          if (nonEmptyString(entry['base-url'])) continue
          const label = family === 'openai-compatibility' && nonEmptyString(entry.name) ? ` ('${String(entry.name)}')` : ''
          out.push({
            path: formatPath([family, index]),
            message: `${family}[${index}]${label} has no base-url: the gateway drops this entry without an error`,
            fix: `add base-url to ${family}[${index}]`,
          })
        }
      }
      return out
    },
  },
  {
    id: 'weight-out-of-range',
    severity: 'error',
    summary: 'Weights go up to 1,000,000; 0 and negative values are valid (§3.3 corrected, §8).',
    run(ctx) {
      const {weightMax} = ctx.thresholds
      const out: RawFinding[] = []
      eachWeight(ctx.data, (parts, w) => {
        // a non-integer is a type error (invalid-value); 0 and below are valid (weight-parked)
        if (typeof w !== 'number' || !Number.isInteger(w) || w <= weightMax) return
        out.push({
          path: formatPath(parts),
          message: `weight ${w} is above ${weightMax.toLocaleString('en-US')}`,
          fix: `use an integer up to ${weightMax} (0 or less parks the key under weighted round-robin), or remove weight`,
        })
      })
      return out
    },
  },
  {
    id: 'weight-parked',
    severity: 'warning',
    summary: 'A weight of 0 or less takes the key out of weighted round-robin; it matters only while routing.strategy is weighted-round-robin (§3.3 corrected).',
    run(ctx) {
      const strategy = getAt(ctx.data, ['routing', 'strategy'])
      if (typeof strategy !== 'string' || ROUTING_STRATEGIES[strategy.trim().toLowerCase()] !== 'weighted-round-robin') return []
      const out: RawFinding[] = []
      eachWeight(ctx.data, (parts, w) => {
        if (typeof w !== 'number' || !Number.isInteger(w) || w >= ctx.thresholds.weightMin) return
        out.push({
          path: formatPath(parts),
          message: `weight ${w}: with routing.strategy weighted-round-robin this key receives no traffic`,
          fix: 'raise the weight if the key should serve requests; leave it if parking it is intended',
        })
      })
      return out
    },
  },
  {
    id: 'unknown-routing-strategy',
    severity: 'error',
    summary: 'routing.strategy must be round-robin, weighted-round-robin or fill-first (or their aliases) (§3.1).',
    run(ctx) {
      const v = getAt(ctx.data, ['routing', 'strategy'])
      if (v === undefined || v === null) return []
      if (typeof v === 'string' && ROUTING_STRATEGIES[v.trim().toLowerCase()] !== undefined) return []
      return [
        {
          path: 'routing.strategy',
          message: `unknown routing strategy ${JSON.stringify(v)}`,
          fix: 'use round-robin, weighted-round-robin or fill-first',
        },
      ]
    },
  },
]

export const RULE_IDS: readonly string[] = RULES.map((r) => r.id)

/** Levenshtein distance, for "did you mean" on unknown keys. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0
  const dp = Array.from({length: b.length + 1}, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0]
    dp[0] = i
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j]
      dp[j] = Math.min(dp[j] + 1, dp[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1))
      prev = tmp
    }
  }
  return dp[b.length]
}

/** The known key closest to a typo (distance ≤ 2, or same text ignoring case and `_`/`-`), else undefined. */
export function closest(key: string, known: readonly string[]): string | undefined {
  const norm = (k: string) => k.toLowerCase().replaceAll('_', '-')
  let best: {k: string; d: number} | undefined
  for (const k of known) {
    const d = norm(k) === norm(key) ? 0 : editDistance(norm(k), norm(key))
    if (d <= 2 && (best === undefined || d < best.d)) best = {k, d}
  }
  return best?.k
}
