/**
 * Run a cpactl command in-process, the way a user would type it, and capture everything a script would see:
 * stdout, stderr, the exit code (the same in human and --json modes) and the parsed JSON document.
 */
import {Config, Plugin, run} from '@oclif/core'
import {captureOutput} from '@oclif/test'
import {spawn} from 'node:child_process'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {Readable} from 'node:stream'
import {fileURLToPath} from 'node:url'

export const projectRoot = fileURLToPath(new URL('../..', import.meta.url))

let configPromise: Promise<Config> | null = null
function loadConfig(): Promise<Config> {
  // ignoreManifest: tests always see the commands in src/ (the manifest's freshness has its own test)
  configPromise ??= (async () => {
    // oclif creates the root plugin without passing ignoreManifest on, so a stale oclif.manifest.json would hide
    // new commands: build the root plugin ourselves from the command files.
    const root = new Plugin({root: projectRoot, isRoot: true, ignoreManifest: true} as never)
    await root.load()
    const config = await Config.load({root: projectRoot, plugins: new Map([[root.name, root]])} as never)
    // oclif's in-memory manifest points each command at its compiled file under dist/ (stale or absent in a
    // test run); dropping relativePath makes oclif import the TypeScript source through tsx instead.
    const manifest = (root as unknown as {manifest: {commands: Record<string, {relativePath?: string[]}>}}).manifest
    for (const cached of Object.values(manifest.commands)) delete cached.relativePath
    return config
  })()
  return configPromise
}

export interface RunResult<T = any> {
  stdout: string
  stderr: string
  exitCode: number
  /** stdout parsed as JSON when it is JSON, else undefined. */
  json: T
  error?: Error
}

export interface RunOptions {
  /** Extra environment for this run (undefined deletes a variable). */
  env?: Record<string, string | undefined>
  /** Text served on standard input. */
  stdin?: string
}

export async function runCli<T = any>(argv: string[], options: RunOptions = {}): Promise<RunResult<T>> {
  const config = await loadConfig()
  const saved: Record<string, string | undefined> = {}
  for (const [k, v] of Object.entries(options.env ?? {})) {
    saved[k] = process.env[k]
    if (v === undefined) delete process.env[k]
    else process.env[k] = v
  }
  const savedStdin = Object.getOwnPropertyDescriptor(process, 'stdin')
  if (options.stdin !== undefined) {
    Object.defineProperty(process, 'stdin', {value: Readable.from([Buffer.from(options.stdin)]), configurable: true})
  }
  process.exitCode = undefined
  try {
    // argv is passed through as given (runCommand would join and re-split it on spaces)
    const res = await captureOutput<T>(() => run(argv, config), {stripAnsi: true})
    const error = res.error as (Error & {oclif?: {exit?: number}; exitCode?: number}) | undefined
    let exitCode: number
    if (error) exitCode = typeof error.exitCode === 'number' ? error.exitCode : (error.oclif?.exit ?? 1)
    else exitCode = typeof process.exitCode === 'number' ? process.exitCode : Number(process.exitCode ?? 0)
    let json: any
    try {
      json = res.stdout.trim() ? JSON.parse(res.stdout) : undefined
    } catch {
      json = undefined
    }
    return {stdout: res.stdout, stderr: res.stderr, exitCode, json, error}
  } finally {
    process.exitCode = undefined
    if (savedStdin) Object.defineProperty(process, 'stdin', savedStdin)
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  }
}

/** A fresh temp directory (config/data dirs, stores, key files). */
export function tempDir(prefix = 'cpactl-'): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

export interface BinaryRun {
  code: number | null
  stdout: string
  stderr: string
}

/**
 * Run the built binary (bin/run.js over dist/) in a child process with a minimal environment of its own: PATH,
 * a fresh HOME (`home`, else a new temp dir) with cpactl's config and data dirs inside it, NO_COLOR, plus `env`.
 */
export function runBinary(args: string[], env: Record<string, string> = {}, options: {bin?: string; home?: string} = {}): Promise<BinaryRun> {
  return new Promise((resolve) => {
    const home = options.home ?? tempDir()
    const child = spawn(process.execPath, [options.bin ?? join(projectRoot, 'bin', 'run.js'), ...args], {
      env: {PATH: process.env.PATH ?? '', HOME: home, CPACTL_CONFIG_DIR: join(home, 'c'), CPACTL_DATA_DIR: join(home, 'd'), NO_COLOR: '1', ...env},
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('close', (code) => resolve({code, stdout, stderr}))
  })
}
