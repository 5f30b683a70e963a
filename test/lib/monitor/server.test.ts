// `metrics --listen` over a real socket: the exporter serves the store as it is at each scrape, negotiates
// OpenMetrics with Prometheus's own Accept header, serves nothing but /metrics, reports an unreadable store as
// 503, and stops on SIGTERM (exit 0) — the last part through the real process.
import {spawn} from 'node:child_process'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {metricsExposition} from '../../../src/lib/monitor/metrics.js'
import {negotiate, parseListen, serveMetrics, type ServeResult} from '../../../src/lib/monitor/server.js'
import type {Store} from '../../../src/lib/store/index.js'
import {parseExposition, sum} from '../../helpers/prom.js'
import {projectRoot, tempDir} from '../../helpers/run.js'
import {makeRecords, storeWith} from '../report/helpers.js'

/** What Prometheus 3 sends when scraping (scrape_protocols default order). */
const PROMETHEUS_ACCEPT =
  'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1'

describe('parseListen and negotiate', () => {
  it('parses PORT, HOST:PORT, [v6]:PORT; a bare port binds loopback', () => {
    expect(parseListen('9464')).toEqual({host: '127.0.0.1', port: 9464, loopback: true})
    expect(parseListen(':9464')).toEqual({host: '127.0.0.1', port: 9464, loopback: true})
    expect(parseListen('127.0.0.2:1')).toEqual({host: '127.0.0.2', port: 1, loopback: true})
    expect(parseListen('localhost:9464').loopback).toBe(true)
    expect(parseListen('[::1]:9464')).toEqual({host: '::1', port: 9464, loopback: true})
    expect(parseListen('0.0.0.0:9464').loopback).toBe(false)
    expect(parseListen('[::]:9464').loopback).toBe(false)
    expect(parseListen('10.1.2.3:9464').loopback).toBe(false)
    for (const bad of ['', 'x', '1.2.3.4', '1.2.3.4:99999', '[zz]:80', '::1:80', 'a:b:80']) expect(() => parseListen(bad), bad).toThrow(/invalid --listen/)
  })

  it('chooses OpenMetrics only when the scraper prefers it', () => {
    expect(negotiate(PROMETHEUS_ACCEPT, 'prometheus')).toBe('openmetrics')
    expect(negotiate('text/plain;version=0.0.4', 'openmetrics')).toBe('prometheus')
    expect(negotiate('text/plain;q=0.9,application/openmetrics-text;q=0.5', 'openmetrics')).toBe('prometheus')
    expect(negotiate(undefined, 'openmetrics')).toBe('openmetrics')
    expect(negotiate('*/*', 'prometheus')).toBe('prometheus')
    expect(negotiate('application/json', 'openmetrics')).toBe('prometheus')
  })
})

describe('serveMetrics over a real socket', () => {
  let store: Store
  let path: string
  let url: string
  const ac = new AbortController()
  let served: Promise<ServeResult>

  beforeAll(async () => {
    const now = Date.now()
    ;({store, path} = await storeWith(makeRecords({count: 300, from: now - 3_600_000, to: now - 60_000, seed: 5}), 'edge'))
    await store.close()
    let ready!: (u: string) => void
    const listening = new Promise<string>((r) => (ready = r))
    served = serveMetrics({
      address: parseListen('127.0.0.1:0'),
      allowPublic: false,
      defaultFormat: 'prometheus',
      render: (format) => metricsExposition({storePath: path, format, maxSeries: 5000}),
      signal: ac.signal,
      onListening: ready,
    })
    url = await listening
  })
  afterAll(async () => {
    ac.abort()
    await served
  })

  it('GET /metrics: the store as a Prometheus scrape reads it, in either format', async () => {
    const text = await fetch(url)
    expect(text.status).toBe(200)
    expect(text.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8')
    expect(sum(parseExposition(await text.text()), 'cpactl_requests_total', {gateway: 'edge'})).toBe(300)
    const om = await fetch(url, {headers: {accept: PROMETHEUS_ACCEPT}})
    expect(om.headers.get('content-type')).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8')
    const body = await om.text()
    expect(body.endsWith('# EOF\n')).toBe(true)
    expect(sum(parseExposition(body), 'cpactl_requests_total')).toBe(300)
  })

  it('concurrent scrapes all get the full exposition; HEAD, other paths and methods', async () => {
    const all = await Promise.all(Array.from({length: 5}, () => fetch(url).then((r) => r.text())))
    for (const t of all) expect(sum(parseExposition(t), 'cpactl_requests_total')).toBe(300)
    const head = await fetch(url, {method: 'HEAD'})
    expect(head.status).toBe(200)
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(100)
    expect((await fetch(url.replace('/metrics', '/other'))).status).toBe(404)
    expect((await fetch(url.replace('/metrics', '/'))).status).toBe(200)
    const post = await fetch(url, {method: 'POST', body: 'x'})
    expect(post.status).toBe(405)
    expect(post.headers.get('allow')).toBe('GET, HEAD')
  })

  it('an unreadable store answers 503 (once reported), and the exporter keeps serving', async () => {
    const errors: string[] = []
    const missing = join(tempDir(), 'missing.db')
    const ac2 = new AbortController()
    let ready!: (u: string) => void
    const listening = new Promise<string>((r) => (ready = r))
    const s = serveMetrics({
      address: parseListen('127.0.0.1:0'),
      allowPublic: false,
      defaultFormat: 'prometheus',
      render: (format) => metricsExposition({storePath: missing, format, maxSeries: 100}),
      signal: ac2.signal,
      onListening: ready,
      onError: (m) => errors.push(m),
    })
    const u = await listening
    for (let i = 0; i < 3; i++) {
      const r = await fetch(u)
      expect(r.status).toBe(503)
      expect(await r.text()).toMatch(/no store at/)
    }
    expect(errors, JSON.stringify(errors)).toHaveLength(1)
    ac2.abort()
    expect(await s).toMatchObject({scrapes: 0, failedScrapes: 3})
  })
})

describe('cpactl metrics --listen as a process', () => {
  it('serves until SIGTERM, then exits 0', async () => {
    const now = Date.now()
    const {store, path} = await storeWith(makeRecords({count: 50, from: now - 600_000, to: now - 1000, seed: 9}), 'proc')
    await store.close()
    const dir = tempDir()
    const child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'bin', 'dev.js'), 'metrics', '--listen', '127.0.0.1:0', '--store', path], {
      env: {...process.env, CPACTL_CONFIG_DIR: join(dir, 'c'), CPACTL_DATA_DIR: join(dir, 'd'), NO_COLOR: '1'},
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)))
    const address = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (d) => {
        stderr += d
        const m = /serving (http:\/\/\S+)/.exec(stderr)
        if (m) resolve(m[1])
      })
      child.on('close', () => reject(new Error(`exited before listening: ${stderr}`)))
    })
    const res = await fetch(address)
    expect(sum(parseExposition(await res.text()), 'cpactl_requests_total', {gateway: 'proc'})).toBe(50)
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
    expect(stdout).toBe('')
    await expect(fetch(address)).rejects.toThrow()
  }, 60_000)
})
