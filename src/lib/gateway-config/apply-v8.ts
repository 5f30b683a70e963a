/**
 * `config apply FILE` on a v8 gateway, through the v8 config tree or one `PUT /config.yaml`.
 *
 * - FILE is brought into the v8 layout in memory (a legacy or mixed file is migrated; the result says so) and
 *   validated locally: nothing is sent when it is not a valid v8 config (exit 2).
 * - `--strategy paths` (default): the smallest set of `PUT|DELETE /config/<path>` writes (plan.ts), so a
 *   change under `routing` never rewrites upstream keys. They run in order; if one fails, the rest are not sent
 *   and the error reports which writes were applied (exit 6; when the first write fails nothing was applied and
 *   the gateway's own error stands).
 * - `--strategy replace`: one `PUT /config.yaml` with the whole v8 document (a whole-document write omitting
 *   `api-keys` deletes every upstream group on early 8.0.x builds: FILE is sent complete).
 * - Either way the result is read back (`GET /config.yaml`) and verified. Home-owned read-only fields keep the
 *   gateway's values. A changed `management.secret-key` is written last and not read back: cpactl's key stops
 *   working the moment it lands.
 */
import {CheckFailedError, UsageError} from '../cli/errors.js'
import type {GatewayClient} from '../gateway/client.js'
import {deleteConfigTree, putConfigTree, putConfigTreeYaml, v8MigrationNotice} from '../gateway/config-tree.js'
import {deepEqual, getAt, hasAt} from './path.js'
import type {ApplyWrite, ConfigApplyOptions, ConfigApplyResult} from './apply-result.js'
import {compareWithLiveV8, type ConfigDiffResult, type V8Comparison} from './diff.js'
import {describeWrite, planConfigWrites, type PlannedWrite, SECRET_KEY_PATH} from './plan.js'
import {alignForCompare, readLiveV8} from './v8-docs.js'
import {readOnlyV8Paths, validateV8Data} from './v8-schema.js'
import {confirmOrFail} from '../cli/confirm.js'
import {pollUntil, type PollOptions} from '../gateway/poll.js'
import {addWarning, type Warning} from '../cli/warnings.js'

/** Refuse a FILE the gateway would refuse (exit 2, nothing sent): what `config check` calls an error. */
async function validateDesired(cmp: V8Comparison): Promise<void> {
  const {desired} = cmp
  let problems: Array<{path: string; message: string}>
  if (desired.layout === 'legacy') problems = (await validateV8Data(desired.data)).map(({path, message}) => ({path, message}))
  else {
    const {checkConfigText} = await import('./check.js')
    const {readConfigFile} = await import('./parse.js')
    problems = (await checkConfigText(readConfigFile(desired.file), 'file')).findings.filter((f) => f.severity === 'error').map(({path, message}) => ({path, message}))
  }
  if (problems.length > 0) {
    throw new UsageError(`${desired.file} is not a valid v8 gateway config: ${problems.map((i) => `${i.path}: ${i.message}`).join('; ')}`, {
      code: 'invalid_config',
      hint: `nothing was sent; see cpactl config check ${desired.file}`,
      details: {issues: problems},
    })
  }
}

/** Home-owned read-only fields keep the gateway's values (a write changing one answers 400 read_only_field). */
function keepReadOnly(live: Record<string, unknown>, desired: Record<string, unknown>, warnings: Warning[] | null): void {
  for (const parts of readOnlyV8Paths()) {
    const want = getAt(desired, parts)
    const have = getAt(live, parts)
    if (deepEqual(want, have)) continue
    if (want !== undefined && warnings) addWarning(warnings, 'read_only_key', `${parts.join('.')} is owned by CPA Home (read-only); the gateway's value is kept`)
    let cur = desired
    for (const p of parts.slice(0, -1)) {
      if (typeof cur[p] !== 'object' || cur[p] === null) cur[p] = {}
      cur = cur[p] as Record<string, unknown>
    }
    if (have === undefined) delete cur[parts[parts.length - 1]]
    else cur[parts[parts.length - 1]] = have
  }
}

/** The live document shows every write of the plan (PUT values equal, DELETEd keys absent). */
function showsWrites(live: Record<string, unknown>, writes: readonly PlannedWrite[]): boolean {
  return writes.every((w) => (w.method === 'DELETE' ? !hasAt(live, w.path) : deepEqual(w.path.length === 0 ? live : getAt(live, w.path), w.value)))
}

const slash = (w: PlannedWrite) => w.path.join('/')

export async function applyConfigFileV8(client: GatewayClient, file: string, options: ConfigApplyOptions = {}): Promise<ConfigApplyResult> {
  const strategy = options.strategy ?? 'paths'
  const cmp = await compareWithLiveV8(client, file, {reveal: options.reveal})
  await validateDesired(cmp)
  const {warnings: diffWarnings, ...diffShown} = cmp.diff
  const warnings: Warning[] = [...diffWarnings]
  const {live, desired, secretChanges} = cmp.aligned
  keepReadOnly(live, desired, warnings)
  const plan = planConfigWrites(live, desired)
  const secretWrite = plan.find((w) => deepEqual(w.path, [...SECRET_KEY_PATH])) ?? null
  const writes: ApplyWrite[] =
    strategy === 'replace' ? (plan.length > 0 ? [{method: 'PUT', path: 'config.yaml', status: 'planned'}] : []) : plan.map((w) => ({method: w.method, path: slash(w), status: 'planned'}))
  const base = {file, dryRun: Boolean(options.dryRun), changed: plan.length > 0, diff: diffShown, warnings, api: 'v8' as const, strategy, writes}
  if (plan.length === 0 || options.dryRun) return {...base, applied: false, verified: null}
  if (strategy === 'replace' && readOnlyV8Paths().some((p) => !deepEqual(getAt(cmp.desired.data, p), getAt(cmp.live, p)) && getAt(cmp.desired.data, p) !== undefined)) {
    throw new UsageError(`${file} sets fields owned by CPA Home that differ from the gateway's; a whole-document write would be refused (400 read_only_field)`, {
      code: 'read_only_field',
      hint: 'remove them from the file, or use the default --strategy paths (which keeps the gateway values)',
    })
  }
  if (secretChanges) addWarning(warnings, 'secret_key_change', 'this apply changes management.secret-key: it is written last and not read back; use the new key for this gateway afterwards')

  options.onPreview?.(cmp.diff)
  const what = strategy === 'replace' ? 'PUT the whole v8 document' : `${plan.length} path write${plan.length === 1 ? '' : 's'}`
  await confirmOrFail({
    yes: Boolean(options.yes),
    action: `apply ${file} to the gateway config (${cmp.diff.changes.length} change${cmp.diff.changes.length === 1 ? '' : 's'}; ${what})`,
    note: 'preview first with --dry-run',
    interactive: options.interactive,
  })
  const notice = await v8MigrationNotice(client)

  if (strategy === 'replace') {
    await putConfigTreeYaml(client, cmp.desired.text)
    writes[0].status = 'applied'
    if (notice) addWarning(warnings, 'config_migrated_to_v8', notice)
    if (secretChanges) return {...base, applied: true, verified: null}
    const check = await pollUntil(
      async () => {
        const now = await readLiveV8(client)
        const want = structuredClone(cmp.desired.data)
        await alignForCompare(client, now, want)
        keepReadOnly(now, want, null)
        return planConfigWrites(now, want)
      },
      (left) => left.length === 0,
      options.poll,
    )
    if (!check.ok) throw notVerified(file, check.value.map(describeWrite))
    return {...base, applied: true, verified: true}
  }

  // planConfigWrites puts a management.secret-key write last
  const ordered = plan
  const sent: PlannedWrite[] = []
  for (const [i, w] of ordered.entries()) {
    try {
      if (w.method === 'DELETE') await deleteConfigTree(client, w.path)
      else await putConfigTree(client, w.path, w.value)
      writes[plan.indexOf(w)].status = 'applied'
      sent.push(w)
    } catch (error) {
      const entry = writes[plan.indexOf(w)]
      entry.status = 'failed'
      entry.error = (error as Error).message
      for (const rest of ordered.slice(i + 1)) writes[plan.indexOf(rest)].status = 'not-sent'
      if (sent.length === 0) throw error
      if (notice) addWarning(warnings, 'config_migrated_to_v8', notice)
      // partial success (exit 6): the normal result, each write with its status, and a partial_success warning
      addWarning(
        warnings,
        'partial_success',
        `${file} was applied only in part: ${sent.length} of ${plan.length} writes applied, then ${describeWrite(w)} failed: ${entry.error}; not sent: ${ordered.length - i - 1}. The gateway config is now between the old one and ${file}; fix the cause and run the same apply again (it sends only what still differs)`,
        [describeWrite(w)],
      )
      return {...base, applied: false, verified: null}
    }
    if (i === 0 && notice) addWarning(warnings, 'config_migrated_to_v8', notice)
    // everything but the new secret is verified before the secret lands (the old key stops working then)
    if (ordered[i + 1] === secretWrite && secretWrite !== null) await verifyWrites(client, file, sent, options.poll)
  }
  if (secretWrite) return {...base, applied: true, verified: null}
  await verifyWrites(client, file, sent, options.poll)
  return {...base, applied: true, verified: true}
}

async function verifyWrites(client: GatewayClient, file: string, sent: readonly PlannedWrite[], poll?: PollOptions): Promise<void> {
  if (sent.length === 0) return
  const check = await pollUntil(() => readLiveV8(client), (now) => showsWrites(now, sent), poll)
  if (!check.ok) throw notVerified(file, sent.filter((w) => !showsWrites(check.value, [w])).map(describeWrite))
}

function notVerified(file: string, pending: string[]): CheckFailedError {
  return new CheckFailedError(`the gateway accepted ${file} but its config does not show it when read back (${pending.join(', ')})`, {
    code: 'not_verified',
    hint: `the gateway reloads asynchronously; compare with cpactl config diff ${file}`,
    details: {pending},
  })
}
