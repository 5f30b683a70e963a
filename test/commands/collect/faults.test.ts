import {execFileSync} from 'node:child_process'
import {existsSync, mkdtempSync, readdirSync, statSync, writeFileSync} from 'node:fs'
import {createServer, request as httpRequest, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {openStore} from '../../../src/lib/store/index.js'
import {requireCapability} from '../../helpers/capability.js'
import {sqliteWritable} from '../../helpers/sqlite.js'
import {runCli} from '../../helpers/run.js'
import {SUITE_IS_V8, TEST_MANAGEMENT_KEY, useSimulator} from '../../helpers/sim.js'
import {storeView, tempStorePath} from './helpers.js'

/** A plain HTTP reverse proxy in front of the simulator: RESP cannot cross it (the proxy answers HTTP). */
async function startHttpProxy(targetPort: number): Promise<Server & {url: string}> {
  const server = createServer((req, res) => {
    const upstream = httpRequest({host: '127.0.0.1', port: targetPort, path: req.url, method: req.method, headers: req.headers}, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers)
      up.pipe(res)
    })
    upstream.on('error', () => res.destroy())
    req.pipe(upstream)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return Object.assign(server, {url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`})
}

/** A small tmpfs to fill up (needs root with mount rights, as in CI's container); null when not allowed. */
function smallDisk(sizeKb: number): {dir: string; resize(kb: number): void; release(): void} | null {
  const dir = mkdtempSync(join(tmpdir(), 'cpactl-full-'))
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k,mode=0700`, 'tmpfs', dir], {stdio: 'ignore'})
  } catch {
    return null
  }
  return {
    dir,
    resize: (kb) => execFileSync('mount', ['-o', `remount,size=${kb}k`, dir], {stdio: 'ignore'}),
    release: () => execFileSync('umount', [dir], {stdio: 'ignore'}),
  }
}
const canMount = requireCapability(
  'a small tmpfs mount (full-disk tests)',
  (() => {
    const d = smallDisk(64)
    d?.release()
    return d !== null
  })(),
  'run the suite as root on Linux with mount(8) (CI does)',
)

describe('cpactl collect: faults and bad input', () => {
  const ctx = useSimulator({seed: 5})
  const servers: Server[] = []
  afterAll(() => {
    for (const s of servers) s.close()
  })

  it('a wrong key: exit 4 after exactly one rejected attempt (the API probe, with the key) and zero pops, no RESP connection, key never printed', async () => {
    const sim = ctx.sim
    sim.preload(20)
    const before = sim.counters()
    const conns = sim.respLog().length
    const http = sim.httpLog().length
    const wrong = 'definitely-not-the-key'
    const res = await runCli(['collect', '--store', tempStorePath(), '--json'], {env: ctx.env(wrong)})
    expect(res.exitCode).toBe(4)
    expect(res.json.error.code).toBe('auth_failed')
    const after = sim.counters()
    expect(after.popped).toBe(before.popped)
    expect(after.authFailures - before.authFailures).toBe(1)
    expect(sim.httpLog().slice(http).map((e) => [e.path, e.status])).toEqual([['/v0/management/config', 401]])
    expect(sim.respLog().slice(conns)).toHaveLength(0)
    expect(res.stdout + res.stderr).not.toContain(wrong)
    sim.unban()
  })

  it('a wrong key over HTTP: exit 4 after exactly one request (GET /config), nothing popped', async () => {
    const sim = ctx.sim
    const before = sim.counters()
    const http = sim.httpLog().length
    const res = await runCli(['collect', '--store', tempStorePath(), '--transport', 'http', '--json'], {env: ctx.env('nope-nope-nope')})
    expect(res.exitCode).toBe(4)
    const log = sim.httpLog().slice(http)
    expect(log.map((e) => [e.path, e.status])).toEqual([['/v0/management/config', 401]])
    expect(sim.counters().popped).toBe(before.popped)
    expect(sim.counters().authFailures - before.authFailures).toBe(1)
    sim.unban()
  })

  it('a banned IP: exit 4 ip_banned with the remaining time, nothing popped', async () => {
    const sim = ctx.sim
    sim.ban('127.0.0.1', 12 * 60_000)
    try {
      const popped = sim.counters().popped
      const res = await runCli(['collect', '--store', tempStorePath(), '--json'], {env: ctx.env()})
      expect(res.exitCode).toBe(4)
      expect(res.json.error.code).toBe('ip_banned')
      expect(res.json.error.message).toMatch(/try again in 1[12]m(\d+s)?$/)
      expect(res.json.error.details.remainingMs).toBeGreaterThan(11 * 60_000)
      expect(sim.counters().popped).toBe(popped)
    } finally {
      sim.unban()
    }
  })

  it('gateway down: exit 5, and the run log records the failure', async () => {
    const store = tempStorePath()
    const res = await runCli(['collect', '--store', store, '--json'], {env: {CPA_URL: 'http://127.0.0.1:9', CPA_MANAGEMENT_KEY: TEST_MANAGEMENT_KEY}})
    expect(res.exitCode).toBe(5)
    expect(res.json.error.code).toBe('unreachable')
    const runs = (await storeView(store)).runs
    expect(runs.map((r) => [r.status, r.error_code, r.popped])).toEqual([['failed', 'unreachable', 0]])
  })

  it('a store that cannot be written: non-zero exit before contacting the gateway, zero records popped', async () => {
    const sim = ctx.sim
    sim.preload(5)
    const before = sim.counters()
    const dir = mkdtempSync(join(tmpdir(), 'cpactl-ro-'))
    writeFileSync(join(dir, 'a-file'), 'x')
    const cases = [join(dir, 'a-file', 'cpactl.db'), dir /* a directory */]
    writeFileSync(join(dir, 'garbage.db'), 'definitely not sqlite '.repeat(300))
    cases.push(join(dir, 'garbage.db'))
    for (const store of cases) {
      const res = await runCli(['collect', '--store', store, '--json'], {env: ctx.env()})
      expect(res.exitCode, store).toBe(3)
      expect(res.json.error.code, store).toMatch(/^store_(unwritable|corrupt)$/)
    }
    const after = sim.counters()
    expect(after.popped).toBe(before.popped)
    expect(after.respCommands).toBe(before.respCommands)
    expect(after.httpRequests).toBe(before.httpRequests)
  })

  it('a store locked by another writer: exit 7 store_busy, zero records popped', async () => {
    const sim = ctx.sim
    const store = tempStorePath()
    await (await openStore({path: store})).close()
    const holder = sqliteWritable(store)
    holder.exec('BEGIN IMMEDIATE')
    try {
      sim.preload(3)
      const popped = sim.counters().popped
      const res = await runCli(['collect', '--store', store, '--json'], {env: ctx.env()})
      expect(res.exitCode).toBe(7)
      expect(res.json.error.code).toBe('store_busy')
      expect(sim.counters().popped).toBe(popped)
    } finally {
      holder.exec('ROLLBACK')
      holder.close()
    }
  }, 15_000)

  it.skipIf(!canMount)('a full disk before the run: exit 3 store_full, zero records popped', async () => {
    const disk = smallDisk(256)!
    try {
      writeFileSync(join(disk.dir, 'filler'), Buffer.alloc(200 * 1024))
      const sim = ctx.sim
      sim.preload(20)
      const before = sim.counters()
      const res = await runCli(['collect', '--store', join(disk.dir, 'cpactl.db'), '--json'], {env: ctx.env()})
      expect(res.exitCode).toBe(3)
      expect(res.json.error.code).toBe('store_full')
      expect(sim.counters().popped).toBe(before.popped)
      expect(sim.counters().respCommands).toBe(before.respCommands)
    } finally {
      disk.release()
    }
  })

  it.skipIf(!canMount)('the disk fills up mid-drain: the failed batch is spooled into the reserved room, exit 3; after freeing space nothing is missing', async () => {
    const disk = smallDisk(3 * 1024)!
    try {
      const sim = ctx.sim
      const store = join(disk.dir, 'cpactl.db')
      await runCli(['collect', '--store', store], {env: ctx.env()}) // leftovers of earlier tests
      const base = (await storeView(store)).events
      sim.preload(8_000)
      const before = sim.counters().popped
      const res = await runCli(['collect', '--store', store, '--batch-size', '100', '--json'], {env: ctx.env()})
      expect(res.exitCode).toBe(3)
      expect(res.json.error.code).toBe('store_full')
      const popped = sim.counters().popped - before
      expect(popped).toBeLessThan(8_000)
      const spools = readdirSync(disk.dir).filter((n) => n.endsWith('.jsonl'))
      expect(spools).toHaveLength(1)
      disk.resize(64 * 1024)
      const again = await runCli(['collect', '--store', store, '--batch-size', '500', '--json'], {env: ctx.env()})
      expect(again.exitCode).toBe(0)
      expect(again.json.recovered).toBe(100)
      expect(again.json.popped).toBe(8_000 - popped)
      expect((await storeView(store)).events - base).toBe(8_000)
    } finally {
      disk.release()
    }
  })

  it('a write that fails after the pop: the batch goes to a 0600 spool file, exit non-zero, the next run stores it', async () => {
    const sim = ctx.sim
    const store = tempStorePath()
    await runCli(['collect', '--store', store], {env: ctx.env()}) // create the store (and drain what earlier tests left)
    const base = (await storeView(store)).events
    const s = sqliteWritable(store)
    s.exec("CREATE TRIGGER poison BEFORE INSERT ON usage_events WHEN NEW.request_id = 'deadbeef' BEGIN SELECT RAISE(ABORT, 'simulated write failure'); END")
    s.close()
    const records = sim.generate(25)
    const poisoned = JSON.parse(records[0].payload)
    poisoned.request_id = 'deadbeef'
    sim.pushRaw(JSON.stringify(poisoned)) // 26th record, in the third batch of 10
    const before = sim.counters()
    const res = await runCli(['collect', '--store', store, '--batch-size', '10', '--json'], {env: ctx.env()})
    expect(res.exitCode).toBe(3)
    expect(res.json.error.code).toBe('store_error')
    expect(sim.counters().popped - before.popped).toBe(26)
    const spools = readdirSync(dirname(store)).filter((n) => n.includes('.spool-'))
    expect(spools).toHaveLength(1)
    expect(statSync(join(dirname(store), spools[0])).mode & 0o777).toBe(0o600)
    let view = await storeView(store)
    expect(view.events - base).toBe(20)
    expect(view.runs.at(-1)).toMatchObject({status: 'failed', popped: 26, inserted: 20, spooled: 6})
    // the next run stores the spooled batch before popping anything
    const fix = sqliteWritable(store)
    fix.exec('DROP TRIGGER poison')
    fix.close()
    const again = await runCli(['collect', '--store', store, '--json'], {env: ctx.env()})
    expect(again.exitCode).toBe(0)
    expect(again.json).toMatchObject({recovered: 6, popped: 0})
    expect(readdirSync(dirname(store)).filter((n) => n.includes('.spool-'))).toEqual([])
    view = await storeView(store)
    expect(view.events - base).toBe(26)
  })

  it('auto falls back to HTTP when RESP cannot be established (gateway behind an HTTP reverse proxy)', async () => {
    const sim = ctx.sim
    const proxy = await startHttpProxy(sim.port)
    servers.push(proxy)
    sim.preload(30)
    const res = await runCli(['collect', '--store', tempStorePath(), '--json'], {env: {CPA_URL: proxy.url, CPA_MANAGEMENT_KEY: TEST_MANAGEMENT_KEY}})
    expect(res.exitCode).toBe(0)
    expect(res.json).toMatchObject({transport: 'http', popped: 30, inserted: 30})
    // v7: RESP was tried and could not cross the proxy; v8: auto does not try RESP at all
    if (SUITE_IS_V8) expect(res.json.warnings).toEqual([])
    else {
      expect(res.json.warnings[0].code).toBe('resp_fallback')
      expect(res.json.warnings[0].message).toMatch(/^RESP could not be established \(.*\); collecting over the HTTP usage queue$/)
    }
    // --transport resp does not fall back; nothing is popped
    sim.preload(5)
    const queued = sim.counters().queued
    const strict = await runCli(['collect', '--store', tempStorePath(), '--transport', 'resp', '--json'], {env: {CPA_URL: proxy.url, CPA_MANAGEMENT_KEY: TEST_MANAGEMENT_KEY}})
    if (SUITE_IS_V8) {
      // a v8 gateway whose port answers HTTP: the RESP usage output is not served (exit 8)
      expect(strict.exitCode).toBe(8)
      expect(strict.json.error.code).toBe('resp_not_served')
    } else {
      expect(strict.exitCode).toBe(5)
      expect(strict.json.error.code).toBe('resp_unavailable')
    }
    expect(sim.counters().queued).toBe(queued)
  })

  it('a pop reply cut off mid-way: exit 5 after storing the earlier batches; the records in the lost reply are gone at the gateway (no ack)', async () => {
    const sim = ctx.sim
    const store = tempStorePath()
    await runCli(['collect', '--store', store], {env: ctx.env()}) // drain leftovers first
    sim.preload(100)
    const before = sim.counters()
    sim.faults.dropMidReplyEvery = 3
    try {
      const res = await runCli(['collect', '--store', store, '--batch-size', '20', '--json'], {env: ctx.env()})
      expect(res.exitCode).toBe(5)
      expect(res.json.error.code).toBe(SUITE_IS_V8 ? 'unreachable' : 'resp_disconnected')
    } finally {
      sim.faults.dropMidReplyEvery = undefined
    }
    const after = sim.counters()
    expect(after.droppedReplies - before.droppedReplies).toBe(1)
    expect(after.popped - before.popped).toBe(60) // two delivered batches + the one cut off
    const view = await storeView(store)
    expect(view.runs.at(-1)).toMatchObject({status: 'failed', error_code: SUITE_IS_V8 ? 'unreachable' : 'resp_disconnected', popped: 40, inserted: 40})
    // the other 40 are still queued and the next run takes them
    const next = await runCli(['collect', '--store', store, '--json'], {env: ctx.env()})
    expect(next.json.popped).toBe(40)
  })

  it('refuses --transport subscribe without --follow: exit 2, no store created, nothing sent', async () => {
    const store = tempStorePath()
    const before = ctx.sim.counters()
    const res = await runCli(['collect', '--store', store, '--transport', 'subscribe', '--json'], {env: ctx.env()})
    expect(res.exitCode).toBe(2)
    expect(res.json.error.code).toBe('usage_error')
    expect(existsSync(store)).toBe(false)
    expect(ctx.sim.counters().respCommands).toBe(before.respCommands)
  })
})
