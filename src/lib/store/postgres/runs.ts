/**
 * The collector run log over PostgreSQL (the counterpart of ../runs.ts, same rows) and the collector lock:
 * one collector per gateway instance (issue 13). The lock is a session-level advisory lock keyed by the
 * instance (64 bits of SHA-256, so instances practically never collide), held on a session of its own for the
 * whole run: it vanishes with the process or its connection (kill -9 included). The holder also writes who it
 * is into collector_locks, so a contender's LockError (exit 7) names the holder's host and pid.
 */
import {createHash} from 'node:crypto'
import {hostname} from 'node:os'

import {LockError} from '../../cli/errors.js'
import type {CollectorLock, RunFinish, RunPoll, RunQuery, RunRecord, RunStart} from '../records.js'
import {RUN_FINISH_SQL, runFinishParams, runListSql, runPollParams, runPollSql, toRecord, type RunRow} from '../runs.js'
import type {RunRepository} from '../types.js'
import {connectPg, type PgConnection} from './connection.js'
import {pgError} from './errors.js'

/** The advisory-lock key of an instance's collector: a signed 64-bit integer, as text. */
export function collectorLockKey(instance: string): string {
  return createHash('sha256').update(`cpactl collector\u0000${instance}`).digest().readBigInt64BE(0).toString()
}

export class PgRuns implements RunRepository {
  /** Instances whose collector lock this store holds, newest last. */
  private readonly held: string[] = []

  constructor(private readonly c: PgConnection) {}

  /** The instance this process collects (the newest collector lock it holds), or null. */
  collecting(): string | null {
    return this.held.at(-1) ?? null
  }

  async lockCollector(purpose: string, instance: string): Promise<CollectorLock> {
    this.c.writable('take the collector lock')
    const session = await connectPg(this.c.target, {purpose: 'collector lock'})
    const key = collectorLockKey(instance)
    const where = this.c.location
    try {
      const got = (await session.query<{ok: boolean}>('SELECT pg_try_advisory_lock($1::bigint) AS ok', [key])).rows[0].ok
      if (!got) {
        const h = (await session.query<{host: string; pid: number; since: number; purpose: string}>('SELECT host, pid, since::float8 AS since, purpose FROM collector_locks WHERE instance = $1', [instance])).rows[0]
        await session.end().catch(() => {})
        const who = h ? `pid ${h.pid} on ${h.host} (${h.purpose} since ${new Date(h.since).toISOString()})` : 'another session'
        throw new LockError(`another collector holds the lock of instance ${instance} in ${where}: ${who}`, {
          code: 'collector_running',
          hint: 'one collector per gateway instance; wait for it or stop it (collectors of other instances may run meanwhile)',
          details: {instance, pid: h?.pid ?? null, host: h?.host ?? null, since: h?.since ?? null},
        })
      }
      await session.query(
        `INSERT INTO collector_locks (instance, host, pid, since, purpose) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (instance) DO UPDATE SET host = excluded.host, pid = excluded.pid, since = excluded.since, purpose = excluded.purpose`,
        [instance, hostname(), process.pid, Date.now(), purpose],
      )
    } catch (error) {
      await session.end().catch(() => {})
      throw pgError(error, where, 'take the collector lock')
    }
    let released = false
    const held = this.held
    held.push(instance)
    return {
      path: `${where}#collector:${instance}`,
      async release() {
        if (released) return
        released = true
        held.splice(held.lastIndexOf(instance), 1)
        await session.query('DELETE FROM collector_locks WHERE instance = $1 AND pid = $2 AND host = $3', [instance, process.pid, hostname()]).catch(() => {})
        await session.end().catch(() => {})
      },
    }
  }

  async start(start: RunStart): Promise<number> {
    return this.c.tx('record the run start', async () => {
      const r = await this.c.one<{id: number}>(
        'INSERT INTO collector_runs (instance, pid, mode, transport, started_at, status) VALUES (?, ?, ?, ?, ?, ?) RETURNING id',
        [start.instance, start.pid ?? process.pid, start.mode, start.transport, start.startedAt, 'running'],
      )
      return r!.id
    })
  }

  async finish(runId: number, f: RunFinish): Promise<void> {
    await this.c.tx('record the run end', () => this.c.query(RUN_FINISH_SQL, runFinishParams(runId, f)))
  }

  async recordPoll(runId: number, p: RunPoll): Promise<void> {
    // one statement (autocommit): the heartbeat runs between batches, every few seconds
    this.c.writable('record the collector heartbeat')
    await this.c.query(runPollSql('GREATEST'), runPollParams(runId, p), 'record the collector heartbeat', 'cpactl_heartbeat')
  }

  async recordSpooled(runId: number, count: number): Promise<void> {
    await this.c.tx('record spooled payloads', () => this.c.query('UPDATE collector_runs SET popped = popped + ?, spooled = spooled + ? WHERE id = ?', [count, count, runId]))
  }

  async get(id: number): Promise<RunRecord | null> {
    const r = await this.c.one<RunRow>('SELECT * FROM collector_runs WHERE id = ?', [id], 'read a run')
    return r ? toRecord(r) : null
  }

  async list(q: RunQuery = {}): Promise<RunRecord[]> {
    const {sql, params} = runListSql(q)
    return (await this.c.query<RunRow>(sql, params, 'list runs')).map(toRecord)
  }
}
