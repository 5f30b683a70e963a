// The simulator's credential registry: file-backed OAuth auths (mode-0600 JSON files in `authDir`, listed by GET
// /auth-files) and config-backed API keys (`*-api-key` / `openai-compatibility` entries: auth_type `apikey`, upstream
// key in `source`, never listed by GET /auth-files); per-credential counters (20×10-min `recent_requests`), the
// scripted upstream (upstream.ts), /reset-quota state, /logs files (log-files.ts). auth_index: auth-index.ts.
import {chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync} from 'node:fs'
import {resolve as resolvePath, join} from 'node:path'

import {
  type AccountRegistryOptions,
  CONFIG_KEY_FAMILIES,
  type ConfigKeyFamily,
  META_DEFAULT_BASE_URL,
  type RecentBucket,
  type ScenarioSetting,
  type SimAccountRegistry,
  type SimAuthFile,
  type SimConfigKey,
  UPSTREAM_SCENARIOS,
  type UpstreamScenario,
} from './account-types.js'
import {configAuthIndex, fileAuthIndex, stableAuthIndex} from './auth-index.js'
import {defaultAuthFiles} from './default-accounts.js'
import {hourMinute} from './local-time.js'
import {createLogStore} from './log-files.js'
import {PROVIDER_MODELS} from './provider-models.js'
import type {SimAccount} from './types.js'

const BUCKET_MS = 10 * 60_000
const BUCKETS = 20

interface Counters {
  success: number
  failed: number
  buckets: Map<number, {success: number; failed: number}> // bucket number (floor(ms / 10 min)) → counts
  scenario?: ScenarioSetting
  resets: number
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : ''
}

/** `recent_requests` bucket label `HH:MM-HH:MM` in server local time. */
export function bucketLabel(bucketStartMs: number, tzOffsetMinutes?: number): string {
  return `${hourMinute(bucketStartMs, tzOffsetMinutes)}-${hourMinute(bucketStartMs + BUCKET_MS, tzOffsetMinutes)}`
}

const FAMILY_PROVIDER: Record<Exclude<ConfigKeyFamily, 'openai-compatibility'>, string> = {
  'gemini-api-key': 'gemini',
  'interactions-api-key': 'interactions',
  'codex-api-key': 'codex',
  'xai-api-key': 'xai',
  'claude-api-key': 'claude',
  'vertex-api-key': 'vertex',
  'meta-api-key': 'meta',
}

export function createAccountRegistry(opts: AccountRegistryOptions): SimAccountRegistry {
  const authDir = resolvePath(opts.authDir)
  const files = new Map<string, SimAuthFile>() // by name
  const counters = new Map<string, Counters>() // by auth_index
  const defaultScenarios = new Map<string, UpstreamScenario>() // by file name
  const logs = createLogStore({now: opts.now, enabled: () => opts.config()['logging-to-file'] === true, tzOffsetMinutes: opts.tzOffsetMinutes})

  mkdirSync(authDir, {recursive: true, mode: 0o700})

  const counterFor = (authIndex: string): Counters => {
    let c = counters.get(authIndex)
    if (!c) {
      c = {success: 0, failed: 0, buckets: new Map(), resets: 0}
      counters.set(authIndex, c)
    }
    return c
  }

  const typeOf = (metadata: Record<string, unknown>): string => str(metadata.type) || 'unknown'

  const loadFile = (name: string, raw: Buffer): SimAuthFile => {
    const metadata = JSON.parse(raw.toString('utf8')) as Record<string, unknown>
    const path = join(authDir, name)
    const st = statSync(path)
    const disabled = metadata.disabled === true
    const prev = files.get(name)
    return {
      name,
      path,
      type: typeOf(metadata),
      metadata,
      status: disabled ? 'disabled' : 'active',
      statusMessage: disabled ? (prev?.statusMessage ?? '') : '',
      createdAt: prev?.createdAt ?? st.birthtimeMs ?? st.mtimeMs,
      updatedAt: opts.now(),
    }
  }

  const writeFile = (name: string, raw: Buffer) => {
    const path = join(authDir, name)
    writeFileSync(path, raw, {mode: 0o600})
    chmodSync(path, 0o600)
  }

  // Initial content: existing .json files, or the seeded defaults.
  const existing = readdirSync(authDir).filter((n) => n.toLowerCase().endsWith('.json'))
  if (existing.length === 0 && (opts.accounts ?? 'default') === 'default') {
    for (const seedFile of defaultAuthFiles(opts.seed, opts.now(), opts.tzOffsetMinutes)) {
      writeFile(seedFile.name, Buffer.from(JSON.stringify(seedFile.content, null, 2) + '\n'))
      defaultScenarios.set(seedFile.name, seedFile.scenario)
    }
  }
  for (const name of readdirSync(authDir).filter((n) => n.toLowerCase().endsWith('.json'))) {
    try {
      const raw = readFileSync(join(authDir, name))
      const parsed = JSON.parse(raw.toString('utf8')) as unknown
      if (!asRecord(parsed)) continue
      files.set(name, loadFile(name, raw))
    } catch {
      // unreadable or invalid JSON: the gateway skips such files too
    }
  }

  const indexMemo = new Map<string, string>()
  const fileIndex = (f: SimAuthFile) => {
    const k = `${f.type}\u0000${f.path}`
    let v = indexMemo.get(k)
    if (v === undefined) {
      v = fileAuthIndex(f.type, f.path)
      indexMemo.set(k, v)
    }
    return v
  }

  const fileAccount = (f: SimAuthFile): SimAccount => {
    const authIndex = fileIndex(f)
    const c = counterFor(authIndex)
    const md = f.metadata
    const email = str(md.email) || undefined
    const projectId = str(md.project_id) || undefined
    const provider = f.type
    const label = str(md.label) || email || projectId || f.name
    return {
      id: f.name,
      name: f.name,
      authIndex,
      provider,
      authType: 'oauth',
      email,
      label,
      projectId,
      source: provider === 'vertex' ? (projectId ?? email ?? '') : (email ?? projectId ?? ''),
      disabled: md.disabled === true,
      models: [...(PROVIDER_MODELS[provider] ?? [])],
      success: c.success,
      failed: c.failed,
    }
  }

  /** Walk the config's provider-key lists (`*-api-key`, `openai-compatibility[].api-key-entries`). */
  const computeConfigKeys = (cfg: Record<string, unknown>): Array<{key: SimConfigKey; account: SimAccount}> => {
    const out: Array<{key: SimConfigKey; account: SimAccount}> = []
    for (const family of CONFIG_KEY_FAMILIES) {
      const list = cfg[family]
      if (!Array.isArray(list)) continue
      list.forEach((entryRaw, index) => {
        const entry = asRecord(entryRaw)
        if (!entry) return
        const baseUrl = str(entry['base-url']) || (family === 'meta-api-key' ? META_DEFAULT_BASE_URL : '')
        if (family === 'openai-compatibility') {
          const name = str(entry.name)
          const keyEntries = Array.isArray(entry['api-key-entries']) ? (entry['api-key-entries'] as unknown[]) : []
          const models = Array.isArray(entry.models)
            ? (entry.models as unknown[]).map((m) => str(asRecord(m)?.name)).filter(Boolean)
            : []
          const excluded = Array.isArray(entry['excluded-models']) ? (entry['excluded-models'] as unknown[]) : []
          keyEntries.forEach((keRaw, keyIndex) => {
            const apiKey = str(asRecord(keRaw)?.['api-key'])
            const authIndex = configAuthIndex(family, baseUrl, apiKey)
            const c = counterFor(authIndex)
            out.push({
              key: {family, index, keyIndex, baseUrl, apiKey},
              account: {
                id: `${family}:${name}:${keyIndex}`,
                name: '',
                authIndex,
                provider: name.toLowerCase() || 'openai-compatibility',
                authType: 'apikey',
                label: name,
                source: apiKey,
                disabled: entry.disabled === true || excluded.includes('*'),
                models,
                success: c.success,
                failed: c.failed,
              },
            })
          })
          return
        }
        const apiKey = str(entry['api-key'])
        // meta keys that are empty or start with `dca:` are dropped at load
        if (family === 'meta-api-key' && (apiKey.trim() === '' || apiKey.trim().startsWith('dca:'))) return
        const authIndex =
          family === 'vertex-api-key' ? stableAuthIndex(`id:${family}:${index}`) : configAuthIndex(family, baseUrl, apiKey)
        const provider = FAMILY_PROVIDER[family]
        const excluded = Array.isArray(entry['excluded-models']) ? (entry['excluded-models'] as unknown[]) : []
        const configured = Array.isArray(entry.models)
          ? (entry.models as unknown[]).map((m) => str(asRecord(m)?.name)).filter(Boolean)
          : []
        const c = counterFor(authIndex)
        out.push({
          key: {family, index, keyIndex: -1, baseUrl, apiKey},
          account: {
            id: `${family}:${index}`,
            name: '',
            authIndex,
            provider,
            authType: 'apikey',
            label: provider,
            source: apiKey,
            disabled: excluded.includes('*'),
            models: configured.length > 0 ? configured : [...(PROVIDER_MODELS[provider] ?? [])],
            success: c.success,
            failed: c.failed,
          },
        })
      })
    }
    return out
  }

  // Memoised by the identity of the config's family lists (same arrays until a change); counters re-read per call.
  let memo: {refs: unknown[]; keys: Array<{key: SimConfigKey; account: SimAccount}>} | undefined
  const configKeys = (): Array<{key: SimConfigKey; account: SimAccount}> => {
    const cfg = opts.config()
    const refs = CONFIG_KEY_FAMILIES.map((f) => cfg[f])
    if (!memo || memo.refs.some((r, i) => r !== refs[i])) memo = {refs, keys: computeConfigKeys(cfg)}
    return memo.keys.map(({key, account}) => {
      const c = counterFor(account.authIndex)
      return {key, account: {...account, models: [...account.models], success: c.success, failed: c.failed}}
    })
  }

  const list = (): SimAccount[] => [...[...files.values()].map(fileAccount), ...configKeys().map((k) => k.account)]

  const byIndex = (authIndex: string): SimAccount | undefined => list().find((a) => a.authIndex === authIndex)

  const findFile = (nameOrId: string): SimAuthFile | undefined => {
    const direct = files.get(nameOrId)
    if (direct) return direct
    // id = path relative to auth-dir (= file name here); tolerate a leading './'
    const trimmed = nameOrId.replace(/^\.\//, '')
    return files.get(trimmed)
  }

  const resolveTarget = (authIndexOrName: string): string | undefined => {
    const f = findFile(authIndexOrName)
    if (f) return fileIndex(f)
    return byIndex(authIndexOrName)?.authIndex
  }

  const registry: SimAccountRegistry = {
    authDir,
    seed: opts.seed,
    tzOffsetMinutes: opts.tzOffsetMinutes,
    logs,
    appendLog: (line) => logs.append(line),
    rotateLogs: () => logs.rotate(),

    list,
    byIndex,
    byName(nameOrId) {
      const f = findFile(nameOrId)
      return f ? fileAccount(f) : undefined
    },
    recordOutcome(authIndex, failed, at) {
      const c = counterFor(authIndex)
      if (failed) c.failed++
      else c.success++
      const bucket = Math.floor(at / BUCKET_MS)
      const b = c.buckets.get(bucket) ?? {success: 0, failed: 0}
      if (failed) b.failed++
      else b.success++
      c.buckets.set(bucket, b)
      // keep memory bounded: drop buckets older than the 20-bucket window of the newest one
      if (c.buckets.size > BUCKETS * 4) {
        const newest = Math.max(...c.buckets.keys())
        for (const k of c.buckets.keys()) if (k <= newest - BUCKETS) c.buckets.delete(k)
      }
    },

    files: () => [...files.values()],
    file: findFile,
    fileContent(name) {
      const path = join(authDir, name)
      if (!existsSync(path)) return undefined
      return readFileSync(path)
    },
    upload(name, content) {
      let parsed: unknown
      try {
        parsed = JSON.parse(content.toString('utf8'))
      } catch {
        return {ok: false, name, error: 'invalid auth file: invalid JSON', status: 400}
      }
      if (!asRecord(parsed)) return {ok: false, name, error: 'invalid auth file: not a JSON object', status: 400}
      writeFile(name, content)
      files.set(name, loadFile(name, content))
      return {ok: true, name}
    },
    remove(name) {
      const f = files.get(name)
      if (!f) return false
      if (existsSync(f.path)) unlinkSync(f.path)
      files.delete(name)
      return true
    },
    removeAll() {
      let n = 0
      for (const name of [...files.keys()]) if (registry.remove(name)) n++
      return n
    },
    setDisabled(name, disabled, authIndex) {
      const f = findFile(name)
      if (!f) return undefined
      if (authIndex && fileIndex(f) !== authIndex) return undefined
      const metadata = {...f.metadata, disabled}
      writeFile(f.name, Buffer.from(JSON.stringify(metadata, null, 2) + '\n'))
      f.metadata = metadata
      f.status = disabled ? 'disabled' : 'active'
      f.statusMessage = disabled ? 'disabled via management API' : ''
      f.updatedAt = opts.now()
      return f
    },
    writeMetadata(name, metadata) {
      const f = findFile(name)
      if (!f) throw new Error(`auth file not found: ${name}`)
      writeFile(f.name, Buffer.from(JSON.stringify(metadata, null, 2) + '\n'))
      f.metadata = metadata
      f.type = typeOf(metadata)
      if (metadata.disabled === true) f.status = 'disabled'
      else if (f.status === 'disabled') {
        f.status = 'active'
        f.statusMessage = ''
      }
      f.updatedAt = opts.now()
    },

    configKey: (authIndex) => configKeys().find((k) => k.account.authIndex === authIndex)?.key,
    recentRequests(authIndex, now = opts.now()) {
      const c = counters.get(authIndex)
      const current = Math.floor(now / BUCKET_MS)
      const out: RecentBucket[] = []
      for (let b = current - BUCKETS + 1; b <= current; b++) {
        const counts = c?.buckets.get(b)
        out.push({time: bucketLabel(b * BUCKET_MS, opts.tzOffsetMinutes), success: counts?.success ?? 0, failed: counts?.failed ?? 0})
      }
      return out
    },
    tokenFor(authIndex) {
      const f = [...files.values()].find((x) => fileIndex(x) === authIndex)
      if (f) {
        const md = f.metadata
        for (const k of ['access_token', 'api_key', 'token', 'id_token', 'cookie']) {
          const v = str(md[k])
          if (v) return v
        }
        return undefined
      }
      const key = configKeys().find((k) => k.account.authIndex === authIndex)?.key
      return key?.apiKey || undefined
    },

    scenario(authIndex) {
      const set = counters.get(authIndex)?.scenario
      if (set) return set
      const f = [...files.values()].find((x) => fileIndex(x) === authIndex)
      if (f) return {scenario: defaultScenarios.get(f.name) ?? 'ok'}
      return {scenario: 'ok'}
    },
    setScenario(authIndexOrName, scenario) {
      const authIndex = resolveTarget(authIndexOrName)
      if (!authIndex) throw new Error(`unknown credential: ${authIndexOrName}`)
      const setting = typeof scenario === 'string' ? {scenario} : scenario
      if (!UPSTREAM_SCENARIOS.includes(setting.scenario)) throw new Error(`unknown scenario: ${setting.scenario}`)
      counterFor(authIndex).scenario = setting
    },

    resetQuota(authIndex) {
      const account = byIndex(authIndex)
      if (!account) return undefined
      counterFor(authIndex).resets++
      return [...account.models]
    },
    quotaResets: (authIndex) => counters.get(authIndex)?.resets ?? 0,
    apiCallTimeoutMs: 60_000,
  }
  return registry
}
