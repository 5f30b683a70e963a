/**
 * `cpactl config check`: lint a config file, or the live config. The layout decides the rule set: a legacy
 * (v7) file gets the rules of rules.ts plus an info finding about its v8 migration; a v8 or mixed file
 * (layout.ts) gets the v8 schema and the v8 lint rules (rules-v8.ts), on
 * the document as the gateway loads it, with v8 dotted paths.
 *
 * Rules file (YAML or JSON), every part optional:
 *
 *   rules:                       # rule id → off | on | error | warning | info
 *     usage-publishing-off: off
 *     duplicate-api-keys: error
 *   thresholds:
 *     collection-interval: 5m    # how often `cpactl collect` runs (seconds or a duration); default 60s
 *     weight-min: 1
 *     weight-max: 1000000
 *   known-keys: [my-plugin-key]  # extra top-level keys that are not typos
 *
 * Result JSON: {"layout","findings":[{"rule","severity","path","message","fix"}],"summary":{"errors","warnings","info"}}.
 */
import {parseDuration} from '../time/duration.js'
import {UsageError} from '../cli/errors.js'
import type {GatewayClient} from '../gateway/client.js'
import {hasAt, isPlainObject} from './path.js'
import {parseConfigText, readConfigFile, type ParsedConfig} from './parse.js'
import {detectLayout, type ConfigLayout} from './layout.js'
import {DEFAULT_THRESHOLDS, type Finding, type RawFinding, type RuleDef, type Severity, type Thresholds} from './rule-kit.js'
import {RULE_IDS, RULES} from './rules.js'
import {V8_RULE_IDS, V8_RULES} from './rules-v8.js'
import {validateConfigData} from './schema.js'

export interface CheckResult {
  /** The layout the file was checked as (null when it could not be parsed). */
  layout: ConfigLayout | null
  findings: Finding[]
  summary: {errors: number; warnings: number; info: number}
}

/** Rule ids a rules file may name: both layouts' rules. */
export const ALL_RULE_IDS: readonly string[] = [...new Set([...RULE_IDS, ...V8_RULE_IDS])]

export interface RuleSettings {
  /** Per rule: null = off, 'default' = on at the rule's own severity, else the severity to report with. Missing = default. */
  severity: Record<string, Severity | 'default' | null>
  thresholds: Thresholds
  extraKnownKeys: string[]
}

export const DEFAULT_RULE_SETTINGS: RuleSettings = {severity: {}, thresholds: DEFAULT_THRESHOLDS, extraKnownKeys: []}

function bad(file: string, what: string): UsageError {
  return new UsageError(`rules file ${file}: ${what}`, {code: 'invalid_rules'})
}

/** Parse a rules file's text. Unknown sections, rule ids or values are usage errors (exit 2). */
export async function parseRulesText(text: string, file: string): Promise<RuleSettings> {
  const YAML = await import('yaml')
  let raw: unknown
  try {
    raw = YAML.parse(text)
  } catch (error) {
    throw bad(file, (error as Error).message.split('\n')[0])
  }
  if (raw === null || raw === undefined) return {...DEFAULT_RULE_SETTINGS, severity: {}, extraKnownKeys: []}
  if (!isPlainObject(raw)) throw bad(file, 'expected a mapping with rules, thresholds and known-keys')
  for (const key of Object.keys(raw)) {
    if (!['rules', 'thresholds', 'known-keys'].includes(key)) throw bad(file, `unknown section '${key}' (expected rules, thresholds, known-keys)`)
  }
  const severity: Record<string, Severity | 'default' | null> = {}
  if (raw.rules !== undefined && raw.rules !== null) {
    if (!isPlainObject(raw.rules)) throw bad(file, 'rules must be a mapping of rule id to off | on | error | warning | info')
    for (const [id, v] of Object.entries(raw.rules)) {
      if (!ALL_RULE_IDS.includes(id)) throw bad(file, `unknown rule '${id}' (known: ${ALL_RULE_IDS.join(', ')})`)
      const s = typeof v === 'string' ? v.trim().toLowerCase() : v
      if (s === false || s === 'off' || s === 'false' || s === 'disabled') severity[id] = null
      else if (s === true || s === 'on' || s === 'true' || s === 'enabled') severity[id] = 'default'
      else if (s === 'error') severity[id] = 'error'
      else if (s === 'warning' || s === 'warn') severity[id] = 'warning'
      else if (s === 'info') severity[id] = 'info'
      else throw bad(file, `rule '${id}': expected off, on, error, warning or info, not ${JSON.stringify(v)}`)
    }
  }
  const thresholds: Thresholds = {...DEFAULT_THRESHOLDS}
  if (raw.thresholds !== undefined && raw.thresholds !== null) {
    if (!isPlainObject(raw.thresholds)) throw bad(file, 'thresholds must be a mapping')
    for (const [k, v] of Object.entries(raw.thresholds)) {
      if (k === 'collection-interval') {
        let seconds: number
        if (typeof v === 'number' && v > 0) seconds = v
        else if (typeof v === 'string') {
          try {
            seconds = parseDuration(v, 'collection-interval') / 1000
          } catch {
            throw bad(file, `collection-interval: expected seconds or a duration like 5m, not ${JSON.stringify(v)}`)
          }
        } else throw bad(file, `collection-interval: expected seconds or a duration like 5m, not ${JSON.stringify(v)}`)
        if (!(seconds > 0)) throw bad(file, 'collection-interval must be positive')
        thresholds.collectionIntervalSeconds = seconds
        thresholds.collectionIntervalSet = true
      } else if (k === 'weight-min' || k === 'weight-max') {
        if (typeof v !== 'number' || !Number.isInteger(v)) throw bad(file, `${k} must be an integer`)
        if (k === 'weight-min') thresholds.weightMin = v
        else thresholds.weightMax = v
      } else throw bad(file, `unknown threshold '${k}' (expected collection-interval, weight-min, weight-max)`)
    }
    if (thresholds.weightMin > thresholds.weightMax) throw bad(file, 'weight-min is larger than weight-max')
  }
  let extraKnownKeys: string[] = []
  if (raw['known-keys'] !== undefined && raw['known-keys'] !== null) {
    const k = raw['known-keys']
    if (!Array.isArray(k) || !k.every((x) => typeof x === 'string')) throw bad(file, 'known-keys must be a list of key names')
    extraKnownKeys = k as string[]
  }
  return {severity, thresholds, extraKnownKeys}
}

export async function loadRulesFile(file: string): Promise<RuleSettings> {
  return parseRulesText(readConfigFile(file), file)
}

const SEVERITY_ORDER: Record<Severity, number> = {error: 0, warning: 1, info: 2}

function summarize(layout: ConfigLayout | null, findings: Finding[]): CheckResult {
  const ids = layout === 'legacy' ? RULE_IDS : V8_RULE_IDS
  const order = (f: Finding) => SEVERITY_ORDER[f.severity] * 1000 + Math.max(0, ids.indexOf(f.rule))
  const sorted = [...findings].sort((a, b) => order(a) - order(b))
  const count = (s: Severity) => sorted.filter((f) => f.severity === s).length
  return {layout, findings: sorted, summary: {errors: count('error'), warnings: count('warning'), info: count('info')}}
}

/** Run rules with the settings' severities: a rule's own, a finding's override, or the rules file's. */
function runRules<C>(rules: readonly RuleDef<C>[], ctx: C, settings: RuleSettings, annotate: (f: RawFinding, rule: string) => RawFinding = (f) => f): Finding[] {
  const out: Finding[] = []
  for (const rule of rules) {
    const configured = Object.hasOwn(settings.severity, rule.id) ? settings.severity[rule.id] : 'default'
    if (configured === null) continue
    for (const raw of rule.run(ctx)) {
      const {severity: own, ...f} = annotate(raw, rule.id)
      out.push({rule: rule.id, severity: configured === 'default' ? (own ?? rule.severity) : configured, ...f})
    }
  }
  return out
}

function yamlFindings(parsed: ParsedConfig): Finding[] {
  return parsed.syntaxErrors.map((e) => ({
    rule: 'invalid-yaml',
    severity: 'error' as const,
    path: e.line ? `(line ${e.line}${e.col ? `, column ${e.col}` : ''})` : '(file)',
    message: e.message,
    fix: /must be a YAML mapping/.test(e.message) ? 'write the config as key: value pairs at the top level' : 'fix the YAML; the gateway cannot load this file',
  }))
}

/** Check config text (a file's content or the live config.yaml). */
export async function checkConfigText(text: string, target: 'file' | 'live', settings: RuleSettings = DEFAULT_RULE_SETTINGS): Promise<CheckResult> {
  const parsed = await parseConfigText(text, target)
  // nothing else can be judged in a file that does not parse
  if (parsed.data === null) return summarize(null, yamlFindings(parsed))
  const {layout, marked} = detectLayout(parsed.data)
  if (layout === 'legacy') {
    const schemaIssues = await validateConfigData(parsed.data)
    return summarize(layout, runRules(RULES, {data: parsed.data, target, thresholds: settings.thresholds, extraKnownKeys: settings.extraKnownKeys, schemaIssues}, settings))
  }
  const [{migrateDocument}, {validateV8Data}] = await Promise.all([import('./migrate.js'), import('./v8-schema.js')])
  const migration = await migrateDocument(parsed.doc, text)
  // weights and config-version have rules of their own
  const issues = (await validateV8Data(migration.data)).filter((i) => i.kind !== 'weight' && i.path !== 'config-version')
  const collectorConfigured = target === 'live' || settings.thresholds.collectionIntervalSet || hasAt(migration.data, ['observability', 'usage', 'redis-usage-queue-retention-seconds'])
  const ctx = {data: migration.data, raw: parsed.data, migration, marked, target, thresholds: settings.thresholds, extraKnownKeys: settings.extraKnownKeys, issues, collectorConfigured}
  const findings = runRules(V8_RULES, ctx, settings, (f, rule) => (rule === 'legacy-key' ? f : {...f, message: f.message + originNote(f.path, migration.moved)}))
  const structural = migration.errors.filter((e) => !findings.some((f) => f.path === e.path)).map((e) => ({rule: 'invalid-value', severity: 'error' as const, path: e.path, message: e.message, fix: `make ${e.path} a mapping`}))
  return summarize(layout, [...structural, ...findings])
}

/** " (written as tls.enable)" for a finding on a value the file has under its legacy name. */
function originNote(path: string, moved: ReadonlyArray<{from: string; to: string}>): string {
  const m = moved.find((x) => path === x.to || path.startsWith(`${x.to}.`) || path.startsWith(`${x.to}[`))
  if (!m) return ''
  return /\]$/.test(m.from) ? ` (from legacy ${m.from})` : ` (written as ${m.from}${path.slice(m.to.length)})`
}

export interface CheckOptions {
  /** A local file; without it the live config is checked. */
  file?: string
  rulesFile?: string
}

/** `config check [FILE] [--rules FILE]`: rules file first (its errors are usage errors), then the target. */
export async function checkConfig(client: (() => Promise<GatewayClient>) | null, options: CheckOptions): Promise<CheckResult> {
  const settings = options.rulesFile ? await loadRulesFile(options.rulesFile) : DEFAULT_RULE_SETTINGS
  if (options.file) return checkConfigText(readConfigFile(options.file), 'file', settings)
  if (!client) throw new UsageError('no FILE given and no gateway to read the live config from')
  const {getConfigYaml} = await import('../gateway/config.js')
  return checkConfigText(await getConfigYaml(await client()), 'live', settings)
}

/** 0 clean, 1 when there are errors (or, with --strict, warnings). */
export function checkExitCode(result: CheckResult, strict: boolean): number {
  if (result.summary.errors > 0) return 1
  if (strict && result.summary.warnings > 0) return 1
  return 0
}
