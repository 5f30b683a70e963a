/**
 * `config check` rules: the config mistakes operators actually make (issue 6). Each rule looks at decoded
 * config data and returns findings with a path, a message and a fix. Severities and thresholds can be
 * changed by a rules file (check.ts). Facts behind each rule are cited from cpa-gateway.md.
 */
import {formatPath, getAt, isPlainObject, type PathPart} from './path.js'
import {
  clientKeyRules,
  collectorRules,
  plaintextSecretRule,
  remoteTlsRule,
  unknownStrategyRule,
  weightRules,
  type RawFinding,
  type RuleDef as KitRuleDef,
  type Thresholds,
} from './rule-kit.js'
import {BASE_URL_REQUIRED, isKnownTopLevelKey, KNOWN_NESTED_KEYS, KNOWN_TOP_LEVEL_KEYS, PROVIDER_LIST_KEYS, type SchemaIssue} from './schema.js'
import {closest} from './similar.js'

export type {Thresholds} from './rule-kit.js'

export interface RuleContext {
  data: Record<string, unknown>
  /** 'file' for a local file, 'live' for the gateway's current config. */
  target: 'file' | 'live'
  thresholds: Thresholds
  /** Extra top-level keys the rules file declares as known (plugins, newer gateways). */
  extraKnownKeys: readonly string[]
  /** Schema problems, computed once (schema.ts). */
  schemaIssues: readonly SchemaIssue[]
}

export type RuleDef<C = RuleContext> = KitRuleDef<C>

function entriesOf(data: Record<string, unknown>, family: string): Array<{entry: Record<string, unknown>; index: number}> {
  const list = data[family]
  if (!Array.isArray(list)) return []
  return list.flatMap((entry, index) => (isPlainObject(entry) ? [{entry, index}] : []))
}

const nonEmptyString = (v: unknown) => typeof v === 'string' && v.trim() !== ''

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
  ...collectorRules<RuleContext>({
    enabled: ['usage-statistics-enabled'],
    retention: ['redis-usage-queue-retention-seconds'],
    collecting: () => true,
    publishingSeverity: 'error',
    enableHint: 'cpactl config set usage-statistics-enabled true',
  }),
  remoteTlsRule<RuleContext>(['remote-management', 'allow-remote'], ['tls', 'enable']),
  ...clientKeyRules<RuleContext>(['api-keys'], 'error'),
  plaintextSecretRule<RuleContext>(['remote-management', 'secret-key'], 'error', 'cpactl config show --reveal'),
  {
    id: 'empty-secret-key',
    severity: 'error',
    summary: 'remote-management.secret-key is empty: the management API and the usage queue are off.',
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
    id: 'missing-base-url',
    severity: 'error',
    summary: 'codex / xai / openai-compatibility entries without base-url are dropped silently by the gateway.',
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
  ...weightRules<RuleContext>(eachWeight, {
    skipFractions: true,
    summary: 'Weights must be integers of at most 1,000,000; the gateway refuses the whole file otherwise.',
    fix: 'or remove weight',
  }),
  unknownStrategyRule<RuleContext>(),
  {
    id: 'legacy-layout',
    severity: 'info',
    summary: 'A legacy (v7) layout file: a v8 gateway loads it and rewrites it to the v8 layout on its first v8 write.',
    run(ctx) {
      if (ctx.target !== 'file') return []
      return [
        {
          path: '(file)',
          message: 'legacy (v7) layout: a v8 gateway still loads it, and rewrites it to the v8 layout on its first /v8/management write (any write, even a plugin or credential change)',
          fix: 'preview the v8 layout with cpactl config migrate FILE (write it with -o FILE)',
        },
      ]
    },
  },
]

export const RULE_IDS: readonly string[] = RULES.map((r) => r.id)

/** Every weight in a legacy file: provider-key entries and openai-compatibility api-key-entries. */
function eachWeight(data: Record<string, unknown>, fn: (parts: PathPart[], w: unknown) => void): void {
  for (const family of PROVIDER_LIST_KEYS) {
    for (const {entry, index} of entriesOf(data, family)) {
      if (family !== 'openai-compatibility') fn([family, index, 'weight'], entry.weight)
      else if (Array.isArray(entry['api-key-entries'])) {
        ;(entry['api-key-entries'] as unknown[]).forEach((k, ki) => {
          if (isPlainObject(k)) fn([family, index, 'api-key-entries', ki, 'weight'], k.weight)
        })
      }
    }
  }
}
