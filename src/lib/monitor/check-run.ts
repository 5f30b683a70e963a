/**
 * Entry points of the `check` commands: evaluate (reading the store read-only, or probing live for quota),
 * then — with --notify — open the store writable for the check states only and deliver the changes. A store
 * that cannot record states makes every notification fail (reported), never the check.
 */
import type {GatewayClient} from '../gateway/client.js'
import type {SettingFlags} from '../inspect/policy.js'
import {loadPriceBook, readStore, writeStore} from '../report/context.js'
import {maskLocation, type Store, type StoredResult} from '../store/index.js'
import {checkCollector, type CollectorCheckOptions, type CollectorItem} from './check-collector.js'
import {checkQuota, type QuotaCheckOptions, type QuotaItem} from './check-quota.js'
import type {CheckItem, CheckResult, Evaluation, NotificationResult} from './check-types.js'
import {checkBudget, checkFailures, type BudgetCheckOptions, type BudgetItem, type FailuresCheckOptions, type FailuresItem} from './check-usage.js'
import {probeQuotaLive} from './live-quota.js'
import {notifyChanges, type NotifySettings} from './notify.js'

export interface CheckContext {
  storePath: string
  notify: NotifySettings | null
  now: number
}

async function finish<I extends CheckItem>(ctx: CheckContext, e: Evaluation<I>): Promise<CheckResult<I>> {
  const result: CheckResult<I> = {...e, notifications: [], checkedAt: new Date(ctx.now).toISOString()}
  if (!ctx.notify || ctx.notify.webhooks.length === 0) return result
  const notify = ctx.notify
  try {
    result.notifications = await writeStore(ctx.storePath, (s) => notifyChanges(s.checks, result, notify, ctx.now), {create: true})
  } catch (error) {
    // a PostgreSQL URL may carry a password: shown masked
    const message = `cannot keep check states in ${maskLocation(ctx.storePath)}, nothing was sent: ${(error as Error).message}`
    result.notifications = notify.webhooks.map(
      (w): NotificationResult => ({receiver: w.masked, receiverId: w.id, format: notify.format, changes: [], delivered: false, attempts: 0, status: null, error: message}),
    )
  }
  return result
}

export async function collectorCheck(ctx: CheckContext, o: Omit<CollectorCheckOptions, 'now'>): Promise<CheckResult<CollectorItem>> {
  return finish(ctx, await readStore(ctx.storePath, (s) => checkCollector(s, {...o, now: ctx.now})))
}

export interface QuotaSource {
  /** Instances to read the latest inspection of (null: every instance with one). */
  instances: string[] | null
  live: null | {client: GatewayClient; instance: string; configDir: string; flags: Pick<SettingFlags, 'concurrency' | 'timeoutMs'>; signal?: AbortSignal}
}

async function storedResults(store: Store, instances: string[] | null): Promise<Array<{instance: string; result: StoredResult}>> {
  const names = instances && instances.length > 0 ? instances : [...new Set((await store.inspections.listRuns({limit: 500})).map((r) => r.instance))].sort()
  const out: Array<{instance: string; result: StoredResult}> = []
  for (const instance of names) for (const result of await store.inspections.latestResults(instance)) out.push({instance, result})
  return out
}

export async function quotaCheck(ctx: CheckContext, src: QuotaSource, o: Omit<QuotaCheckOptions, 'now' | 'maxInspectionAgeMs'> & {maxInspectionAgeMs: number}): Promise<CheckResult<QuotaItem>> {
  const live = src.live
  const results = live
    ? (await probeQuotaLive({...live, providers: o.providers, accounts: o.accounts})).map((result) => ({instance: live.instance, result}))
    : await readStore(ctx.storePath, (s) => storedResults(s, src.instances))
  return finish(ctx, checkQuota(results, {...o, now: ctx.now, maxInspectionAgeMs: live ? null : o.maxInspectionAgeMs}))
}

export async function failuresCheck(ctx: CheckContext, o: Omit<FailuresCheckOptions, 'prices'>): Promise<CheckResult<FailuresItem>> {
  return finish(ctx, await readStore(ctx.storePath, async (s) => checkFailures(s, {...o, prices: await loadPriceBook(s)})))
}

export async function budgetCheck(ctx: CheckContext, o: Omit<BudgetCheckOptions, 'prices' | 'now'>): Promise<CheckResult<BudgetItem>> {
  return finish(ctx, await readStore(ctx.storePath, async (s) => checkBudget(s, {...o, now: ctx.now, prices: await loadPriceBook(s)})))
}

