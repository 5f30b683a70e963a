import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {localStamp} from '../../../src/lib/sim/log-files.js'
import {call, startSurface, type SurfaceEnv} from './surface-harness.js'

let env: SurfaceEnv
beforeEach(async () => {
  env = await startSurface()
})
afterEach(async () => {
  await env.close()
})

const unix = (ms: number) => Math.floor(ms / 1000)

describe('/logs', () => {
  it('is 400 "logging to file disabled" (GET and DELETE) until logging-to-file is on; lines are dropped meanwhile', async () => {
    env.accounts.appendLog('before enabling')
    expect(await call(env, 'GET', '/logs')).toMatchObject({status: 400, json: {error: 'logging to file disabled'}})
    expect(await call(env, 'DELETE', '/logs')).toMatchObject({status: 400, json: {error: 'logging to file disabled'}})
    expect(await call(env, 'PUT', '/logging-to-file', {json: {value: true}})).toMatchObject({status: 200})
    const res = await call(env, 'GET', '/logs')
    expect(res).toMatchObject({status: 200, json: {lines: [], 'line-count': 0}})
  })

  it('prefixes lines with [YYYY-MM-DD HH:MM:SS] local time; tail with limit; after filter; cursor', async () => {
    env.setConfig('logging-to-file', true)
    const t = env.clock.now
    env.accounts.logs.append('first', t - 3000)
    env.accounts.logs.append('second', t - 2000)
    env.accounts.logs.append('  continuation without timestamp', t - 2000)
    env.accounts.logs.append(`[${localStamp(t, env.accounts.tzOffsetMinutes)}] [warn] third`)
    const stamp = (ms: number) => `[${localStamp(ms, env.accounts.tzOffsetMinutes)}]`

    const all = await call(env, 'GET', '/logs')
    expect(all.json.lines).toEqual([
      `${stamp(t - 3000)} [info] first`,
      `${stamp(t - 2000)} [info] second`,
      `${stamp(t - 2000)} [info]   continuation without timestamp`,
      `${stamp(t)} [warn] third`,
    ])
    expect(all.json['line-count']).toBe(4)
    expect(all.json['latest-timestamp']).toBe(unix(t))
    expect(all.json['cursor-reset']).toBeUndefined()

    const tail = await call(env, 'GET', '/logs?limit=2')
    expect(tail.json.lines).toEqual([`${stamp(t - 2000)} [info]   continuation without timestamp`, `${stamp(t)} [warn] third`])
    expect(tail.json['line-count']).toBe(4) // counts every line of every file

    const after = await call(env, 'GET', `/logs?after=${unix(t - 3000)}`)
    expect(after.json.lines).toHaveLength(3)
    expect(after.json['line-count']).toBe(4)
    const afterAll = await call(env, 'GET', `/logs?after=${unix(t) + 100}`)
    expect(afterAll.json).toMatchObject({lines: [], 'latest-timestamp': unix(t) + 100})

    // cursor: nothing new, then only the new lines
    const cursor = all.json['next-cursor'] as string
    expect(cursor).not.toBe('')
    const none = await call(env, 'GET', `/logs?cursor=${encodeURIComponent(cursor)}`)
    expect(none.json).toEqual({lines: [], 'line-count': 0, 'latest-timestamp': unix(t), 'next-cursor': cursor})
    env.accounts.logs.append('fourth', t + 1000)
    env.accounts.logs.append('fifth', t + 2000)
    const more = await call(env, 'GET', `/logs?cursor=${encodeURIComponent(cursor)}&limit=1`)
    expect(more.json.lines).toEqual([`${stamp(t + 1000)} [info] fourth`])
    expect(more.json['latest-timestamp']).toBe(unix(t + 1000))
    const rest = await call(env, 'GET', `/logs?cursor=${encodeURIComponent(more.json['next-cursor'])}`)
    expect(rest.json.lines).toEqual([`${stamp(t + 2000)} [info] fifth`])
    expect(rest.json['cursor-reset']).toBeUndefined()
  })

  it('answers cursor-reset with a fresh tail after a rotation, and includes rotated files in plain reads', async () => {
    env.setConfig('logging-to-file', true)
    env.accounts.appendLog('old one')
    env.accounts.appendLog('old two')
    const cursor = (await call(env, 'GET', '/logs')).json['next-cursor']
    env.accounts.rotateLogs()
    env.accounts.appendLog('new one')
    const res = await call(env, 'GET', `/logs?cursor=${encodeURIComponent(cursor)}&limit=2`)
    expect(res.json['cursor-reset']).toBe(true)
    expect(res.json.lines.map((l: string) => l.replace(/^\[[^\]]+\] \[info\] /, ''))).toEqual(['old two', 'new one'])
    const plain = await call(env, 'GET', '/logs')
    expect(plain.json.lines.map((l: string) => l.replace(/^\[[^\]]+\] \[info\] /, ''))).toEqual(['old one', 'old two', 'new one'])
    // a garbage cursor also resets
    expect((await call(env, 'GET', '/logs?cursor=garbage')).json['cursor-reset']).toBe(true)
  })

  it('validates limit', async () => {
    env.setConfig('logging-to-file', true)
    expect(await call(env, 'GET', '/logs?limit=abc')).toMatchObject({status: 400, json: {error: 'invalid limit: must be a positive integer'}})
    expect(await call(env, 'GET', '/logs?limit=0')).toMatchObject({status: 400, json: {error: 'invalid limit: must be greater than zero'}})
  })

  it('DELETE removes rotated files, truncates main.log and resets cursors', async () => {
    env.setConfig('logging-to-file', true)
    env.accounts.appendLog('a')
    env.accounts.rotateLogs()
    env.accounts.appendLog('b')
    env.accounts.rotateLogs()
    env.accounts.appendLog('c')
    const cursor = (await call(env, 'GET', '/logs')).json['next-cursor']
    expect(await call(env, 'DELETE', '/logs')).toMatchObject({status: 200, json: {success: true, message: 'Logs cleared successfully', removed: 2}})
    expect((await call(env, 'GET', '/logs')).json).toMatchObject({lines: [], 'line-count': 0})
    expect((await call(env, 'GET', `/logs?cursor=${encodeURIComponent(cursor)}`)).json['cursor-reset']).toBe(true)
  })
})

describe('request logs', () => {
  it('lists error logs newest first, empty while request-log is true; downloads by name and by request id', async () => {
    const t = env.clock.now
    const older = env.accounts.logs.addRequestLog('a1b2c3d4', 'older error body', {error: true, at: t - 60_000})
    const newer = env.accounts.logs.addRequestLog('0badf00d', 'newer error body', {error: true, at: t})
    const normal = env.accounts.logs.addRequestLog('feedbeef', 'full request log', {at: t})
    const list = await call(env, 'GET', '/request-error-logs')
    expect(list).toMatchObject({
      status: 200,
      json: {
        files: [
          {name: newer.name, size: Buffer.byteLength('newer error body'), modified: unix(t)},
          {name: older.name, size: Buffer.byteLength('older error body'), modified: unix(t - 60_000)},
        ],
      },
    })
    expect(newer.name).toMatch(/^error-.*-0badf00d\.log$/)

    const dl = await call(env, 'GET', `/request-error-logs/${encodeURIComponent(older.name)}`)
    expect(dl.status).toBe(200)
    expect(dl.text).toBe('older error body')
    expect(dl.headers.get('content-disposition')).toBe(`attachment; filename="${older.name}"`)
    expect(await call(env, 'GET', `/request-error-logs/${encodeURIComponent(normal.name)}`)).toMatchObject({status: 404, json: {error: 'log file not found'}})
    expect(await call(env, 'GET', '/request-error-logs/error-missing.log')).toMatchObject({status: 404, json: {error: 'log file not found'}})
    expect(await call(env, 'GET', '/request-error-logs/..%5Cx.log')).toMatchObject({status: 400, json: {error: 'invalid log file name'}})

    const byId = await call(env, 'GET', '/request-log-by-id/feedbeef')
    expect(byId).toMatchObject({status: 200, text: 'full request log'})
    expect((await call(env, 'GET', '/request-log-by-id/a1b2c3d4')).text).toBe('older error body')
    expect(await call(env, 'GET', '/request-log-by-id/00000000')).toMatchObject({status: 404, json: {error: 'log file not found for the given request ID'}})
    // Only the path form is registered (corrected 2026-12): the query form is an unknown route.
    for (const path of ['/request-log-by-id?id=a1b2c3d4', '/request-log-by-id']) {
      const unknown = await call(env, 'GET', path)
      expect({status: unknown.status, text: unknown.text, version: unknown.headers.get('x-cpa-version')}).toEqual({status: 404, text: '', version: env.sim.version})
    }

    env.setConfig('request-log', true)
    expect((await call(env, 'GET', '/request-error-logs')).json).toEqual({files: []})
  })
})
