/**
 * Base of the `report` commands: the shared flags and the one way to turn --since/--until/--tz (or the
 * profile's zone, else the system zone) into a range. Lives outside src/commands on purpose.
 */
import {Flags, type Command} from '@oclif/core'

import {BaseCommand} from './base-command.js'
import {limitFlag} from './flags.js'
import {filterFlags, filterInput, outputFlags, rangeFlags, sortFlag} from './report-flags.js'
import {breakdownReport, type AccountRefresh, type BreakdownKind, type BreakdownResult} from '../report/index.js'
import type {FilterInput} from '../report/filters.js'
import {resolveRange, type TimeRange} from '../report/range.js'
import {renderBreakdown} from '../report/render.js'

/** Flags every report command declares (spread into its own `flags`). */
export const reportFlags = {...rangeFlags, ...filterFlags, ...outputFlags}

/** Flags of the one-row-per-group reports (models, providers, accounts, api-keys). */
export const breakdownFlags = {
  ...reportFlags,
  sort: sortFlag,
  limit: limitFlag(100),
  all: Flags.boolean({description: 'Show every row (no --limit).', default: false}),
}

export abstract class ReportCommand<T extends typeof Command> extends BaseCommand<T> {
  private get reportFlags() {
    return this.flags as unknown as {since?: string; until?: string; tz?: string; store?: string; csv: boolean; 'no-header': boolean} & Parameters<typeof filterInput>[0]
  }

  /** The zone for day buckets and keywords: --tz / CPACTL_TZ, else the profile's, else the system's. */
  protected async reportTz(): Promise<string | null> {
    if (this.reportFlags.tz) return this.reportFlags.tz
    try {
      return (await this.profile())?.tz ?? null
    } catch {
      return null
    }
  }

  protected async reportRange(defaultSince = '24h'): Promise<TimeRange> {
    const f = this.reportFlags
    return resolveRange({since: f.since, until: f.until, tz: await this.reportTz(), defaultSince})
  }

  protected reportFilters(): FilterInput {
    return filterInput(this.reportFlags)
  }

  protected reportStore(): Promise<string> {
    return this.storePath(this.reportFlags.store)
  }

  /** The human view unless --json (the base command shows the result's warnings on stderr in every mode). */
  protected show<R>(result: R, render: (r: R) => void): void {
    this.display(result, render)
  }

  /** Run and show a one-row-per-group report (the whole body of models/providers/accounts/api-keys). */
  protected async breakdown(kind: BreakdownKind, extra: {explain?: boolean; refreshAccounts?: AccountRefresh} = {}): Promise<BreakdownResult> {
    const f = this.flags as unknown as {sort?: string; limit: number; all: boolean}
    const result = await breakdownReport(await this.reportStore(), {
      kind,
      range: await this.reportRange(),
      filters: this.reportFilters(),
      sort: f.sort as never,
      limit: f.all ? undefined : f.limit,
      ...extra,
    })
    this.show(result, (r) => renderBreakdown(r, this.renderOptions()))
    return result
  }

  protected renderOptions(): {csv: boolean; noHeader: boolean} {
    return {csv: this.reportFlags.csv, noHeader: this.reportFlags['no-header']}
  }
}
