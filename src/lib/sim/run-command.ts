import {randomBytes} from 'node:crypto'
import {chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {formatDuration, parseDuration} from '../time/duration.js'
import {ConfigError, UsageError} from '../cli/errors.js'
import type {FaultOptions} from './faults.js'

/**
 * `cpactl sim start`: run the simulator in the foreground. Prints the URL as one line on stdout, where the
 * management key came from on stderr (a generated key goes into a new 0600 file whose PATH is printed,
 * never the key), and stops cleanly when `signal` fires (SIGINT/SIGTERM via the base command).
 */

export interface SimStartOptions {
  port: number
  host: string
  /** File holding the management key (first line, trimmed). Absent ⇒ generate one into a 0600 temp file. */
  keyFile?: string
  /** Records preloaded into the FIFO at start. */
  records: number
  /** Duration text the preloaded records are spread back over (default: the retention window). */
  spread?: string
  /** Live records per second (0 = none). */
  rate: number
  seed: number
  /** Gateway version to impersonate (X-CPA-VERSION and version gates). */
  version?: string
  /** `redis-usage-queue-retention-seconds` of the initial config. */
  retentionSeconds?: number
  /** Ban duration text (`30m`, `10s`, a bare number = seconds). */
  banDuration?: string
  /** `--fault` values: `malformed-every=N`, `latency=MS`, `drop-every=N`, `5xx=COUNT[:STATUS]`. */
  faults: string[]
  statsOnExit: boolean
  /** Credential directory (default: a temp dir removed on exit). */
  authDir?: string
  /** v8 only: 8.0.x revision (early: quota routes, docs-era roots; later: the current shape). */
  v8Revision?: 'early' | 'later'
  /** v8 only: serve the RESP usage output too (whether upstream v8 does is unknown). */
  respUsage?: boolean
  /** Initial config.yaml layout: legacy (default) or v8. */
  configLayout?: 'legacy' | 'v8'
  /** CPA Home mode: /v0 and /v8 answer a bare 404. */
  homeMode?: boolean
  /** Plugins on, with the scripted plugins installed. */
  plugins?: boolean
  /** `manual`, `auto[=DELAY]` or `error[=DELAY]`: what OAuth logins do without a callback. */
  oauth?: string
  /** A management panel page to serve at /management.html. */
  panelFile?: string
  /** Allow management calls from other hosts (`remote-management.allow-remote: true`). */
  allowRemote?: boolean
}

export interface SimStartIo {
  signal: AbortSignal
  /** One line to stdout. */
  out(line: string): void
  /** One line to stderr. */
  err(line: string): void
  /** Called once the simulator listens (tests use it to reach the instance). */
  onStarted?(info: {url: string; port: number; keyFile: string}): void
}

export interface SimStartResult {
  url: string
  port: number
  keySource: 'file' | 'generated'
  keyFile: string
  counters: Record<string, number>
  totals: {requests: number; failed: number; totalTokens: number}
}

function readKeyFile(path: string, err: (line: string) => void): string {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw new ConfigError(`cannot read the key file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
      code: 'key_file_unreadable',
    })
  }
  const key = text.split(/\r?\n/)[0]?.trim() ?? ''
  if (!key) throw new ConfigError(`the key file ${path} is empty`, {code: 'key_file_empty'})
  try {
    if ((statSync(path).mode & 0o077) !== 0) err(`Warning: the key file ${path} is readable by other users (chmod 600 it)`)
  } catch {
    // stat failing after a successful read is not worth failing for
  }
  return key
}

function generateKeyFile(): {key: string; path: string} {
  const dir = mkdtempSync(join(tmpdir(), 'cpactl-sim-'))
  const path = join(dir, 'management-key')
  const key = randomBytes(32).toString('base64url')
  writeFileSync(path, `${key}\n`, {mode: 0o600})
  chmodSync(path, 0o600)
  return {key, path}
}

/** `manual`, `auto[=DELAY]`, `error[=DELAY]` (DELAY default 3s). */
export function parseOAuthMode(text: string): {mode: 'manual' | 'auto' | 'error'; delayMs: number} {
  const m = /^(manual|auto|error)(?:=(.+))?$/.exec(text.trim())
  if (!m || (m[1] === 'manual' && m[2] !== undefined)) {
    throw new UsageError(`invalid --oauth '${text}': use manual, auto[=DELAY] or error[=DELAY]`, {code: 'invalid_oauth_mode'})
  }
  return {mode: m[1] as 'manual' | 'auto' | 'error', delayMs: m[2] === undefined ? 3000 : parseDuration(m[2], '--oauth delay')}
}

export async function runSimulatorCommand(opts: SimStartOptions, io: SimStartIo): Promise<SimStartResult> {
  const {parseFaultSpec} = await import('./faults.js')
  const faults: FaultOptions = {}
  for (const spec of opts.faults) {
    try {
      Object.assign(faults, parseFaultSpec(spec))
    } catch (error) {
      throw new UsageError((error as Error).message, {code: 'invalid_fault'})
    }
  }
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65_535) throw new UsageError(`invalid --port ${opts.port}`)
  if (opts.records < 0 || opts.rate < 0) throw new UsageError('--records and --rate must not be negative')
  const banDurationMs = opts.banDuration === undefined ? undefined : parseDuration(opts.banDuration, '--ban-duration')
  const spreadMs = opts.spread === undefined ? undefined : parseDuration(opts.spread, '--spread')
  const oauth = parseOAuthMode(opts.oauth ?? 'manual')
  if (opts.panelFile) {
    try {
      statSync(opts.panelFile)
    } catch (error) {
      throw new ConfigError(`cannot read the panel file ${opts.panelFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
        code: 'panel_file_unreadable',
      })
    }
  }

  let key: string
  let keyFile: string
  let keySource: SimStartResult['keySource']
  if (opts.keyFile) {
    key = readKeyFile(opts.keyFile, io.err)
    keyFile = opts.keyFile
    keySource = 'file'
  } else {
    const generated = generateKeyFile()
    key = generated.key
    keyFile = generated.path
    keySource = 'generated'
  }

  const {startSimulator} = await import('./index.js')
  let sim
  try {
    sim = await startSimulator({
      port: opts.port,
      host: opts.host,
      managementKey: key,
      seed: opts.seed,
      version: opts.version,
      retentionSeconds: opts.retentionSeconds,
      banDurationMs,
      faults,
      authDir: opts.authDir,
      v8Revision: opts.v8Revision,
      respUsage: opts.respUsage,
      configLayout: opts.configLayout,
      homeMode: opts.homeMode,
      plugins: opts.plugins,
      oauth,
      panelFile: opts.panelFile,
      allowRemote: opts.allowRemote,
    })
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      throw new ConfigError(`cannot listen on ${opts.host}:${opts.port} (${code})`, {code: 'listen_failed', hint: 'pick another --port (0 = any free port)'})
    }
    throw error
  }

  io.out(sim.url)
  io.err(
    keySource === 'file'
      ? `cpactl sim: management key read from ${keyFile}`
      : `cpactl sim: generated a management key into ${keyFile} (mode 0600); read it from there`,
  )
  const api = sim.v8Revision ? `/v8/management (${sim.v8Revision} 8.0.x) and /v0/management` : '/v0/management'
  const resp = sim.servesResp() ? ' and RESP' : ''
  io.err(
    `cpactl sim: simulated gateway ${sim.version} on ${sim.url} (HTTP${resp}; ${api}), seed ${opts.seed}, auth dir ${sim.accounts.authDir}; Ctrl-C to stop`,
  )
  // Spread back over the retention window by default, so every preloaded record is still poppable.
  if (opts.records > 0) {
    const spread = spreadMs ?? (opts.retentionSeconds ?? 60) * 1000
    sim.preload(opts.records, {spreadMs: spread})
    io.err(`cpactl sim: preloaded ${opts.records} usage records, timestamps spread over the last ${formatDuration(spread)}`)
  }
  if (opts.rate > 0) sim.startTraffic(opts.rate)
  io.onStarted?.({url: sim.url, port: sim.port, keyFile})

  await new Promise<void>(resolve => {
    if (io.signal.aborted) resolve()
    else io.signal.addEventListener('abort', () => resolve(), {once: true})
  })

  sim.stopTraffic()
  const counters = sim.counters() as unknown as Record<string, number>
  const {requests, failed, totalTokens, byModel, byAccount, byApiKey} = sim.totals()
  await sim.close()
  if (opts.statsOnExit) {
    io.err(JSON.stringify({counters, totals: {requests, failed, totalTokens, byModel, byAccount, byApiKey}}))
  }
  io.err('cpactl sim: stopped')
  return {url: sim.url, port: sim.port, keySource, keyFile, counters, totals: {requests, failed, totalTokens}}
}
