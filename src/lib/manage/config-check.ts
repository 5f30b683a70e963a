/**
 * `cpactl config check`: lint a config file, or the live config, with the rules of config-rules.ts.
 *
 * Rules file (YAML or JSON), every part optional:
 *
 *   rules:                       # rule id → off | on | error | warning
 *     usage-publishing-off: off
 *     duplicate-api-keys: error
 *   thresholds:
 *     collection-interval: 5m    # how often `cpactl collect` runs (seconds or a duration); default 60s
 *     weight-min: 1
 *     weight-max: 1000000
 *   known-keys: [my-plugin-key]  # extra top-level keys that are not typos
 *
 * Result JSON: {"findings":[{"rule","severity","path","message","fix"}],"summary":{"errors","warnings"}}.
 */
import {parseDuration} from '../cli/duration.js'
import {UsageError} from '../cli/errors.js'
import type {GatewayClient} from '../gateway/client.js'
import {isPlainObject} from './config-path.js'
import {parseConfigText, readConfigFile} from './config-parse.js'
import {DEFAULT_THRESHOLDS, RULE_IDS, RULES, type Finding, type Severity, type Thresholds} from './config-rules.js'
import {validateConfigData} from './config-schema.js'

export interface CheckResult {
  findings: Finding[]
  summary: {errors: number; warnings: number}
}

export interface RuleSettings {
  /** Per rule: null = off, else the severity to report with. Missing = the rule's default. */
  severity: Record<string, Severity | null>
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
  const severity: Record<string, Severity | null> = {}
  if (raw.rules !== undefined && raw.rules !== null) {
    if (!isPlainObject(raw.rules)) throw bad(file, 'rules must be a mapping of rule id to off | on | error | warning')
    for (const [id, v] of Object.entries(raw.rules)) {
      const rule = RULES.find((r) => r.id === id)
      if (!rule) throw bad(file, `unknown rule '${id}' (known: ${RULE_IDS.join(', ')})`)
      const s = typeof v === 'string' ? v.trim().toLowerCase() : v
      if (s === false || s === 'off' || s === 'false' || s === 'disabled') severity[id] = null
      else if (s === true || s === 'on' || s === 'true' || s === 'enabled') severity[id] = rule.severity
      else if (s === 'error') severity[id] = 'error'
      else if (s === 'warning' || s === 'warn') severity[id] = 'warning'
      else throw bad(file, `rule '${id}': expected off, on, error or warning, not ${JSON.stringify(v)}`)
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

function summarize(findings: Finding[]): CheckResult {
  const order = (f: Finding) => (f.severity === 'error' ? 0 : 1) * 1000 + RULE_IDS.indexOf(f.rule)
  const sorted = [...findings].sort((a, b) => order(a) - order(b))
  return {
    findings: sorted,
    summary: {errors: sorted.filter((f) => f.severity === 'error').length, warnings: sorted.filter((f) => f.severity === 'warning').length},
  }
}

/** Check config text (a file's content or the live config.yaml). */
export async function checkConfigText(text: string, target: 'file' | 'live', settings: RuleSettings = DEFAULT_RULE_SETTINGS): Promise<CheckResult> {
  const parsed = await parseConfigText(text, target)
  if (parsed.data === null) {
    // nothing else can be judged in a file that does not parse
    return summarize(
      parsed.syntaxErrors.map((e) => ({
        rule: 'invalid-yaml',
        severity: 'error' as const,
        path: e.line ? `(line ${e.line})` : '(file)',
        message: e.message,
        fix: 'fix the YAML syntax; the gateway answers 400 invalid_yaml to this file',
      })),
    )
  }
  const schemaIssues = await validateConfigData(parsed.data)
  const findings: Finding[] = []
  for (const rule of RULES) {
    const severity = Object.hasOwn(settings.severity, rule.id) ? settings.severity[rule.id] : rule.severity
    if (severity === null) continue
    for (const f of rule.run({data: parsed.data, target, thresholds: settings.thresholds, extraKnownKeys: settings.extraKnownKeys, schemaIssues})) {
      findings.push({rule: rule.id, severity, ...f})
    }
  }
  return summarize(findings)
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
