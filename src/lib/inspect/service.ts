/**
 * Entry points of the inspection commands (one per command; commands stay thin): open the store, resolve the
 * settings, run, close. `inspect run`, `inspect history`, `inspect show`, `quota`.
 */
import {UsageError} from '../cli/errors.js'
import type {GatewayClient} from '../gateway/client.js'
import type {InspectionRepository, InspectionRunRecord} from '../store/index.js'
import {resolveSettings, type SettingFlags} from './policy.js'
import {quotaView, type QuotaRow} from './quota.js'
import {partialWarnings, runInspection, summarize, type InspectHooks} from './run.js'
import {resolveTimeZone} from '../time/zone.js'
import type {InspectRunResult} from './types.js'
import type {ApplyMode, InspectSummary} from '../store/index.js'

async function withStore<T>(storePath: string, fn: (store: InspectionRepository) => Promise<T>): Promise<T> {
  const {withStore: withOpen} = await import('../store/index.js')
  return withOpen({path: storePath}, (s) => fn(s.inspections))
}

export interface InspectRunInput {
  client: GatewayClient
  storePath: string
  instance: string
  configDir: string
  flags: SettingFlags
  accounts?: string[] | null
  signal?: AbortSignal
  hooks?: InspectHooks
  now?: () => number
}

export async function inspectRun(input: InspectRunInput): Promise<InspectRunResult> {
  const settings = await resolveSettings(input.flags, input.configDir)
  return withStore(input.storePath, (store) =>
    runInspection({
      client: input.client,
      store,
      instance: input.instance,
      settings,
      accounts: input.accounts,
      signal: input.signal,
      hooks: input.hooks,
      now: input.now,
    }),
  )
}

/** One line of `inspect history`. */
export interface InspectionRunView {
  id: number
  instance: string
  trigger: 'inspect' | 'quota'
  startedAt: string
  finishedAt: string | null
  status: string
  applied: ApplyMode
  threshold: number
  providers: string[] | null
  summary: InspectSummary | null
  error: {code: string | null; message: string} | null
}

function runView(r: InspectionRunRecord): InspectionRunView {
  return {
    id: r.id,
    instance: r.instance,
    trigger: r.trigger,
    startedAt: new Date(r.startedAt).toISOString(),
    finishedAt: r.finishedAt === null ? null : new Date(r.finishedAt).toISOString(),
    status: r.status,
    applied: r.apply,
    threshold: r.threshold,
    providers: r.providers,
    summary: r.summary,
    error: r.errorMessage ? {code: r.errorCode, message: r.errorMessage} : null,
  }
}

export async function inspectHistory(input: {storePath: string; limit: number; instance?: string | null}): Promise<InspectionRunView[]> {
  return withStore(input.storePath, async (store) => (await store.listRuns({instance: input.instance ?? null, limit: input.limit})).map(runView))
}

/** `inspect show RUN`: the same document `inspect run` printed (RUN = id or `latest`). */
export async function inspectShow(input: {storePath: string; run: string}): Promise<InspectRunResult & {status: string}> {
  return withStore(input.storePath, async (store) => {
    let record: InspectionRunRecord | null
    if (input.run === 'latest') record = (await store.listRuns({limit: 1}))[0] ?? null
    else if (/^\d+$/.test(input.run)) record = await store.getRun(Number(input.run))
    else throw new UsageError(`RUN must be a run id or 'latest', not '${input.run}'`, {code: 'invalid_run'})
    if (!record) {
      throw new UsageError(`no inspection run ${input.run} in ${store.location}`, {code: 'run_not_found', hint: 'list runs with `cpactl inspect history`'})
    }
    const results = (await store.runResults(record.id)).map(({runId: _runId, ...r}) => r)
    return {
      run: {
        id: record.id,
        instance: record.instance,
        startedAt: new Date(record.startedAt).toISOString(),
        finishedAt: record.finishedAt === null ? null : new Date(record.finishedAt).toISOString(),
        applied: record.apply,
        threshold: record.threshold,
        providers: record.providers,
        trigger: record.trigger,
      },
      results,
      summary: record.summary ?? summarize(results),
      warnings: partialWarnings(results),
      status: record.status,
    }
  })
}

export interface QuotaInput {
  storePath: string
  instance: string
  tz: string | null
  providers: string[] | null
  accounts: string[] | null
  /** Probe first (report-only run, stored), then show. */
  refresh: null | {client: GatewayClient; configDir: string; flags: SettingFlags; signal?: AbortSignal}
}

export interface QuotaResult {
  rows: QuotaRow[]
  tz: string
  /** The refresh run, when --refresh was given. */
  refreshed: InspectRunResult | null
}

export async function quota(input: QuotaInput): Promise<QuotaResult> {
  const tz = resolveTimeZone(input.tz)
  return withStore(input.storePath, async (store) => {
    let refreshed: InspectRunResult | null = null
    if (input.refresh) {
      const settings = await resolveSettings({...input.refresh.flags, providers: input.providers ?? input.refresh.flags.providers, apply: 'none'}, input.refresh.configDir)
      refreshed = await runInspection({
        client: input.refresh.client,
        store,
        instance: input.instance,
        settings: {...settings, apply: 'none'},
        accounts: input.accounts,
        trigger: 'quota',
        signal: input.refresh.signal,
      })
    }
    const rows = await quotaView({store, instance: input.instance, tz, providers: input.providers, accounts: input.accounts})
    return {rows, tz, refreshed}
  })
}
