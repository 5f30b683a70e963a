#!/usr/bin/env node
// Installs what users install and runs the installed copy (README "Install"; run by .ci/run, or
// `npm run test:install`): `npm pack`, `npm install -g` of the tarball into a temporary prefix with the
// README's flags, then only the installed `cpactl`: --version, config check on fixtures, a simulator →
// collect → report summary round trip with exact totals, the store lock (exit 7) and the cron wrapper, the
// README's bash completion step, and `systemd-analyze verify` of contrib/systemd.
//
// Catches what the in-repo suite cannot: files missing from `files`, imports of dev dependencies at run
// time, a missing bundled price catalogue, install scripts npm would warn about.
//
// Prints `ok`/`not ok` per check and `install test: N passed, N failed`; `--report FILE` also writes
// {passed, failed, notices, measurements} as JSON (.ci/run adds the counts to its own). A step that cannot
// run because an earlier one failed counts as failed, never as skipped. `--keep` keeps the temp directory.
import {spawn} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join, relative} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))
const args = process.argv.slice(2)
const reportFile = args.includes('--report') ? args[args.indexOf('--report') + 1] : null
const keep = args.includes('--keep')
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const readme = readFileSync(join(root, 'README.md'), 'utf8')

const tmp = mkdtempSync(join(tmpdir(), 'cpactl-install-'))
const prefix = join(tmp, 'prefix')
const home = join(tmp, 'home')
const installedDir = join(prefix, 'lib', 'node_modules', pkg.name)
const bin = join(prefix, 'bin', 'cpactl')

const results = {passed: 0, failed: 0, notices: [], measurements: {}}
const state = {}
let n = 0

/** Run one check; `needs` names earlier state without which it fails (not skips). */
async function check(name, needs, fn) {
  n++
  const missing = needs.filter((k) => state[k] === undefined)
  try {
    if (missing.length > 0) throw new CheckFailure(`cannot run: an earlier step did not provide ${missing.join(', ')}`)
    const note = await fn()
    results.passed++
    console.log(`ok ${n} - ${name}${note ? ` (${note})` : ''}`)
  } catch (error) {
    results.failed++
    const text = error instanceof CheckFailure ? error.message : String(error?.stack ?? error)
    console.log(`not ok ${n} - ${name}\n${text.replace(/^/gm, '    ')}`)
  }
}

class CheckFailure extends Error {}

function assert(cond, message) {
  if (!cond) throw new CheckFailure(message)
}

function equal(actual, expected, what) {
  assert(actual === expected, `${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`)
}

/** Spawn and collect output; resolves on exit (never rejects for a non-zero code). */
function run(cmd, argv, {env = {}, cwd = tmp, timeoutMs = 120_000, input} = {}) {
  return new Promise((resolve, reject) => {
    const started = Date.now()
    const child = spawn(cmd, argv, {cwd, env: {...baseEnv(), ...env}, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    if (input !== undefined) child.stdin.end(input)
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`${cmd} ${argv.join(' ')} timed out after ${timeoutMs} ms\n${stdout}\n${stderr}`))
    }, timeoutMs)
    child.on('error', (e) => {
      clearTimeout(timer)
      reject(e)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({code, signal, stdout, stderr, ms: Date.now() - started})
    })
  })
}

/** The installed cpactl, in a clean environment (no CPA_* from the caller, a temporary HOME). */
function baseEnv() {
  const env = {}
  for (const [k, v] of Object.entries(process.env)) if (!/^(CPA_|CPACTL_|npm_)/.test(k)) env[k] = v
  return {
    ...env,
    HOME: home,
    PATH: `${join(prefix, 'bin')}:${process.env.PATH ?? ''}`,
    CPACTL_CONFIG_DIR: join(tmp, 'config'),
    CPACTL_DATA_DIR: join(tmp, 'data'),
    NO_COLOR: '1',
  }
}

const cpactl = (argv, opts) => run(bin, argv, opts)

function json(res, what) {
  try {
    return JSON.parse(res.stdout)
  } catch {
    throw new Error(`${what}: stdout is not JSON (exit ${res.code})\n${res.stdout}\n${res.stderr}`)
  }
}

function describeRun(res) {
  return `exit ${res.code}${res.signal ? ` (${res.signal})` : ''}\nstdout: ${res.stdout.trim()}\nstderr: ${res.stderr.trim()}`
}

function du(path) {
  let total = 0
  const walk = (p) => {
    const st = statSync(p, {throwIfNoEntry: false})
    if (!st) return
    if (st.isDirectory()) for (const e of readdirSync(p)) walk(join(p, e))
    else if (st.isFile()) total += st.blocks * 512
  }
  walk(path)
  return total
}

const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`

/** Names of every package installed under dir/node_modules (nested included). */
function installedPackages(dir, out = new Set()) {
  const nm = join(dir, 'node_modules')
  if (!existsSync(nm)) return out
  for (const e of readdirSync(nm)) {
    if (e.startsWith('.')) continue
    const names = e.startsWith('@') ? readdirSync(join(nm, e)).map((s) => `${e}/${s}`) : [e]
    for (const name of names) {
      out.add(name)
      installedPackages(join(nm, name), out)
    }
  }
  return out
}

function filesUnder(dir, ext) {
  const out = []
  for (const e of readdirSync(dir, {withFileTypes: true})) {
    const p = join(dir, e.name)
    if (e.isDirectory()) out.push(...filesUnder(p, ext))
    else if (e.name.endsWith(ext)) out.push(p)
  }
  return out
}

/** A background process whose first stdout line is awaited (the simulator prints its URL). */
function startBackground(argv, env = {}) {
  const child = spawn(bin, argv, {cwd: tmp, env: {...baseEnv(), ...env}, stdio: ['ignore', 'pipe', 'pipe']})
  const proc = {child, stdout: '', stderr: '', exited: null}
  proc.closed = new Promise((resolve) => child.on('close', (code, signal) => resolve((proc.exited = {code, signal}))))
  child.stdout.on('data', (d) => (proc.stdout += d))
  child.stderr.on('data', (d) => (proc.stderr += d))
  proc.firstLine = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no output from cpactl ${argv.join(' ')} within 60 s\n${proc.stderr}`)), 60_000)
    child.stdout.on('data', () => {
      const i = proc.stdout.indexOf('\n')
      if (i >= 0) {
        clearTimeout(timer)
        resolve(proc.stdout.slice(0, i).trim())
      }
    })
    proc.closed.then(() => {
      clearTimeout(timer)
      reject(new Error(`cpactl ${argv.join(' ')} exited early: ${JSON.stringify(proc.exited)}\n${proc.stderr}`))
    })
  })
  proc.firstLine.catch(() => {}) // awaited only by callers that need it; an early exit shows in proc.exited
  proc.stop = async () => {
    if (!proc.exited) child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
    const r = await proc.closed
    clearTimeout(timer)
    return r
  }
  return proc
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

async function closedPort() {
  const srv = createServer()
  await new Promise((r) => srv.listen(0, '127.0.0.1', r))
  const {port} = srv.address()
  await new Promise((r) => srv.close(r))
  return port
}

/** The flags the README gives for `npm install -g ./cpactl-<version>.tgz`. */
function readmeInstallFlags() {
  const m = readme.match(/^npm install -g ((?:--[\w-]+(?:=\S+)? )*)\.\/cpactl-<?[\w.]+>?\.tgz\s*(?:#.*)?$/m)
  return m ? m[1].trim().split(/\s+/).filter(Boolean) : null
}

/** The README's one-step bash completion install. */
function readmeBashCompletion() {
  return readme.split('\n').find((l) => /^cpactl autocomplete .*script bash.*>> ~\/\.bashrc/.test(l)) ?? null
}

async function main() {
  console.log(`install test in ${tmp}`)
  const before = readFileSync(join(root, 'package.json'))

  await check('npm pack builds a tarball with dist/, the manifest, LICENSE and no sources or dev entry', [], async () => {
    const res = await run('npm', ['pack', '--json', '--pack-destination', tmp], {cwd: root, timeoutMs: 600_000, env: {HOME: process.env.HOME ?? home}})
    assert(res.code === 0, `npm pack failed: ${describeRun(res)}`)
    const at = res.stdout.search(/^\[/m)
    const info = JSON.parse(res.stdout.slice(at))[0]
    const files = info.files.map((f) => f.path)
    for (const need of ['bin/run.js', 'oclif.manifest.json', 'LICENSE', 'README.md', 'package.json', 'dist/commands/collect/index.js', 'dist/lib/sim/index.js'])
      assert(files.includes(need), `tarball lacks ${need}`)
    const stray = files.filter((f) => /^(src|test|bench|scripts|contrib)\//.test(f) || f === 'bin/dev.js' || f.endsWith('.ts'))
    assert(stray.length === 0, `tarball holds files users never run: ${stray.slice(0, 5).join(', ')}`)
    state.tarball = join(tmp, info.filename)
    results.measurements.tarballBytes = info.size
    results.measurements.unpackedBytes = info.unpackedSize
    results.measurements.packMs = res.ms
    return `${info.filename}, ${(info.size / 1e3).toFixed(0)} kB, ${files.length} files`
  })

  await check('npm pack leaves package.json as it was and packs it without the checkout-only prepare script', ['tarball'], async () => {
    assert(Buffer.compare(before, readFileSync(join(root, 'package.json'))) === 0, 'package.json changed (did postpack run?)')
    assert(!existsSync(join(root, 'package.json.prepack')), 'package.json.prepack left behind')
    const res = await run('tar', ['-xOzf', state.tarball, 'package/package.json'])
    const packed = JSON.parse(res.stdout)
    assert(packed.scripts?.prepare === undefined, 'the packed package.json still has scripts.prepare')
    equal(packed.version, pkg.version, 'packed version')
  })

  await check('from the checkout: npm link --ignore-scripts puts a working cpactl on PATH, npm rm -g removes it', [], async () => {
    assert(readme.includes('npm ci && npm link --ignore-scripts'), 'README does not give `npm ci && npm link --ignore-scripts`')
    const linkPrefix = join(tmp, 'link-prefix')
    const env = {HOME: process.env.HOME ?? home, NPM_CONFIG_PREFIX: linkPrefix}
    const link = await run('npm', ['link', '--ignore-scripts', '--no-audit', '--no-fund'], {cwd: root, env})
    equal(link.code, 0, `npm link exit code (${describeRun(link)})`)
    const warned = (link.stdout + link.stderr).split('\n').filter((l) => /warn/i.test(l))
    assert(warned.length === 0, `npm warned:\n${warned.join('\n')}`)
    const v = await run(join(linkPrefix, 'bin', 'cpactl'), ['--version'])
    assert(v.code === 0 && v.stdout.startsWith(`cpactl/${pkg.version} `), `linked cpactl --version: ${describeRun(v)}`)
    const rm = await run('npm', ['rm', '-g', 'cpactl'], {cwd: tmp, env})
    equal(rm.code, 0, `npm rm -g exit code (${describeRun(rm)})`)
    assert(!existsSync(join(linkPrefix, 'bin', 'cpactl')), 'npm rm -g left the cpactl bin behind')
  })

  const flags = readmeInstallFlags()
  await check(`npm install -g ${flags?.join(' ') ?? '<README flags>'} ./${pkg.name}-${pkg.version}.tgz installs without install-script warnings`, ['tarball'], async () => {
    assert(flags, 'README has no `npm install -g [flags] ./cpactl-<version>.tgz` line')
    // --strict-allow-scripts turns an install script the README's flags do not cover into an error (and npm
    // 11.19 then needs <prefix>/lib to exist).
    mkdirSync(join(prefix, 'lib'), {recursive: true})
    const res = await run('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', '--strict-allow-scripts', ...flags, state.tarball], {
      timeoutMs: 900_000,
      env: {HOME: process.env.HOME ?? home},
    })
    assert(res.code === 0, `install failed: ${describeRun(res)}`)
    const warned = (res.stdout + res.stderr).split('\n').filter((l) => /warn|install-scripts/i.test(l))
    assert(warned.length === 0, `npm warned:\n${warned.join('\n')}`)
    assert(existsSync(bin), `no ${bin}`)
    state.installed = true
    results.measurements.installMs = res.ms
    results.measurements.installedBytes = du(installedDir)
    return `${(res.ms / 1000).toFixed(0)} s, ${mb(results.measurements.installedBytes)} installed`
  })

  await check('no dev dependency is installed, and every package dist/ imports is a declared, installed dependency', ['installed'], async () => {
    const present = installedPackages(installedDir)
    const dev = Object.keys(pkg.devDependencies ?? {}).filter((d) => present.has(d))
    assert(dev.length === 0, `dev dependencies installed: ${dev.join(', ')}`)
    const deps = new Set(Object.keys(pkg.dependencies ?? {}))
    const bad = new Set()
    const files = [...filesUnder(join(installedDir, 'dist'), '.js'), join(installedDir, 'bin', 'run.js')]
    for (const f of files) {
      const text = readFileSync(f, 'utf8')
      for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\brequire(?:\.resolve)?\s*\(\s*)['"]([^'"\s]+)['"]/g)) {
        const spec = m[1]
        if (spec.startsWith('.') || spec.startsWith('node:') || spec.startsWith('/')) continue
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]
        if (!deps.has(name) || !existsSync(join(installedDir, 'node_modules', name, 'package.json')))
          bad.add(`${name} (${relative(installedDir, f)})`)
      }
    }
    assert(bad.size === 0, `imported but not a declared, installed dependency: ${[...bad].join(', ')}`)
    return `${files.length} files scanned`
  })

  await check('cpactl --version', ['installed'], async () => {
    const res = await cpactl(['--version'])
    equal(res.code, 0, `exit code (${res.stderr.trim()})`)
    assert(res.stdout.startsWith(`cpactl/${pkg.version} `), `unexpected version line: ${res.stdout}`)
  })

  await check('cpactl config check on fixtures: a clean config exits 0 (--strict), publishing off exits 1 with that error', ['installed'], async () => {
    const fixtures = join(root, 'test', 'fixtures', 'config')
    const clean = await cpactl(['config', 'check', join(fixtures, 'clean.yaml'), '--strict', '--json'])
    equal(clean.code, 0, `clean.yaml exit code (${describeRun(clean)})`)
    const c = json(clean, 'clean')
    equal(c.findings.filter((f) => f.severity !== 'info').length, 0, 'clean.yaml errors and warnings')
    const off = await cpactl(['config', 'check', join(fixtures, 'usage-publishing-off.yaml'), '--json'])
    equal(off.code, 1, 'usage-publishing-off.yaml exit code')
    const errors = json(off, 'off').findings.filter((f) => f.severity === 'error')
    equal(errors.map((f) => `${f.rule}@${f.path}`).join(','), 'usage-publishing-off@usage-statistics-enabled', 'errors')
  })

  // --- simulator → collect → report, from the installed copy ---------------------------------------
  const keyFile = join(tmp, 'management-key')
  writeFileSync(keyFile, `k-${randomBytes(18).toString('hex')}\n`, {mode: 0o600})
  const wrongKeyFile = join(tmp, 'wrong-key')
  writeFileSync(wrongKeyFile, `k-${randomBytes(18).toString('hex')}\n`, {mode: 0o600})
  const store = join(tmp, 'data', 'cpactl.db')
  const RECORDS = 3000
  let sim

  await check(`cpactl sim start (background, free port, ${RECORDS} records)`, ['installed'], async () => {
    sim = startBackground(['sim', 'start', '--port', '0', '--records', String(RECORDS), '--seed', '11', '--key-file', keyFile, '--stats-on-exit'])
    const url = await sim.firstLine
    assert(/^http:\/\/127\.0\.0\.1:\d+$/.test(url), `unexpected URL line: ${url}`)
    state.url = url
    return url
  })
  const gw = () => ({CPA_URL: state.url, CPA_MANAGEMENT_KEY_FILE: keyFile})

  await check('cpactl prices import --bundled loads the catalogue shipped in the package', ['url'], async () => {
    const res = await cpactl(['prices', 'import', '--bundled', '--store', store, '--json'])
    equal(res.code, 0, `exit code (${describeRun(res)})`)
    const r = json(res, 'prices import')
    assert(r.added >= 100, `only ${r.added} prices added`)
    return `${r.added} prices`
  })

  await check(`cpactl collect stores all ${RECORDS} records`, ['url'], async () => {
    const res = await cpactl(['collect', '--store', store, '--json'], {env: gw()})
    equal(res.code, 0, `exit code (${describeRun(res)})`)
    const r = json(res, 'collect')
    equal(r.popped, RECORDS, 'popped')
    equal(r.inserted, RECORDS, 'inserted')
    equal(r.deadLettered, 0, 'dead-lettered')
    state.collected = true
    return `${r.recordsPerSecond} records/s`
  })

  await check('cpactl report summary over the store (totals checked after the simulator stops)', ['collected'], async () => {
    const res = await cpactl(['report', 'summary', '--store', store, '--since', '2000-01-01', '--json'])
    equal(res.code, 0, `exit code (${describeRun(res)})`)
    state.summary = json(res, 'report summary').totals
    assert(state.summary.costUsd > 0, `cost ${state.summary.costUsd}: the bundled prices did not apply`)
  })

  await check('store lock: while collect --follow runs, a second collect exits 7', ['collected'], async () => {
    const follow = startBackground(['collect', '--follow', '--interval', '1s', '--store', store], gw())
    state.follow = follow
    // `collect status` reads the lock holder without taking the lock: wait until the follower holds it.
    const deadline = Date.now() + 30_000
    for (;;) {
      assert(!follow.exited, `collect --follow exited: ${JSON.stringify(follow.exited)} ${follow.stderr}`)
      const st = await cpactl(['collect', 'status', '--store', store, '--json'])
      if (st.code === 0 && json(st, 'collect status').instances?.some((i) => i.running?.mode === 'follow')) break
      assert(Date.now() < deadline, `collect --follow did not take the lock within 30 s: ${describeRun(st)}`)
      await sleep(300)
    }
    const second = await cpactl(['collect', '--store', store, '--json'], {env: gw()})
    equal(second.code, 7, `exit code of the second collector (${describeRun(second)})`)
    equal(json(second, 'locked collect').error.code, 'collector_running', 'error code')
    state.locked = true
  })

  const cron = join(root, 'contrib', 'cron', 'cpactl-collect-cron')
  const cronEnv = (extra = {}) => ({CPACTL: bin, CPACTL_STORE: store, ...gw(), ...extra})
  await check('the README shows the cron wrapper as it is in contrib/cron', [], async () => {
    const code = readFileSync(cron, 'utf8').split('\n').filter((l) => l && !l.startsWith('#'))
    const block = readme.match(/```sh\n(pause=[^]*?)```/)?.[1]
    assert(block, 'README has no ```sh block starting with pause=')
    equal(block.trimEnd(), code.join('\n'), 'README cron snippet')
  })

  await check('cron wrapper: exit 7 (previous run still going) is a quiet success', ['locked'], async () => {
    const res = await run(cron, [], {env: cronEnv()})
    equal(res.code, 0, `exit code (${describeRun(res)})`)
    equal(res.stdout + res.stderr, '', 'output (cron would mail it)')
  })

  await check('collect --follow stops on SIGTERM (exit 0); the cron wrapper then runs quietly, passing on warnings only', ['locked'], async () => {
    const r = await state.follow.stop()
    equal(r.code, 0, `follow exit code (${state.follow.stderr.trim()})`)
    const res = await run(cron, [], {env: cronEnv()})
    equal(res.code, 0, `cron wrapper exit code (${describeRun(res)})`)
    equal(res.stdout + res.stderr, '', 'cron wrapper output')
    const warned = await run(cron, ['--expected-interval', '2h'], {env: cronEnv()})
    equal(warned.code, 0, `exit code with a warning (${describeRun(warned)})`)
    assert(/^Warning: --expected-interval 2h exceeds the gateway's queue retention[^\n]*\n$/.test(warned.stderr), `the warning alone should reach the mail: ${JSON.stringify(warned.stderr)}`)
  })

  await check('cron wrapper: a real failure (gateway unreachable) exits 5 and says so', ['installed'], async () => {
    const res = await run(cron, [], {env: cronEnv({CPA_URL: `http://127.0.0.1:${await closedPort()}`})})
    equal(res.code, 5, `exit code (${describeRun(res)})`)
    assert(res.stderr.includes('cpactl collect failed (exit 5)'), `stderr: ${res.stderr}`)
  })

  await check('cron wrapper: a rejected key (exit 4) pauses later runs, so the gateway sees one failed login', ['url'], async () => {
    const env = cronEnv({CPA_MANAGEMENT_KEY_FILE: wrongKeyFile})
    const first = await run(cron, [], {env})
    equal(first.code, 4, `first run exit code (${describeRun(first)})`)
    assert(first.stderr.includes('cpactl collect paused'), `stderr: ${first.stderr}`)
    const pauseFile = join(tmp, 'data', 'collect.paused')
    assert(existsSync(pauseFile), `no pause file ${pauseFile}`)
    for (let i = 0; i < 3; i++) {
      const again = await run(cron, [], {env})
      equal(again.code, 4, 'paused run exit code')
      equal(again.stdout + again.stderr, '', 'paused run output')
    }
    rmSync(pauseFile)
    state.wrongKeyTried = true
  })

  await check('the simulator stops on SIGTERM; report totals equal what it generated, exactly; one failed login', ['collected'], async () => {
    const r = await sim.stop()
    equal(r.code, 0, `simulator exit code (${sim.stderr.slice(-500)})`)
    const line = sim.stderr.split('\n').find((l) => l.startsWith('{"counters"'))
    assert(line, `no --stats-on-exit JSON on stderr:\n${sim.stderr}`)
    const stats = JSON.parse(line)
    equal(stats.counters.authFailures, state.wrongKeyTried ? 1 : 0, 'failed logins seen by the simulator')
    const sum = (field) => Object.values(stats.totals.byModel).reduce((a, m) => a + m[field], 0)
    const t = state.summary
    assert(t, 'no report summary to compare')
    equal(stats.totals.requests, RECORDS, 'generated requests')
    equal(t.requests, stats.totals.requests, 'requests')
    equal(t.failed, stats.totals.failed, 'failed')
    equal(t.succeeded, stats.totals.requests - stats.totals.failed, 'succeeded')
    equal(t.inputTokens, sum('uncachedInputTokens'), 'uncached input tokens')
    equal(t.cacheReadTokens, sum('cacheReadTokens'), 'cache-read tokens')
    equal(t.cacheWriteTokens, sum('cacheWriteTokens'), 'cache-write tokens')
    equal(t.inputTotalTokens, sum('inputTokens'), 'input tokens incl. cache')
    equal(t.outputTokens, sum('outputTokens'), 'output tokens')
    equal(t.reasoningTokens, sum('reasoningTokens'), 'reasoning tokens')
    equal(t.totalTokens, stats.totals.totalTokens, 'total tokens')
    return `${t.requests} requests, ${t.failed} failed, ${t.totalTokens} tokens, $${t.costUsd.toFixed(2)}`
  })

  // --- shell completion, as the README says ------------------------------------------------------
  const step = readmeBashCompletion()
  await check('bash completion: the README step installs it and completes commands and flags', ['installed'], async () => {
    assert(step, 'README has no one-line bash completion step (cpactl autocomplete … script bash … >> ~/.bashrc)')
    const setup = await run('bash', ['-c', step])
    equal(setup.code, 0, `setup exit code (${describeRun(setup)})`)
    const probe = (line) =>
      run('bash', ['-c', `source ~/.bashrc; read -ra COMP_WORDS <<< "$1"; [[ "$1" == *" " ]] && COMP_WORDS+=(""); COMP_CWORD=$((\${#COMP_WORDS[@]}-1)); _cpactl_autocomplete; printf '%s\\n' "\${COMPREPLY[@]}" | sort -u`, 'probe', line])
    const topics = await probe('cpactl rep')
    equal(topics.stdout.trim(), 'report', `completion of "cpactl rep" (${topics.stderr.trim()})`)
    const verbs = (await probe('cpactl report ')).stdout.split('\n')
    for (const v of ['summary', 'models', 'timeline']) assert(verbs.includes(v), `"cpactl report " does not offer ${v}: ${verbs.join(' ')}`)
    const flag = await probe('cpactl collect --fol')
    equal(flag.stdout.trim(), '--follow', 'completion of "cpactl collect --fol"')
  })

  // --- systemd units -------------------------------------------------------------------------------
  const analyze = await run('sh', ['-c', 'command -v systemd-analyze'])
  if (analyze.code !== 0) {
    const msg = 'systemd-analyze is not installed: contrib/systemd was NOT verified (apt-get install systemd to check it)'
    results.notices.push(msg)
    console.log(`\n${'!'.repeat(100)}\n!!! NOTICE: ${msg}\n${'!'.repeat(100)}\n`)
  } else {
    await check('systemd-analyze verify contrib/systemd (ExecStart pointed at the installed cpactl)', ['installed'], async () => {
      const src = join(root, 'contrib', 'systemd')
      const dir = join(tmp, 'systemd')
      mkdirSync(dir, {recursive: true})
      const units = readdirSync(src).filter((f) => /\.(service|timer)$/.test(f))
      assert(units.includes('cpactl-collect.service') && units.includes('cpactl-collect-once.timer'), `units: ${units.join(', ')}`)
      for (const u of units) {
        const text = readFileSync(join(src, u), 'utf8')
        writeFileSync(join(dir, u), text.replace(/^ExecStart=cpactl /gm, `ExecStart=${bin} `))
      }
      const res = await run('systemd-analyze', ['verify', ...units], {cwd: dir})
      const out = (res.stdout + res.stderr).trim()
      assert(res.code === 0 && out === '', `systemd-analyze verify: ${describeRun(res)}`)
      const sec = await run('systemd-analyze', ['security', '--offline=yes', join(dir, 'cpactl-collect.service')], {cwd: dir})
      const level = sec.stdout.match(/Overall exposure level for \S+: ([\d.]+ \w+)/)?.[1]
      if (level) results.measurements.systemdExposure = level
      return `${units.length} units${level ? `, exposure ${level}` : ''}`
    })
  }

  if (sim && !sim.exited) await sim.stop()
  if (state.follow && !state.follow.exited) await state.follow.stop()
}

try {
  await main()
} catch (error) {
  results.failed++
  console.log(`not ok - the install test itself crashed\n${error?.stack ?? error}`)
}
const m = results.measurements
if (m.tarballBytes) {
  console.log(
    `measured: tarball ${(m.tarballBytes / 1e3).toFixed(0)} kB (${mb(m.unpackedBytes)} unpacked), ` +
      `install ${m.installMs ? `${(m.installMs / 1000).toFixed(0)} s` : '-'}, installed ${m.installedBytes ? mb(m.installedBytes) : '-'}`,
  )
}
for (const notice of results.notices) console.log(`NOTICE: ${notice}`)
console.log(`install test: ${results.passed} passed, ${results.failed} failed`)
if (reportFile) writeFileSync(reportFile, `${JSON.stringify(results, null, 2)}\n`)
if (keep) console.log(`kept ${tmp}`)
else rmSync(tmp, {recursive: true, force: true})
process.exitCode = results.failed === 0 ? 0 : 1
