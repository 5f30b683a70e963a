/**
 * `cpactl inspect run`: list the auth files, probe each selected credential through `/api-call` with bounded
 * concurrency (a timed-out probe is retried once), classify, apply the policy (policy.ts), and — only when
 * --apply allows it — write, one credential at a time, each write preceded by a fresh identity check
 * (identity.ts). Runs, results and disable ownership go to the store.
 */
import {AuthError, CancelledError, ConfigError, CpactlError, RejectedError, UpstreamError, UsageError} from '../cli/errors.js'
import {formatDuration} from '../time/duration.js'
import {makeWarning, reportWarning, type Warning} from '../cli/warnings.js'
import {apiCall} from '../gateway/api-call.js'
import {fetchGatewayQuota, gatewayQuotaSupport} from './gateway-quota.js'
import {listAuthFiles, setAuthFileDisabled, type AuthFileEntry} from '../gateway/auth-files.js'
import type {GatewayClient} from '../gateway/client.js'
import type {InspectionRepository} from '../store/index.js'
import type {UpstreamAnswer} from './evidence.js'
import {verifyIdentity} from './identity.js'
import {decide, writeAllowed, type InspectSettings, type Ownership} from './policy.js'
import {mapPool} from './pool.js'
import {codexAccountId} from './probe-codex.js'
import {loadProbes} from './probe-registry.js'
import {providerOf, type UpstreamCall} from './probes.js'
import {emptyWindows} from './windows.js'
import {type AccountRef, type InspectRunResult, type ProbeOutcome} from './types.js'
import {CLASSIFICATIONS, PROPOSED_ACTIONS, type Classification, type InspectResult, type InspectSummary, type ProposedAction} from '../store/index.js'

export interface PlannedWrite {
  name: string
  authIndex: string | null
  write: 'disable' | 'enable'
}

export interface InspectHooks {
  /** A probe of `name` starts / ends (tests observe the concurrency bound with these). */
  onProbeStart?(name: string): void
  onProbeEnd?(name: string): void
  /** Right before each /api-call attempt of a probe (1 = first try, 2 = the retry after a timeout). */
  beforeCall?(name: string, attempt: number): Promise<void> | void
  /** Called before the identity re-check of each write (tests change the file in between). */
  beforeWrite?(write: PlannedWrite): Promise<void> | void
}

export interface InspectRunOptions {
  client: GatewayClient
  store: InspectionRepository
  instance: string
  settings: InspectSettings
  /** Names, ids or auth indexes to restrict the run to (null: every credential of the selected providers). */
  accounts?: string[] | null
  trigger?: 'inspect' | 'quota'
  now?: () => number
  signal?: AbortSignal
  hooks?: InspectHooks
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : null
}

export function accountRef(entry: AuthFileEntry): AccountRef {
  const provider = providerOf(entry)
  const account = str(entry.account)
  return {
    name: entry.name,
    authIndex: str(entry.auth_index),
    provider,
    email: str(entry.email) ?? (account && account.includes('@') ? account : null),
    label: str(entry.label),
    accountId: provider === 'codex' ? codexAccountId(entry) : null,
    disabled: entry.disabled === true,
    modtime: str(entry.modtime),
    statusMessage: str(entry.status_message),
  }
}

/** Select credentials by provider and by name / id / auth_index / email; unknown --account values are an error. */
export function selectEntries(entries: AuthFileEntry[], providers: string[] | null, accounts: string[] | null | undefined): AuthFileEntry[] {
  let out = entries
  if (providers && providers.length > 0) out = out.filter((e) => providers.includes(providerOf(e)))
  if (accounts && accounts.length > 0) {
    const matches = (e: AuthFileEntry, a: string) =>
      e.name === a || e.id === a || e.auth_index === a || (typeof e.email === 'string' && e.email.toLowerCase() === a.toLowerCase())
    const unknown = accounts.filter((a) => !out.some((e) => matches(e, a)))
    if (unknown.length > 0) {
      throw new UsageError(`no auth file${providers ? ` of provider ${providers.join(',')}` : ''} matches --account ${unknown.join(', ')}`, {
        code: 'unknown_account',
        hint: 'use a file name, auth_index or e-mail from `cpactl api GET /auth-files`',
      })
    }
    out = out.filter((e) => accounts.some((a) => matches(e, a)))
  }
  return out
}

interface Probed {
  ref: AccountRef
  outcome: ProbeOutcome | null
  skippedReason: string | null
  attempts: number
  checkedAt: number
}

function probeFailure(error: unknown, timeoutMs: number, attempts: number): ProbeOutcome {
  const base = {httpStatus: null, plan: null, windows: emptyWindows(), disableEvidence: false}
  if (error instanceof UpstreamError) {
    if (error.code === 'timeout') {
      return {...base, classification: 'probe_failed', reason: `no answer within ${formatDuration(timeoutMs)} (${attempts} attempt${attempts === 1 ? '' : 's'})`}
    }
    const status = (error.details as {status?: number} | undefined)?.status
    return {...base, classification: 'probe_failed', reason: `the gateway could not make the call${status ? ` (${status})` : ''}: ${error.message}`}
  }
  if (error instanceof RejectedError) {
    // v8: an auth_index that matches no credential is refused (v7 forwards $TOKEN$ unreplaced instead; identity is
    // re-verified before any write either way)
    if (/auth credential not found for auth_index/.test(error.message)) {
      return {...base, classification: 'review', reason: 'the gateway knows no credential with this auth_index any more (renamed, moved or deleted since it was listed)'}
    }
    return {...base, classification: 'review', reason: `the gateway refused the probe (${error.status} ${error.message})`}
  }
  throw error
}

/** Errors that end the whole run: management key rejected, management disabled, interrupted, bugs. */
function isFatal(error: unknown): boolean {
  if (error instanceof AuthError || error instanceof ConfigError || error instanceof CancelledError) return true
  if (error instanceof UpstreamError && error.code === 'aborted') return true
  return !(error instanceof CpactlError)
}

export function emptySummary(): InspectSummary {
  return {
    total: 0,
    probed: 0,
    skipped: 0,
    probeFailed: 0,
    classifications: Object.fromEntries(CLASSIFICATIONS.map((c) => [c, 0])) as Record<Classification, number>,
    actions: Object.fromEntries(PROPOSED_ACTIONS.map((a) => [a, 0])) as Record<ProposedAction, number>,
    disabled: 0,
    enabled: 0,
    writesSkipped: 0,
    writesFailed: 0,
  }
}

/** Partial success of a run (exit 6): one `partial_success` warning per kind of failure, naming the accounts. */
export function partialWarnings(results: readonly InspectResult[]): Warning[] {
  const out: Warning[] = []
  const probes = results.filter((r) => r.classification === 'probe_failed').map((r) => r.name)
  const writes = results.filter((r) => r.actionTaken === 'failed').map((r) => r.name)
  if (probes.length > 0) out.push(makeWarning('partial_success', `${probes.length} probe(s) failed (see classification probe_failed)`, probes))
  if (writes.length > 0) out.push(makeWarning('partial_success', `${writes.length} write(s) failed (see actionTaken failed)`, writes))
  return out
}

export function summarize(results: readonly InspectResult[]): InspectSummary {
  const s = emptySummary()
  for (const r of results) {
    s.total++
    s.classifications[r.classification]++
    s.actions[r.action]++
    if (r.classification === 'skipped') s.skipped++
    else s.probed++
    if (r.classification === 'probe_failed') s.probeFailed++
    if (r.actionTaken === 'disabled') s.disabled++
    if (r.actionTaken === 'enabled') s.enabled++
    if (r.actionTaken === 'skipped') s.writesSkipped++
    if (r.actionTaken === 'failed') s.writesFailed++
  }
  return s
}

export async function runInspection(opts: InspectRunOptions): Promise<InspectRunResult> {
  const now = opts.now ?? Date.now
  const {client, store, instance, settings} = opts
  const trigger = opts.trigger ?? 'inspect'
  const probes = await loadProbes()
  const entries = selectEntries(await listAuthFiles(client), settings.providers, opts.accounts)
  // `quota`: where the gateway serves its own quota fetch (early 8.0.x builds), use it for the providers it covers
  const gatewayQuota = trigger === 'quota' ? await gatewayQuotaSupport(client) : null

  const startedAt = now()
  const runId = await store.startRun({
    instance,
    trigger,
    startedAt,
    apply: settings.apply,
    threshold: settings.threshold,
    providers: settings.providers,
    settings: {
      concurrency: settings.concurrency,
      timeoutMs: settings.timeoutMs,
      policySource: settings.policySource,
      accounts: opts.accounts ?? null,
    },
  })

  let fatal: unknown = null
  const stop = () => fatal !== null || Boolean(opts.signal?.aborted)
  const results: InspectResult[] = []
  try {
    // 1. probe, bounded
    const probed = await mapPool(
      entries,
      settings.concurrency,
      async (entry): Promise<Probed> => {
        const ref = accountRef(entry)
        const probe = probes.get(ref.provider)
        const viaGateway = gatewayQuota?.providers.has(ref.provider) ?? false
        if (!probe && !viaGateway) return {ref, outcome: null, skippedReason: `no quota probe for provider '${ref.provider}'`, attempts: 0, checkedAt: now()}
        if (!ref.authIndex) return {ref, outcome: null, skippedReason: 'no auth_index (gateway older than v6.3.56?)', attempts: 0, checkedAt: now()}
        if (viaGateway) {
          try {
            const outcome = await fetchGatewayQuota(client, ref.authIndex, settings.threshold, gatewayQuota!.pluginOf.get(ref.provider), settings.timeoutMs)
            if (outcome) return {ref, outcome, skippedReason: null, attempts: 1, checkedAt: now()}
            if (!probe) return {ref, outcome: null, skippedReason: `the gateway has no quota provider for this credential and cpactl no probe for '${ref.provider}'`, attempts: 1, checkedAt: now()}
          } catch (error) {
            if (isFatal(error)) {
              fatal ??= error
              return {ref, outcome: null, skippedReason: 'not probed: the run stopped', attempts: 1, checkedAt: now()}
            }
            return {ref, outcome: probeFailure(error, settings.timeoutMs, 1), skippedReason: null, attempts: 1, checkedAt: now()}
          }
        }
        if (!probe) return {ref, outcome: null, skippedReason: `no quota probe for provider '${ref.provider}'`, attempts: 0, checkedAt: now()}
        let attempts = 0
        const call = async (req: UpstreamCall): Promise<UpstreamAnswer> => {
          for (let retry = 0; ; retry++) {
            attempts++
            await opts.hooks?.beforeCall?.(ref.name, attempts)
            try {
              const res = await apiCall(client, {authIndex: ref.authIndex!, ...req}, {timeoutMs: settings.timeoutMs})
              return {status: res.statusCode, header: res.header, body: res.body}
            } catch (error) {
              // only our own deadline is retried, once; never a 401/403 (the IP-ban counter), never other gateway
              // answers
              if (error instanceof UpstreamError && error.code === 'timeout' && retry === 0 && !stop()) continue
              throw error
            }
          }
        }
        opts.hooks?.onProbeStart?.(ref.name)
        try {
          const outcome = await probe.probe({entry, threshold: settings.threshold, nowMs: now(), call})
          return {ref, outcome, skippedReason: null, attempts, checkedAt: now()}
        } catch (error) {
          if (isFatal(error)) {
            fatal ??= error
            return {ref, outcome: null, skippedReason: 'not probed: the run stopped', attempts, checkedAt: now()}
          }
          return {ref, outcome: probeFailure(error, settings.timeoutMs, attempts), skippedReason: null, attempts, checkedAt: now()}
        } finally {
          opts.hooks?.onProbeEnd?.(ref.name)
        }
      },
      stop,
    )

    // 2. decide (ownership bookkeeping is local and happens in every mode)
    const planned: Array<{result: InspectResult; ref: AccountRef; write: 'disable' | 'enable' | null; ownershipId: number | null}> = []
    for (const p of probed) {
      if (!p) continue
      const {ref} = p
      const outcome: ProbeOutcome = p.outcome ?? {
        classification: 'probe_failed',
        httpStatus: null,
        plan: null,
        windows: emptyWindows(),
        disableEvidence: false,
        reason: p.skippedReason ?? 'not probed',
      }
      const classification: Classification = p.outcome ? p.outcome.classification : 'skipped'
      const owned = await store.openOwnership(instance, ref.name, ref.authIndex)
      let ownership: Ownership = {state: 'none'}
      if (owned) {
        if (!ref.disabled) {
          await store.releaseOwnership(owned.id, {at: now(), by: 'external', runId})
        } else if (owned.modtime && ref.modtime && owned.modtime !== ref.modtime) {
          ownership = {state: 'lost', why: `the file changed after cpactl disabled it (${owned.modtime} → ${ref.modtime})`}
          await store.releaseOwnership(owned.id, {at: now(), by: 'external', runId})
        } else {
          ownership = {state: 'owned'}
        }
      }
      const decision = decide({classification, disableEvidence: outcome.disableEvidence}, ref.disabled, ownership)
      const reason = [p.outcome ? outcome.reason : (p.skippedReason ?? 'skipped'), decision.note].filter(Boolean).join('; ')
      const result: InspectResult = {
        name: ref.name,
        provider: ref.provider,
        authIndex: ref.authIndex,
        email: ref.email,
        label: ref.label,
        plan: outcome.plan,
        disabled: ref.disabled,
        windows: outcome.windows,
        httpStatus: outcome.httpStatus,
        classification,
        action: decision.action,
        actionTaken: null,
        reason,
        attempts: p.attempts,
        checkedAt: new Date(p.checkedAt).toISOString(),
      }
      planned.push({result, ref, write: decision.write, ownershipId: ownership.state === 'owned' ? (owned?.id ?? null) : null})
      results.push(result)
    }

    // 3. write, one at a time, each after a fresh identity check
    for (const item of planned) {
      if (!item.write) continue
      const {result, ref, write} = item
      if (!writeAllowed(write, settings.apply)) {
        result.reason += `; not applied (--apply ${settings.apply}; ${write} needs --apply ${write} or all)`
        continue
      }
      if (fatal !== null || opts.signal?.aborted) {
        result.actionTaken = 'skipped'
        result.reason += `; not ${write}d: the run stopped`
        continue
      }
      try {
        await opts.hooks?.beforeWrite?.({name: ref.name, authIndex: ref.authIndex, write})
        const check = await verifyIdentity(client, ref)
        if (!check.ok) {
          result.actionTaken = 'skipped'
          result.reason += `; not ${write}d: ${check.reason}`
          continue
        }
        await setAuthFileDisabled(client, {name: ref.name, authIndex: ref.authIndex ?? undefined}, write === 'disable')
      } catch (error) {
        if (isFatal(error)) fatal ??= error
        result.actionTaken = 'failed'
        result.reason += `; ${write} failed: ${(error as Error).message}`
        continue
      }
      result.actionTaken = write === 'disable' ? 'disabled' : 'enabled'
      // ownership bookkeeping; the write itself has happened whatever follows
      if (write === 'disable') {
        // the file's modtime right after our write: a later change means someone else touched it
        const after = await listAuthFiles(client).catch(() => [] as AuthFileEntry[])
        const mine = after.find((e) => e.name === ref.name && str(e.auth_index) === ref.authIndex)
        await store.recordDisable({
          instance,
          name: ref.name,
          authIndex: ref.authIndex!,
          provider: ref.provider,
          at: now(),
          runId,
          classification: result.classification,
          reason: result.reason,
          modtime: str(mine?.modtime),
        })
      } else if (item.ownershipId !== null) {
        await store.releaseOwnership(item.ownershipId, {at: now(), by: 'cpactl', runId})
      }
    }
  } catch (error) {
    fatal ??= error
  }

  const summary = summarize(results)
  const finishedAt = now()
  await store.saveResults(runId, instance, results)
  const interrupted = Boolean(opts.signal?.aborted)
  const failure = fatal as (Error & {code?: string}) | null
  await store.finishRun(runId, {
    finishedAt,
    status: interrupted ? 'interrupted' : failure ? 'failed' : 'completed',
    summary,
    errorCode: failure ? (typeof failure.code === 'string' ? failure.code : 'internal_error') : null,
    errorMessage: failure ? failure.message : null,
  })
  if (interrupted) throw (opts.signal?.reason as Error) ?? new CancelledError()
  if (failure) throw failure
  return {
    run: {
      id: runId,
      instance,
      startedAt: new Date(startedAt).toISOString(),
      finishedAt: new Date(finishedAt).toISOString(),
      applied: settings.apply,
      threshold: settings.threshold,
      providers: settings.providers,
      trigger,
    },
    results,
    summary,
    warnings: partialWarnings(results).map(reportWarning),
  }
}
