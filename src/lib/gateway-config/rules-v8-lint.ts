/**
 * The v8 lint warnings (values the gateway accepts but ignores, clamps or drops) and the
 * cpactl rules about collecting usage and keeping the management key safe, on v8 paths.
 */
import {isIP} from 'node:net'

import {formatPath, getAt, isPlainObject, type PathPart} from './path.js'
import {clientKeyRules, collectorRules, plaintextSecretRule, remoteTlsRule, type RawFinding} from './rule-kit.js'
import {eachGroup, eachKey, type V8Rule, type V8RuleContext} from './v8-context.js'
import {specAt} from './v8-schema.js'
import {BASE_URL_REQUIRED_PROVIDERS, GO_DURATION, SCOPED_ERROR_ACTIONS} from './v8-spec.js'

const SECRET = ['management', 'secret-key']

const text = (v: unknown) => (typeof v === 'string' ? v.trim() : v === undefined || v === null ? '' : String(v))
/** A key's own value, or its group's when the key leaves it out or sets null (the gateway's inheritance rule). */
const inherited = (key: Record<string, unknown>, group: Record<string, unknown>, field: string) => (key[field] === undefined || key[field] === null ? group[field] : key[field])

function isIpOrCidr(v: string): boolean {
  const [addr, bits, extra] = v.split('/')
  if (extra !== undefined || isIP(addr) === 0) return false
  if (bits === undefined) return true
  const n = Number(bits)
  return /^\d+$/.test(bits) && n <= (isIP(addr) === 4 ? 32 : 128)
}

/** Every request-scoped-errors list: per OAuth channel, per group, per key. */
function eachScopedRule(data: Record<string, unknown>, fn: (parts: PathPart[], rule: unknown) => void): void {
  const byChannel = getAt(data, ['oauth', 'request-scoped-errors'])
  if (isPlainObject(byChannel)) {
    for (const [ch, rules] of Object.entries(byChannel)) if (Array.isArray(rules)) rules.forEach((r, i) => fn(['oauth', 'request-scoped-errors', ch, i], r))
  }
  eachGroup(data, (parts, group) => {
    if (Array.isArray(group['request-scoped-errors'])) group['request-scoped-errors'].forEach((r, i) => fn([...parts, 'request-scoped-errors', i], r))
  })
  eachKey(data, (parts, key) => {
    if (Array.isArray(key['request-scoped-errors'])) key['request-scoped-errors'].forEach((r, i) => fn([...parts, 'request-scoped-errors', i], r))
  })
}

export const V8_LINT_RULES: readonly V8Rule[] = [
  ...collectorRules<V8RuleContext>({
    enabled: ['observability', 'usage', 'usage-statistics-enabled'],
    retention: ['observability', 'usage', 'redis-usage-queue-retention-seconds'],
    collecting: (ctx) => ctx.collectorConfigured,
    publishingSeverity: 'warning',
    enableHint: 'cpactl usage enable',
  }),
  remoteTlsRule<V8RuleContext>(['management', 'allow-remote'], ['server', 'tls', 'enable']),
  plaintextSecretRule<V8RuleContext>(['management', 'secret-key'], 'warning', 'cpactl config get management.secret-key --reveal'),
  {
    id: 'management-off',
    severity: 'warning',
    summary: 'An empty or absent management.secret-key switches the management API off (404 on /v0 and /v8) unless MANAGEMENT_PASSWORD is set.',
    run(ctx) {
      if (text(getAt(ctx.data, SECRET)) !== '') return []
      return [{path: 'management.secret-key', message: 'no management secret-key: /v0 and /v8 management answer 404 (and no usage is published) unless the gateway has MANAGEMENT_PASSWORD or a local password', fix: 'set management.secret-key (its bcrypt hash), or MANAGEMENT_PASSWORD in the gateway environment'}]
    },
  },
  ...clientKeyRules<V8RuleContext>(['access', 'api-keys'], 'warning'),
  {
    id: 'missing-base-url',
    severity: 'warning',
    summary: 'codex, xai and openai-compatibility groups without base-url are dropped silently.',
    run(ctx) {
      const out: RawFinding[] = []
      eachGroup(ctx.data, (parts, group, provider) => {
        if (!BASE_URL_REQUIRED_PROVIDERS.includes(provider) || text(group['base-url']) !== '') return
        const label = typeof group.name === 'string' && group.name !== '' ? ` ('${group.name}')` : ''
        out.push({path: formatPath(parts), message: `${formatPath(parts)}${label} has no base-url: the gateway drops this group and its keys without an error`, fix: `add base-url to ${formatPath(parts)}`})
      })
      return out
    },
  },
  {
    id: 'dropped-key',
    severity: 'warning',
    summary: 'Keys the gateway drops silently: gemini/interactions with neither api-key nor base-url, meta keys empty or starting with dca:, vertex keys without api-key.',
    run(ctx) {
      const out: RawFinding[] = []
      eachKey(ctx.data, (parts, key, group, provider) => {
        const apiKey = text(key['api-key'])
        let why: string | null = null
        if ((provider === 'gemini' || provider === 'interactions') && apiKey === '' && text(inherited(key, group, 'base-url')) === '') why = 'has neither api-key nor base-url'
        else if (provider === 'meta' && (apiKey === '' || apiKey.startsWith('dca:'))) why = apiKey === '' ? 'has an empty api-key' : "has an api-key starting with 'dca:'"
        else if (provider === 'vertex' && apiKey === '') why = 'has no api-key'
        if (why) out.push({path: formatPath(parts), message: `${formatPath(parts)} ${why}: the gateway drops this key without an error`, fix: 'give it a usable api-key, or remove it'})
      })
      return out
    },
  },
  {
    id: 'scoped-error-rule',
    severity: 'warning',
    summary: 'A request-scoped-errors rule without a status or a pattern, or with an unknown action, is ignored.',
    run(ctx) {
      const out: RawFinding[] = []
      eachScopedRule(ctx.data, (parts, rule) => {
        if (!isPlainObject(rule)) return
        const hasPattern = ['match', 'match-regexr'].some((f) => Array.isArray(rule[f]) && (rule[f] as unknown[]).length > 0)
        const hasStatus = rule.status !== undefined && rule.status !== null && rule.status !== 0 && !(Array.isArray(rule.status) && rule.status.length === 0)
        if (!hasStatus && !hasPattern) out.push({path: formatPath(parts), message: 'this rule has neither a status nor a pattern: the gateway ignores it', fix: 'add status and/or match / match-regexr'})
        const action = rule.action
        if (action !== undefined && action !== null && !(SCOPED_ERROR_ACTIONS as readonly unknown[]).includes(action)) {
          out.push({path: formatPath([...parts, 'action']), message: `unknown action ${JSON.stringify(action)}: the gateway ignores this rule`, fix: `use one of ${SCOPED_ERROR_ACTIONS.join(', ')}`})
        }
      })
      return out
    },
  },
  {
    id: 'invalid-raw-json',
    severity: 'warning',
    summary: 'requests.payload default-raw / override-raw params must be valid JSON; the rule is dropped otherwise.',
    run(ctx) {
      const out: RawFinding[] = []
      for (const section of ['default-raw', 'override-raw']) {
        const rules = getAt(ctx.data, ['requests', 'payload', section])
        if (!Array.isArray(rules)) continue
        rules.forEach((rule, i) => {
          const params = isPlainObject(rule) ? rule.params : undefined
          if (!isPlainObject(params)) return
          for (const [name, raw] of Object.entries(params)) {
            let ok = typeof raw === 'string'
            if (ok) {
              try {
                JSON.parse(raw as string)
              } catch {
                ok = false
              }
            }
            if (!ok) out.push({path: formatPath(['requests', 'payload', section, i, 'params', name]), message: `${JSON.stringify(raw)} is not a JSON text: the gateway drops this ${section} rule`, fix: 'write the value as JSON text, e.g. \'{"a":1}\' or \'"low"\''})
          }
        })
      }
      return out
    },
  },
  {
    id: 'image-model',
    severity: 'warning',
    summary: 'multimedia.gpt-image-2-base-model must start with gpt-; the default is used otherwise.',
    run(ctx) {
      const v = getAt(ctx.data, ['multimedia', 'gpt-image-2-base-model'])
      if (v === undefined || v === null || text(v).startsWith('gpt-')) return []
      return [{path: 'multimedia.gpt-image-2-base-model', message: `${JSON.stringify(v)} does not start with gpt-: the gateway uses gpt-5.4-mini instead`, fix: 'use a gpt-… model name'}]
    },
  },
  {
    id: 'prefix-slash',
    severity: 'warning',
    summary: 'A prefix that still contains / after trimming is ignored.',
    run(ctx) {
      const out: RawFinding[] = []
      const check = (parts: PathPart[], v: unknown) => {
        if (typeof v === 'string' && v.trim().replace(/^\/+|\/+$/g, '').includes('/')) out.push({path: formatPath([...parts, 'prefix']), message: `prefix ${JSON.stringify(v)} contains '/': the gateway ignores it`, fix: 'use a single segment such as team-a'})
      }
      eachGroup(ctx.data, (parts, group) => check(parts, group.prefix))
      eachKey(ctx.data, (parts, key) => check(parts, key.prefix))
      return out
    },
  },
  {
    id: 'trusted-proxies',
    severity: 'warning',
    summary: 'server.trusted-proxies entries must be IPs or CIDRs (whether the gateway then fails or trusts no proxy is UNKNOWN).',
    run(ctx) {
      const list = getAt(ctx.data, ['server', 'trusted-proxies'])
      if (!Array.isArray(list)) return []
      return list.flatMap((v, i) =>
        typeof v === 'string' && isIpOrCidr(v.trim()) ? [] : [{path: formatPath(['server', 'trusted-proxies', i]), message: `${JSON.stringify(v)} is not an IP address or CIDR`, fix: 'list proxy addresses such as 127.0.0.1 or 10.0.0.0/8'}],
      )
    },
  },
  {
    id: 'value-format',
    severity: 'warning',
    summary: 'Durations that are not Go durations (30s, 1h), and fractions in integer fields (the gateway truncates them).',
    run(ctx) {
      const out: RawFinding[] = []
      const walk = (v: unknown, parts: PathPart[]) => {
        if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...parts, i]))
        else if (isPlainObject(v)) for (const [k, x] of Object.entries(v)) walk(x, [...parts, k])
        else {
          const hit = specAt(parts)
          if (!hit || hit.open) return
          if (hit.spec.kind === 'duration' && typeof v === 'string' && !GO_DURATION.test(v.trim())) out.push({path: formatPath(parts), message: `${JSON.stringify(v)} is not a Go duration`, fix: 'write it like 250ms, 30s, 5m or 1h'})
          if (hit.spec.kind === 'int' && typeof v === 'number' && !Number.isInteger(v) && parts.at(-1) !== 'weight') out.push({path: formatPath(parts), message: `${v} is not an integer: the gateway truncates it to ${Math.trunc(v)}`, fix: `write ${Math.trunc(v)}`})
        }
      }
      walk(ctx.data, [])
      return out
    },
  },
]
