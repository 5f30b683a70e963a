/**
 * `cpactl sim start`: the lib function (runSimulatorCommand) in-process, and one real process spawned with
 * tsx that is stopped with SIGTERM.
 */
import {spawn} from 'node:child_process'
import {mkdtempSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'

import {runSimulatorCommand, type SimStartOptions} from '../../../src/lib/sim/run-command.js'

const root = fileURLToPath(new URL('../../..', import.meta.url))

const base: SimStartOptions = {port: 0, host: '127.0.0.1', records: 0, rate: 0, seed: 1, faults: [], statsOnExit: false}

/** Run the command until `body` finishes, then stop it like SIGINT would. */
async function runWith(opts: Partial<SimStartOptions>, body: (info: {url: string; key: string}) => Promise<void>) {
  const controller = new AbortController()
  const out: string[] = []
  const err: string[] = []
  let failure: unknown
  const done = runSimulatorCommand(
    {...base, ...opts},
    {
      signal: controller.signal,
      out: l => out.push(l),
      err: l => err.push(l),
      onStarted: async info => {
        try {
          await body({url: info.url, key: readFileSync(info.keyFile, 'utf8').trim()})
        } catch (error) {
          failure = error
        } finally {
          controller.abort()
        }
      },
    },
  )
  const result = await done
  if (failure) throw failure
  return {result, out, err}
}

const get = (url: string, key: string, path: string) =>
  fetch(`${url}/v0/management${path}`, {headers: {authorization: `Bearer ${key}`}})

describe('runSimulatorCommand', () => {
  it('prints the URL on stdout, generates a 0600 key file and prints only its path', async () => {
    let keyText = ''
    const {result, out, err} = await runWith({records: 7}, async ({url, key}) => {
      keyText = key
      const r = await get(url, key, '/usage-queue?count=100')
      expect(r.status).toBe(200)
      expect(await r.json()).toHaveLength(7)
    })
    expect(out).toEqual([result.url])
    expect(result.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(result.keySource).toBe('generated')
    expect(statSync(result.keyFile).mode & 0o777).toBe(0o600)
    expect(keyText.length).toBeGreaterThanOrEqual(43) // 32 random bytes, base64url
    expect(err.join('\n')).toContain(result.keyFile)
    expect([...out, ...err].join('\n')).not.toContain(keyText)
    expect(err.at(-1)).toBe('cpactl sim: stopped')
  })

  it('--version 8.0.x serves /v8/management too, sends the version as given, RESP off unless --resp-usage; --v8-revision early adds the quota routes', async () => {
    const {err} = await runWith({version: '8.0.23', v8Revision: 'early', configLayout: 'v8'}, async ({url, key}) => {
      const r = await fetch(`${url}/v8/management/config/config-version`, {headers: {authorization: `Bearer ${key}`}})
      expect(r.status).toBe(200)
      expect(r.headers.get('x-cpa-version')).toBe('8.0.23')
      expect(await r.json()).toBe(8)
      const raw = await (await get(url, key, '/config.yaml')).text()
      expect(raw).toMatch(/^config-version: 8$/m) // --config-layout v8: migrated from the start
      const quota = await fetch(`${url}/v8/management/credentials/quota/providers`, {headers: {authorization: `Bearer ${key}`}})
      expect(quota.status).toBe(200)
    })
    expect(err.join('\n')).toMatch(/simulated gateway 8\.0\.23 on http:\/\/127\.0\.0\.1:\d+ \(HTTP; \/v8\/management \(early 8\.0\.x\) and \/v0\/management\)/)
    const withResp = await runWith({version: 'v8.0.5', respUsage: true}, async ({url, key}) => {
      expect((await get(url, key, '/config')).headers.get('x-cpa-version')).toBe('v8.0.5')
    })
    expect(withResp.err.join('\n')).toContain('(HTTP and RESP; /v8/management (later 8.0.x) and /v0/management)')
    const home = await runWith({version: '8.0.23', homeMode: true}, async ({url, key}) => {
      const r = await get(url, key, '/config')
      expect(r.status).toBe(404)
      expect(await r.text()).toBe('')
    })
    expect(home.result.url).toMatch(/^http:/)
  })

  it('reads --key-file, honours --version, --ban-duration, --retention and --fault, prints stats on exit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cpactl-simcmd-'))
    const keyFile = join(dir, 'key')
    writeFileSync(keyFile, 'file-provided-key\n', {mode: 0o600})
    const {result, out, err} = await runWith(
      {keyFile, version: '7.1.50', banDuration: '10s', retentionSeconds: 120, faults: ['5xx=1:502', 'malformed-every=2'], statsOnExit: true, records: 4},
      async ({url, key}) => {
        expect(key).toBe('file-provided-key')
        expect((await get(url, key, '/config')).status).toBe(502)
        const cfg = await get(url, key, '/config')
        expect(cfg.headers.get('x-cpa-version')).toBe('7.1.50')
        expect(((await cfg.json()) as Record<string, unknown>)["redis-usage-queue-retention-seconds"]).toBe(120)
        const items = (await (await get(url, key, '/usage-queue?count=10')).json()) as unknown[]
        expect(items).toHaveLength(6) // 4 records + a malformed payload after every 2nd
        for (let i = 0; i < 5; i++) await get(url, 'bad', '/config')
        expect(await (await get(url, key, '/config')).json()).toEqual({
          error: 'IP banned due to too many failed attempts. Try again in 10s',
        })
      },
    )
    expect(result.keySource).toBe('file')
    expect(err[0]).toBe(`cpactl sim: management key read from ${keyFile}`)
    const stats = JSON.parse(err.at(-2)!)
    expect(stats.counters).toMatchObject({generated: 4, preloaded: 6, malformed: 2, popped: 6, authFailures: 5, bans: 1, injected5xx: 1})
    expect(stats.totals.requests).toBe(4)
    expect(out.join('\n')).not.toContain('file-provided-key')
  })

  it('spreads preloaded records back over --spread (default the retention window), reproducibly for a --seed', async () => {
    const records = async (opts: Partial<SimStartOptions>) => {
      let got: Array<{timestamp: string; latency_ms: number}> = []
      await runWith({records: 40, ...opts}, async ({url, key}) => {
        got = (await (await get(url, key, '/usage-queue?count=100')).json()) as typeof got
      })
      const publish = got.map(r => Date.parse(r.timestamp) + r.latency_ms)
      const newest = Math.max(...publish)
      // auth_index derives from the auth file's absolute path, and each run has its own temp auth dir
      const indexes = [...new Set(got.map(r => (r as {auth_index?: string}).auth_index))]
      // access tokens are minted from the start time (iat), so their hashes differ between runs
      const relative = got.map((r, i) => ({...r, timestamp: publish[i]! - newest, auth_index: indexes.indexOf((r as {auth_index?: string}).auth_index), access_token_sha256: undefined}))
      return {span: newest - Math.min(...publish), relative}
    }
    const hour = await records({spread: '1h', seed: 9})
    expect(hour.span).toBe(3_600_000)
    const again = await records({spread: '1h', seed: 9})
    expect(again.relative).toEqual(hour.relative)
    expect((await records({spread: '1h', seed: 10})).relative).not.toEqual(hour.relative)
    expect((await records({seed: 9, retentionSeconds: 300})).span).toBe(300_000)
    expect((await records({seed: 9})).span).toBe(60_000)
  })

  it('--plugins switches the scripted plugins on; --oauth auto=0s completes logins at once', async () => {
    await runWith({plugins: true, oauth: 'auto=0s'}, async ({url, key}) => {
      expect(((await (await get(url, key, '/plugins')).json()) as {plugins_enabled: boolean}).plugins_enabled).toBe(true)
      const {state} = (await (await get(url, key, '/codex-auth-url')).json()) as {state: string}
      expect(await (await get(url, key, `/get-auth-status?state=${state}`)).json()).toEqual({status: 'ok'})
    })
  })

  it('fails with typed errors: bad fault (2), unreadable key file (3), port in use (3)', async () => {
    const signal = new AbortController().signal
    const io = {signal, out: () => {}, err: () => {}}
    await expect(runSimulatorCommand({...base, faults: ['boom=1']}, io)).rejects.toMatchObject({exitCode: 2, code: 'invalid_fault'})
    await expect(runSimulatorCommand({...base, keyFile: '/nonexistent/key'}, io)).rejects.toMatchObject({exitCode: 3, code: 'key_file_unreadable'})
    await expect(runSimulatorCommand({...base, oauth: 'sometimes'}, io)).rejects.toMatchObject({exitCode: 2, code: 'invalid_oauth_mode'})
    await expect(runSimulatorCommand({...base, spread: 'soon'}, io)).rejects.toMatchObject({exitCode: 2, code: 'invalid_duration'})
    await expect(runSimulatorCommand({...base, panelFile: '/nonexistent/management.html'}, io)).rejects.toMatchObject({exitCode: 3, code: 'panel_file_unreadable'})
    const blocker = createServer()
    await new Promise<void>(resolve => blocker.listen(0, '127.0.0.1', resolve))
    const port = (blocker.address() as {port: number}).port
    await expect(runSimulatorCommand({...base, port}, io)).rejects.toMatchObject({exitCode: 3, code: 'listen_failed'})
    blocker.close()
  })
})

describe('cpactl sim start (spawned)', () => {
  it('runs in the foreground, prints the URL, stops cleanly on SIGTERM with exit 0', async () => {
    // Runs the command class directly (no manifest lookup), through oclif's argv parsing and base command.
    const code = `const {default: C} = await import(${JSON.stringify(join(root, 'src/commands/sim/start.ts'))}); await C.run(process.argv.slice(1), ${JSON.stringify(root)})`
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code, '--', '--port', '0', '--records', '5', '--stats-on-exit'], {
      cwd: root,
      env: {...process.env, NODE_ENV: 'production'},
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stderr.on('data', d => (stderr += d))
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL; stderr: ${stderr}`)), 20_000)
      child.stdout.on('data', d => {
        stdout += d
        if (stdout.includes('\n')) {
          clearTimeout(timer)
          resolve(stdout.split('\n')[0])
        }
      })
      child.on('exit', c => reject(new Error(`exited ${c}: ${stderr}`)))
    })
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({status: 'ok'})
    const keyFile = /into (\S+) \(mode 0600\)/.exec(stderr)?.[1]
    expect(keyFile).toBeDefined()
    const key = readFileSync(keyFile!, 'utf8').trim()
    const popped = await (await get(url, key, '/usage-queue?count=9')).json()
    expect(popped).toHaveLength(5)
    const exitCode = await new Promise<number | null>(resolve => {
      child.on('exit', c => resolve(c))
      child.kill('SIGTERM')
    })
    expect(exitCode).toBe(0)
    expect(stdout).toBe(`${url}\n`)
    expect(stderr).toContain('"popped":5')
    expect(stderr).toContain('cpactl sim: stopped')
    expect(stdout + stderr).not.toContain(key)
  })
})
