/**
 * vitest globalSetup: a throwaway PostgreSQL cluster for the whole test run. initdb + pg_ctl in a temporary
 * directory — as the `postgres` user when running as root (initdb refuses root) — listening on a free loopback
 * port, stopped and deleted afterwards. Test files get their own database from it (test/helpers/pg.ts), so parallel
 * forks never share one.
 *
 * Authentication (pg_hba.conf): the superuser `postgres` connects over TCP without a password (the tests'
 * admin connection); every other role needs its password (scram-sha-256), so the tests can exercise
 * passwords from the URL, PGPASSWORD and ~/.pgpass, and a rejected login.
 *
 * When the server cannot start: under CI (CI=true) the run fails; elsewhere the PostgreSQL variants of the
 * suites are skipped and this says so loudly.
 */
import {execFileSync, spawnSync} from 'node:child_process'
import {chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {TestProject} from 'vitest/node'

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin URL of the test cluster (superuser, no password), or '' when PostgreSQL is not available. */
    pgAdminUrl: string
  }
}

function binDir(): string | null {
  const root = '/usr/lib/postgresql'
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a))
    if (versions.length > 0) return join(root, versions[0], 'bin')
  }
  const which = spawnSync('sh', ['-c', 'command -v initdb'], {encoding: 'utf8'})
  return which.status === 0 ? join(which.stdout.trim(), '..') : null
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as {port: number}).port
      s.close(() => resolve(port))
    })
  })
}

let stop: (() => void) | null = null

export async function setup(project: TestProject): Promise<void> {
  const bin = binDir()
  const fail = (why: string) => {
    if (process.env.CI === 'true') throw new Error(`PostgreSQL for the tests could not start (${why}); CI never skips these tests`)
    const bar = '!'.repeat(100)
    process.stderr.write(`\n${bar}\n!! PostgreSQL tests SKIPPED: ${why}\n!! install it (apt-get install -y postgresql) to run the PostgreSQL variants of the store, collect and report suites\n${bar}\n\n`)
    project.provide('pgAdminUrl', '')
  }
  if (!bin) return fail('initdb not found (no postgresql package)')
  const root = process.getuid?.() === 0
  const dir = mkdtempSync(join(tmpdir(), 'cpactl-pg-'))
  chmodSync(dir, 0o755) // the postgres user must reach it
  const data = join(dir, 'data')
  const as = (cmd: string, args: string[]) => (root ? execFileSync('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args], {stdio: 'pipe'}) : execFileSync(join(bin, cmd), args, {stdio: 'pipe'}))
  if (root) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], {encoding: 'utf8'}).trim())
    const gid = Number(execFileSync('id', ['-g', 'postgres'], {encoding: 'utf8'}).trim())
    chownSync(dir, uid, gid)
  }
  const port = await freePort()
  try {
    as('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync'])
    writeFileSync(
      join(data, 'pg_hba.conf'),
      ['local all all trust', 'host all postgres 127.0.0.1/32 trust', 'host all all 127.0.0.1/32 scram-sha-256', ''].join('\n'),
    )
    const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c shared_buffers=128MB`
    as('pg_ctl', ['-D', data, '-l', join(dir, 'log.txt'), '-w', '-t', '60', '-o', opts, 'start'])
  } catch (error) {
    const e = error as {stderr?: Buffer; message: string}
    rmSync(dir, {recursive: true, force: true})
    return fail(`${e.message.split('\n')[0]} ${e.stderr?.toString().trim() ?? ''}`.trim())
  }
  stop = () => {
    try {
      as('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop'])
    } catch {
      // already gone
    }
    rmSync(dir, {recursive: true, force: true})
  }
  project.provide('pgAdminUrl', `postgres://postgres@127.0.0.1:${port}/postgres`)
}

export async function teardown(): Promise<void> {
  stop?.()
  stop = null
}
