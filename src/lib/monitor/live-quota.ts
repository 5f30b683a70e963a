/**
 * `check quota --live`: probe the accounts now through the inspect service (runInspection: same probes, same
 * classification, report-only) without writing anything: the run goes to an in-memory inspection repository
 * that keeps nothing, so a check stays read-only (issue 15: checks write only their check states).
 */
import type {GatewayClient} from '../gateway/client.js'
import {resolveSettings, type SettingFlags} from '../inspect/policy.js'
import {runInspection} from '../inspect/run.js'
import type {InspectResult} from '../store/index.js'
import type {InspectionRepository, StoredResult} from '../store/index.js'

/** An InspectionRepository that remembers the one run it is given and persists nothing. */
function scratchInspections(): InspectionRepository & {results: InspectResult[]} {
  const results: InspectResult[] = []
  return {
    location: '(not stored)',
    results,
    startRun: async () => 0,
    finishRun: async () => {},
    saveResults: async (_run, _instance, r) => {
      results.push(...r)
    },
    openOwnership: async () => null,
    listOpenOwnership: async () => [],
    recordDisable: async () => {},
    releaseOwnership: async () => {},
    getRun: async () => null,
    listRuns: async () => [],
    runResults: async () => [],
    latestResults: async () => [],
    usageSince: async () => ({requests: 0, tokens: 0}),
  }
}

export interface LiveQuotaInput {
  client: GatewayClient
  instance: string
  configDir: string
  providers: string[] | null
  accounts: string[] | null
  flags: Pick<SettingFlags, 'concurrency' | 'timeoutMs'>
  signal?: AbortSignal
}

/** Probe now (apply none); results as if stored (runId 0). */
export async function probeQuotaLive(input: LiveQuotaInput): Promise<StoredResult[]> {
  const settings = await resolveSettings({...input.flags, providers: input.providers ?? undefined, apply: 'none'}, input.configDir)
  const store = scratchInspections()
  const run = await runInspection({
    client: input.client,
    store,
    instance: input.instance,
    settings: {...settings, apply: 'none'},
    accounts: input.accounts,
    trigger: 'quota',
    signal: input.signal,
  })
  return run.results.map((r) => ({...r, runId: 0}))
}
