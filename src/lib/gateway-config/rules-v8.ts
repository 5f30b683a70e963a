/**
 * `config check` rules for v8-layout (and mixed) files. Errors are what
 * the gateway rejects on load or on a v8 write; warnings what it accepts but ignores, clamps or drops; info is
 * worth knowing. Rules run on the document as the gateway loads it (legacy keys already at their v8 paths,
 * migrate.ts); paths are v8 dotted paths, and a finding on a value written under a legacy name says so.
 */
import {getAt, isPlainObject} from './path.js'
import {NO_V8_NAME, ROUTING_STRATEGIES} from '../gateway/config-keymap.js'
import {unknownStrategyRule, weightRules, type RawFinding} from './rule-kit.js'
import {V8_LINT_RULES} from './rules-v8-lint.js'
import {closest} from './similar.js'
import {eachKey, type V8Rule, type V8RuleContext} from './v8-context.js'
import {specAt, type V8Issue} from './v8-schema.js'

const issuesOf = (ctx: V8RuleContext, kind: V8Issue['kind']) => ctx.issues.filter((i) => i.kind === kind)

const V8_CORE_RULES: readonly V8Rule[] = [
  {
    id: 'config-version',
    severity: 'error',
    summary: 'config-version must be the integer 8 when present (else the gateway answers unsupported config-version).',
    run(ctx) {
      if (!Object.hasOwn(ctx.raw, 'config-version') || ctx.raw['config-version'] === 8) return []
      return [{path: 'config-version', message: `unsupported config-version (expected 8), found ${JSON.stringify(ctx.raw['config-version'])}`, fix: 'set config-version: 8 (an integer, not quoted)'}]
    },
  },
  {
    id: 'legacy-key',
    severity: 'error',
    summary: 'A legacy name in a v8 file: it loads as a mixed file but every v8 write rejects it.',
    run(ctx) {
      const severity = ctx.marked ? undefined : ('warning' as const)
      const out: RawFinding[] = ctx.migration.moved
        .filter((m) => !/\[\d+\]$/.test(m.from))
        .map((m) => ({
          path: m.from,
          severity,
          message: ctx.marked ? `legacy field ${m.from} is not accepted by v8; use ${m.to}` : `legacy name ${m.from} in a v8-layout file: the gateway reads it as ${m.to}, and moves it there on its first v8 write`,
          fix: `move it to ${m.to} (cpactl config migrate FILE does it for the whole file)`,
        }))
      for (const m of ctx.migration.moved.filter((m) => /\[\d+\]$/.test(m.from) && !m.from.includes('.'))) {
        const family = m.from.replace(/\[\d+\]$/, '')
        if (out.some((f) => f.path === family)) continue
        const to = m.to.replace(/\[\d+\]$/, '')
        out.push({
          path: family,
          severity,
          message: ctx.marked ? `legacy field ${family} is not accepted by v8; use ${to} (a list of groups, each with its keys)` : `legacy list ${family} in a v8-layout file: the gateway reads it as ${to} groups`,
          fix: `move its entries to ${to} as groups (cpactl config migrate FILE shows them)`,
        })
      }
      for (const s of ctx.migration.shadowed) {
        out.push({path: s.from, severity, message: `legacy ${s.from} is ignored: ${s.to} is set too, and the v8 value wins (even false, 0 or empty)`, fix: `remove ${s.from}`})
      }
      return out
    },
  },
  {
    id: 'unknown-key',
    severity: 'error',
    summary: 'A section or field the v8 tree does not have: v8 writes decode strictly and reject it; migration comments it out.',
    run(ctx) {
      const out: RawFinding[] = []
      for (const path of ctx.migration.commentedOut) {
        const parts = path.split('.')
        if (parts.length === 1 && ctx.extraKnownKeys.includes(path)) continue
        const parent = specAt(parts.slice(0, -1))
        const siblings = parent?.spec.kind === 'map' ? Object.keys(parent.spec.fields) : []
        const near = closest(parts[parts.length - 1], siblings)
        const what = parts.length === 1 ? `unknown v8 configuration section ${path}` : `unknown field ${parts[parts.length - 1]} under ${parts.slice(0, -1).join('.')}`
        out.push({
          path,
          message: `${what}${near ? ` (did you mean '${near}'?)` : ''}; a v8 write comments it out`,
          fix: near ? `rename it to '${near}'` : 'remove it, or list it under known-keys in the rules file if a newer gateway reads it',
        })
      }
      for (const i of issuesOf(ctx, 'unknown-key')) out.push({path: i.path, message: i.message, fix: i.suggestion ? `rename it to '${i.suggestion}'` : 'remove it'})
      return out
    },
  },
  {
    id: 'api-keys-group',
    severity: 'error',
    summary: 'api-keys group mistakes: unknown provider, groups or keys that are not mappings, keys missing, base-url on a key, unsupported group fields.',
    run: (ctx) => issuesOf(ctx, 'api-keys').map((i) => ({path: i.path, message: i.message, fix: apiKeysFix(i)})),
  },
  {
    id: 'invalid-value',
    severity: 'error',
    summary: 'A value of the wrong type (a section that is not a mapping, server.port: "x", a number for a duration); the API answers 422.',
    run: (ctx) => issuesOf(ctx, 'type').map((i) => ({path: i.path, message: i.message, fix: `give ${i.path} a value of the right type`})),
  },
  ...weightRules<V8RuleContext>((data, fn) => eachKey(data, (parts, key) => fn([...parts, 'weight'], key.weight)), {
    skipFractions: false,
    summary: 'A key weight must be an integer of at most 1,000,000 (a load error otherwise).',
    fix: 'or remove weight (default 1)',
  }),
  unknownStrategyRule<V8RuleContext>(),
  {
    id: 'strategy-alias',
    severity: 'warning',
    summary: 'routing.strategy given as an alias (wrr, ff, …); whether every v8 build accepts rr/roundrobin in config is UNKNOWN.',
    run(ctx) {
      const v = getAt(ctx.data, ['routing', 'strategy'])
      if (typeof v !== 'string' || v.trim() === '') return []
      const canonical = ROUTING_STRATEGIES[v.trim().toLowerCase()]
      if (!canonical || canonical === v) return []
      return [{path: 'routing.strategy', message: `routing.strategy ${JSON.stringify(v)} is an alias of ${canonical}`, fix: `write ${canonical}`}]
    },
  },
  {
    id: 'no-v8-name',
    severity: 'warning',
    summary: 'quota-exceeded.switch-project / switch-preview-model have no v8 name; they stay editable only through v0.',
    run: (ctx) =>
      NO_V8_NAME.filter((p) => getAt(ctx.data, p.split('.')) !== undefined).map((p) => ({
        path: p,
        message: `${p} has no v8 name: it still works, but only the v0 API edits it and its future under /v8 is UNKNOWN`,
        fix: 'keep it if you need it; manage it with cpactl against the v0 API',
      })),
  },
  {
    id: 'later-build',
    severity: 'info',
    summary: 'Keys only later 8.0.x builds know (client, upstream, models, server.github-token, oauth.settings); an early v8 build rejects them.',
    run(ctx) {
      const out: RawFinding[] = []
      const walk = (v: unknown, parts: string[]) => {
        if (!isPlainObject(v)) return
        for (const [k, child] of Object.entries(v)) {
          const hit = specAt([...parts, k])
          if (hit?.meta.later) {
            out.push({path: [...parts, k].join('.'), message: `${[...parts, k].join('.')} exists only in later 8.0.x builds${hit.meta.unknown ? ` (${hit.meta.unknown}: UNKNOWN)` : ''}; an early v8 gateway rejects it as unknown`, fix: 'check the gateway version (cpactl status) before applying'})
          } else if (hit && !hit.open && hit.spec.kind === 'map') walk(child, [...parts, k])
        }
      }
      walk(ctx.data, [])
      return out
    },
  },
]

function apiKeysFix(i: V8Issue): string {
  if (i.message.includes('belongs to the group')) return 'move base-url up to the group (every key of a group shares it)'
  if (i.message.includes('unknown API-key provider')) return i.suggestion ? `rename it to '${i.suggestion}'` : 'use gemini, interactions, vertex, codex, claude, xai, meta or openai-compatibility'
  if (i.message.includes('unsupported group field')) return i.message.includes('belongs on each key') ? 'move it into the keys of the group' : 'remove it, or move it into the keys of the group'
  if (i.message.includes('keys')) return 'give the group a keys list: keys: [{api-key: …}]'
  return 'fix the structure: api-keys.<provider> is a list of groups, each a mapping with a keys list'
}

export const V8_RULES: readonly V8Rule[] = [...V8_CORE_RULES, ...V8_LINT_RULES]
export const V8_RULE_IDS: readonly string[] = V8_RULES.map((r) => r.id)
