/**
 * Entry points of the `report` commands: each opens the store (which must exist), loads the price book, builds
 * one result and closes the store. Commands call exactly one of these.
 */
import type {GatewayClient} from '../gateway/client.js'
import {refreshAccountLabels} from './account-labels.js'
import {buildBreakdown, type BreakdownOptions, type BreakdownResult} from './breakdown.js'
import {loadPriceBook, readStore, writeStore} from './context.js'
import {buildEvents, type EventsOptions, type EventsResult} from './events.js'
import {buildFailures, type FailuresOptions, type FailuresResult} from './failures.js'
import {buildSummary, type SummaryOptions, type SummaryResult} from './summary.js'
import {buildTimeline, type TimelineOptions, type TimelineResult} from './timeline.js'

type NoPrices<T> = Omit<T, 'prices'>

export async function summaryReport(storePath: string, o: NoPrices<SummaryOptions>): Promise<SummaryResult> {
  return readStore(storePath, async (s) => buildSummary(s, {...o, prices: await loadPriceBook(s)}))
}

/** Where to read account names from first (`--refresh-accounts`): the gateway's auth-file list. */
export interface AccountRefresh {
  client: GatewayClient
  instance: string
}

/** `--refresh-accounts`: save the gateway's auth-file list first (the one write; the report itself reads only). */
async function refreshAccounts(storePath: string, r: AccountRefresh | undefined): Promise<void> {
  if (r) await writeStore(storePath, (s) => refreshAccountLabels(s, r.client, r.instance))
}

export async function breakdownReport(storePath: string, o: NoPrices<BreakdownOptions> & {refreshAccounts?: AccountRefresh}): Promise<BreakdownResult> {
  await refreshAccounts(storePath, o.refreshAccounts)
  return readStore(storePath, async (s) => buildBreakdown(s, {...o, prices: await loadPriceBook(s)}))
}

export async function timelineReport(storePath: string, o: NoPrices<TimelineOptions>): Promise<TimelineResult> {
  return readStore(storePath, async (s) => buildTimeline(s, {...o, prices: await loadPriceBook(s)}))
}

export async function failuresReport(storePath: string, o: NoPrices<FailuresOptions> & {refreshAccounts?: AccountRefresh}): Promise<FailuresResult> {
  await refreshAccounts(storePath, o.refreshAccounts)
  return readStore(storePath, async (s) => buildFailures(s, {...o, prices: await loadPriceBook(s)}))
}

export async function eventsReport(storePath: string, o: NoPrices<EventsOptions>): Promise<EventsResult> {
  return readStore(storePath, async (s) => buildEvents(s, {...o, prices: await loadPriceBook(s)}))
}

export type {BreakdownResult, BreakdownKind} from './breakdown.js'
export type {EventsResult} from './events.js'
export type {FailuresResult} from './failures.js'
export type {SummaryResult} from './summary.js'
export type {TimelineResult} from './timeline.js'
