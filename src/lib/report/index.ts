/**
 * Entry points of the `report` commands: each opens the store (which must exist), loads the price book, builds
 * one result and closes the store. Commands call exactly one of these.
 */
import type {GatewayClient} from '../gateway/client.js'
import {refreshAccountLabels} from './account-labels.js'
import {buildBreakdown, type BreakdownOptions, type BreakdownResult} from './breakdown.js'
import {loadPriceBook, withStore} from './context.js'
import {buildEvents, type EventsOptions, type EventsResult} from './events.js'
import {buildFailures, type FailuresOptions, type FailuresResult} from './failures.js'
import {buildSummary, type SummaryOptions, type SummaryResult} from './summary.js'
import {buildTimeline, type TimelineOptions, type TimelineResult} from './timeline.js'

type NoPrices<T> = Omit<T, 'prices'>

export async function summaryReport(storePath: string, o: NoPrices<SummaryOptions>): Promise<SummaryResult> {
  return withStore(storePath, (s) => buildSummary(s, {...o, prices: loadPriceBook(s)}))
}

/** Where to read account names from first (`--refresh-accounts`): the gateway's auth-file list. */
export interface AccountRefresh {
  client: GatewayClient
  instance: string
}

export async function breakdownReport(storePath: string, o: NoPrices<BreakdownOptions> & {refreshAccounts?: AccountRefresh}): Promise<BreakdownResult> {
  return withStore(storePath, async (s) => {
    if (o.refreshAccounts) await refreshAccountLabels(s, o.refreshAccounts.client, o.refreshAccounts.instance)
    return buildBreakdown(s, {...o, prices: loadPriceBook(s)})
  })
}

export async function timelineReport(storePath: string, o: NoPrices<TimelineOptions>): Promise<TimelineResult> {
  return withStore(storePath, (s) => buildTimeline(s, {...o, prices: loadPriceBook(s)}))
}

export async function failuresReport(storePath: string, o: NoPrices<FailuresOptions> & {refreshAccounts?: AccountRefresh}): Promise<FailuresResult> {
  return withStore(storePath, async (s) => {
    if (o.refreshAccounts) await refreshAccountLabels(s, o.refreshAccounts.client, o.refreshAccounts.instance)
    return buildFailures(s, {...o, prices: loadPriceBook(s)})
  })
}

export async function eventsReport(storePath: string, o: NoPrices<EventsOptions>): Promise<EventsResult> {
  return withStore(storePath, (s) => buildEvents(s, {...o, prices: loadPriceBook(s)}))
}

export type {BreakdownResult, BreakdownRow, BreakdownKind} from './breakdown.js'
export type {EventsResult, EventItem} from './events.js'
export type {FailuresResult, FailureRow, CredentialClass} from './failures.js'
export type {SummaryResult, SummaryTotals} from './summary.js'
export type {TimelineResult, TimelineRow} from './timeline.js'
export type {Metrics, ExplainModel} from './metrics.js'
export type {ReportWarning} from './engine.js'
