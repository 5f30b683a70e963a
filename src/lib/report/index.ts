/**
 * Entry points of the `report` commands: each opens the store (which must exist), loads the price book, builds
 * one result and closes the store. Commands call exactly one of these, and each loads only its own builder: a
 * report's start-up does not pay for the other reports' modules (issue 12).
 */
import type {GatewayClient} from '../gateway/client.js'
import type {BreakdownOptions, BreakdownResult} from './breakdown.js'
import {loadPriceBook, readStore, writeStore} from './context.js'
import type {EventsOptions, EventsResult} from './events.js'
import type {FailuresOptions, FailuresResult} from './failures.js'
import type {SummaryOptions, SummaryResult} from './summary.js'
import type {TimelineOptions, TimelineResult} from './timeline.js'

type NoPrices<T> = Omit<T, 'prices'>

export async function summaryReport(storePath: string, o: NoPrices<SummaryOptions>): Promise<SummaryResult> {
  const {buildSummary} = await import('./summary.js')
  return readStore(storePath, async (s) => buildSummary(s, {...o, prices: await loadPriceBook(s)}))
}

/** Where to read account names from first (`--refresh-accounts`): the gateway's auth-file list. */
export interface AccountRefresh {
  client: GatewayClient
  instance: string
}

/** `--refresh-accounts`: save the gateway's auth-file list first (the one write; the report itself reads only). */
async function refreshAccounts(storePath: string, r: AccountRefresh | undefined): Promise<void> {
  if (!r) return
  const {refreshAccountLabels} = await import('./account-labels.js')
  await writeStore(storePath, (s) => refreshAccountLabels(s, r.client, r.instance))
}

export async function breakdownReport(storePath: string, o: NoPrices<BreakdownOptions> & {refreshAccounts?: AccountRefresh}): Promise<BreakdownResult> {
  await refreshAccounts(storePath, o.refreshAccounts)
  const {buildBreakdown} = await import('./breakdown.js')
  return readStore(storePath, async (s) => buildBreakdown(s, {...o, prices: await loadPriceBook(s)}))
}

export async function timelineReport(storePath: string, o: NoPrices<TimelineOptions>): Promise<TimelineResult> {
  const {buildTimeline} = await import('./timeline.js')
  return readStore(storePath, async (s) => buildTimeline(s, {...o, prices: await loadPriceBook(s)}))
}

export async function failuresReport(storePath: string, o: NoPrices<FailuresOptions> & {refreshAccounts?: AccountRefresh}): Promise<FailuresResult> {
  await refreshAccounts(storePath, o.refreshAccounts)
  const {buildFailures} = await import('./failures.js')
  return readStore(storePath, async (s) => buildFailures(s, {...o, prices: await loadPriceBook(s)}))
}

export async function eventsReport(storePath: string, o: NoPrices<EventsOptions>): Promise<EventsResult> {
  const {buildEvents} = await import('./events.js')
  return readStore(storePath, async (s) => buildEvents(s, {...o, prices: await loadPriceBook(s)}))
}

export type {BreakdownResult, BreakdownKind} from './breakdown.js'
export type {EventsResult} from './events.js'
export type {FailuresResult} from './failures.js'
export type {SummaryResult} from './summary.js'
export type {TimelineResult} from './timeline.js'
