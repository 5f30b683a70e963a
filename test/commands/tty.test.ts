/**
 * Commands on a real pseudo-terminal (script(1) from util-linux): what a person at a terminal sees — aligned
 * tables instead of TSV, colour that NO_COLOR turns off, the progress line (and none under CI), and the y/N
 * confirmation of a destructive command. The command is the built binary (bin/run.js over dist/, built by
 * `npm test`'s pretest), as a person runs it.
 */
import {spawn, spawnSync} from 'node:child_process'
import {copyFileSync, existsSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {stripVTControlCharacters} from 'node:util'
import {describe, expect, it} from 'vitest'

import {requireCapability} from '../helpers/capability.js'
import {projectRoot, runCli, tempDir} from '../helpers/run.js'

const hasScript = requireCapability(
  'script(1) (pseudo-terminal tests)',
  spawnSync('script', ['-qec', 'true', '/dev/null'], {stdio: 'ignore'}).status === 0,
  'install util-linux (bsdutils on Debian), which provides script(1)',
)
const built = requireCapability('the built binary (dist/)', existsSync(join(projectRoot, 'dist', 'commands', 'status.js')), 'run npm run build first (npm test does it in pretest)')

const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`

interface PtyRun {
  /** Everything the terminal showed (stdout and stderr together, CRLF line ends, escape sequences kept). */
  screen: string
  code: number | null
}

/**
 * Run cpactl on a pseudo-terminal. `answer` is typed once the screen shows `waitFor`. The environment is the
 * test's minus CI, NO_COLOR and FORCE_COLOR (each test adds what it means to test).
 */
function onTerminal(args: string[], env: Record<string, string>, answer?: {waitFor: string; type: string}): Promise<PtyRun> {
  const base: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !['CI', 'NO_COLOR', 'FORCE_COLOR'].includes(k)) base[k] = v
  const command = [process.execPath, join(projectRoot, 'bin', 'run.js'), ...args].map(quote).join(' ')
  return new Promise((resolve) => {
    const child = spawn('script', ['-qfec', command, '/dev/null'], {env: {...base, TERM: 'xterm-256color', COLUMNS: '100', ...env}, cwd: projectRoot})
    let screen = ''
    let typed = false
    child.stdout.on('data', (d: Buffer) => {
      screen += d.toString()
      if (answer && !typed && screen.includes(answer.waitFor)) {
        typed = true
        child.stdin.write(answer.type)
      }
    })
    child.on('close', (code) => resolve({screen, code}))
  })
}

const ESC = '\u001B['

describe.runIf(hasScript && built)('on a terminal', () => {
  const dir = tempDir('cpactl-tty-')
  const store = join(dir, 'cpactl.db')
  const env = {CPACTL_STORE: store}

  it('tables are aligned on a terminal and tab-separated when piped', async () => {
    expect((await runCli(['prices', 'set', 'tty-model', '--input', '1.5', '--output', '6'], {env})).exitCode).toBe(0)
    const tty = await onTerminal(['prices', 'list', '--model', 'tty-model'], env)
    expect(tty.code).toBe(0)
    const lines = tty.screen.split('\r\n').filter((l) => l.trim() !== '')
    expect(lines[0]).toMatch(/^MODEL {2,}INPUT {2,}/)
    expect(lines[1]).toMatch(/^tty-model {2,}1\.5/)
    expect(tty.screen).not.toContain('\t')
    const piped = await runCli(['prices', 'list', '--model', 'tty-model'], {env})
    expect(piped.stdout.split('\n')[0].split('\t')[0]).toBe('MODEL')
  })

  it('severities are coloured on a terminal; NO_COLOR turns colour off', async () => {
    const file = join(projectRoot, 'test', 'fixtures', 'config', 'invalid-value.yaml')
    const coloured = await onTerminal(['config', 'check', file], {})
    expect(coloured.code).toBe(1)
    expect(coloured.screen).toContain(`${ESC}31m${ESC}1merror${ESC}22m${ESC}39m`)
    const plain = await onTerminal(['config', 'check', file], {NO_COLOR: '1'})
    expect(plain.code).toBe(1)
    expect(plain.screen).toMatch(/^error\s/m)
    expect(plain.screen).not.toContain(`${ESC}31m`)
  })

  it('long work shows a progress line on stderr that is erased at the end; nothing under CI', async () => {
    // opening a schema-3 store migrates it, walking every event: the store reports progress, the command draws it
    const old = (name: string) => {
      const path = join(dir, name)
      copyFileSync(join(projectRoot, 'test', 'fixtures', 'store', 'v3.db'), path)
      return path
    }
    const tty = await onTerminal(['store', 'vacuum', '--store', old('tty.db')], {})
    expect(tty.code, tty.screen).toBe(0)
    expect(tty.screen).toMatch(/^\r\u001B\[2Kmigrating the store \(4 one-rollup-layer\) \[\.+\] 0% 0 \/ 260(\r\u001B\[2K[^\r\n]*)*\r\u001B\[2K[^\r]/)
    const ci = await onTerminal(['store', 'vacuum', '--store', old('ci.db')], {CI: 'true'})
    expect(ci.code, ci.screen).toBe(0)
    expect(ci.screen).not.toContain('migrating')
    expect(ci.screen).not.toContain('\u001B[2K')
  })

  it('--json on a terminal is plain JSON; a JSON theme (theme.json in the config dir) colours the same document', async () => {
    const config = tempDir('cpactl-theme-')
    const argv = ['report', 'summary', '--store', join(dir, 'none', 'missing.db'), '--json']
    const plain = await onTerminal(argv, {CPACTL_CONFIG_DIR: config})
    expect(plain.code).toBe(3)
    expect(plain.screen).not.toContain(ESC)
    const text = plain.screen.replaceAll('\r\n', '\n')
    expect(text).toBe(`${JSON.stringify(JSON.parse(text), null, 2)}\n`)
    expect(JSON.parse(text)).toMatchObject({error: {code: 'store_missing', exitCode: 3}})
    writeFileSync(join(config, 'theme.json'), JSON.stringify({json: {key: 'red'}}))
    const themed = await onTerminal(argv, {CPACTL_CONFIG_DIR: config})
    expect(themed.code).toBe(3)
    expect(themed.screen).toContain(`${ESC}31m"error"${ESC}39m`)
    expect(stripVTControlCharacters(themed.screen)).toBe(plain.screen)
  })

  it('a destructive command asks y/N on a terminal: no keeps everything (exit 130), yes goes ahead', async () => {
    expect((await runCli(['prices', 'set', 'doomed', '--input', '1', '--output', '1'], {env})).exitCode).toBe(0)
    const question = 'remove the price of doomed (their cost then shows as unpriced)? [y/N] '
    const no = await onTerminal(['prices', 'remove', 'doomed'], env, {waitFor: '[y/N]', type: 'n\n'})
    expect(no.screen).toContain(question)
    expect(no.code).toBe(130)
    expect((await runCli(['prices', 'list', '--model', 'doomed', '--json'], {env})).json.map((p: {model: string}) => p.model)).toContain('doomed')
    const yes = await onTerminal(['prices', 'remove', 'doomed'], env, {waitFor: '[y/N]', type: 'y\n'})
    expect(yes.code).toBe(0)
    expect(yes.screen).toContain('removed doomed')
    expect((await runCli(['prices', 'list', '--json'], {env})).json.map((p: {model: string}) => p.model)).not.toContain('doomed')
  })
})
