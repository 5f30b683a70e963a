/**
 * `cpactl config apply FILE [--dry-run] [--yes] [--strategy paths|replace]`. On a v8 gateway: apply-v8.ts.
 * On a v7 gateway: validate the file locally with the config schema, show the diff against the live config, PUT
 * /config.yaml with the file's exact text (comments and unknown keys kept: unknown keys are warned about, never
 * dropped), then re-read and verify. The gateway's 400 `invalid_yaml` and 422 `invalid_config` arrive as
 * RejectedError with its message (gateway/config.ts). A v8 FILE is refused on v7 (exit 2).
 */
import {CheckFailedError, UsageError} from '../cli/errors.js'
import type {GatewayClient} from '../gateway/client.js'
import {deepEqual, isPlainObject} from './path.js'
import {diffConfigData, type ConfigDiffResult} from './diff.js'
import {parseConfigText} from './parse.js'
import {closest} from './similar.js'
import {isKnownTopLevelKey, KNOWN_TOP_LEVEL_KEYS, validateConfigData} from './schema.js'
import {confirmOrFail} from '../cli/confirm.js'
import {pollUntil, type PollOptions} from '../gateway/poll.js'
import {addWarning, type Warning} from '../cli/warnings.js'
import type {ConfigApplyOptions, ConfigApplyResult} from './apply-result.js'
import {applyConfigFileV8} from './apply-v8.js'
import {loadLegacyFile} from './diff.js'

const HASHED = /^\$2[aby]\$/

function secretOf(data: Record<string, unknown>): unknown {
  const rm = data['remote-management']
  return isPlainObject(rm) ? rm['secret-key'] : undefined
}

/** The live config equals the file, allowing for the gateway bcrypt-hashing a plaintext secret-key on load. */
export function matchesApplied(live: Record<string, unknown>, desired: Record<string, unknown>): boolean {
  const wanted = secretOf(desired)
  if (typeof wanted === 'string' && wanted.trim() !== '' && !HASHED.test(wanted)) {
    const got = secretOf(live)
    if (typeof got !== 'string' || !HASHED.test(got)) return false
    const strip = (d: Record<string, unknown>) => ({...d, 'remote-management': {...(d['remote-management'] as Record<string, unknown>), 'secret-key': null}})
    return deepEqual(strip(live), strip(desired))
  }
  return deepEqual(live, desired)
}

export async function applyConfigFile(client: GatewayClient, file: string, options: ConfigApplyOptions = {}): Promise<ConfigApplyResult> {
  if ((await client.managementApi()).api === 'v8') return applyConfigFileV8(client, file, options)
  if (options.strategy === 'paths') {
    throw new UsageError('--strategy paths needs a v8 gateway: a v7 gateway takes its config only as a whole file', {
      code: 'unsupported_strategy',
      hint: 'drop --strategy (v7: the whole file is PUT), or upgrade the gateway to 8.0.x',
    })
  }
  const desired = await loadLegacyFile(client, file)
  const issues = await validateConfigData(desired.data)
  if (issues.length > 0) {
    throw new UsageError(`${file} is not a valid gateway config: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, {
      code: 'invalid_config',
      hint: `nothing was sent; see cpactl config check ${file}`,
      details: {issues: issues.map(({path, message}) => ({path, message}))},
    })
  }
  const warnings: Warning[] = []
  for (const key of Object.keys(desired.data)) {
    if (isKnownTopLevelKey(key)) continue
    const near = closest(key, KNOWN_TOP_LEVEL_KEYS)
    addWarning(warnings, 'unknown_key', `unknown key '${key}'${near ? ` (did you mean '${near}'?)` : ''} is kept as written; the gateway ignores it`)
  }
  const secret = secretOf(desired.data)
  if (typeof secret !== 'string' || secret.trim() === '') {
    addWarning(warnings, 'no_secret_key', 'the file sets no remote-management.secret-key: once applied, the management API switches off (unless the gateway has MANAGEMENT_PASSWORD)')
  } else if (!HASHED.test(secret)) {
    addWarning(warnings, 'plaintext_secret_key', 'remote-management.secret-key is plaintext in the file; the gateway stores its bcrypt hash (commit the hash instead)')
  }

  const {getConfigYaml, putConfigYaml} = await import('../gateway/config.js')
  const live = await parseConfigText(await getConfigYaml(client), 'live')
  const diff = await diffConfigData(live.data ?? {}, desired.data, {file, reveal: options.reveal})
  const {warnings: diffWarnings, ...diffShown} = diff
  warnings.push(...diffWarnings)
  const base = {file, dryRun: Boolean(options.dryRun), changed: !diff.equal, diff: {...diffShown, api: 'v0' as const, layout: 'legacy' as const, migrated: false}, warnings, api: 'v0' as const, strategy: 'replace' as const}
  const writes = (status: 'planned' | 'applied') => (diff.equal ? [] : [{method: 'PUT' as const, path: 'config.yaml', status}])
  if (diff.equal || options.dryRun) return {...base, applied: false, verified: null, writes: writes('planned')}

  options.onPreview?.(diff)
  await confirmOrFail({
    yes: Boolean(options.yes),
    action: `replace the gateway config with ${file} (${diff.changes.length} change${diff.changes.length === 1 ? '' : 's'})`,
    note: 'preview first with --dry-run',
    interactive: options.interactive,
  })
  await putConfigYaml(client, desired.text)
  const check = await pollUntil(
    async () => (await parseConfigText(await getConfigYaml(client), 'live')).data,
    (d) => d !== null && matchesApplied(d, desired.data),
    options.poll,
  )
  if (!check.ok) {
    throw new CheckFailedError(`the gateway accepted ${file} but its config.yaml does not match it when read back`, {
      code: 'not_verified',
      hint: `compare with cpactl config diff ${file}`,
    })
  }
  return {...base, applied: true, verified: true, writes: writes('applied')}
}
