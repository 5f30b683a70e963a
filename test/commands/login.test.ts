import {spawnSync} from 'node:child_process'
import {readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {startSimulator, type Simulator} from '../../src/lib/sim/index.js'
import {requireCapability} from '../helpers/capability.js'
import {runCli, tempDir} from '../helpers/run.js'
import {suiteGateway} from '../helpers/sim.js'

const KEY = 'login-test-management-key-0123456789'
let sim: Simulator

beforeAll(async () => {
  sim = await startSimulator({...suiteGateway(), managementKey: KEY})
})
afterAll(async () => {
  await sim.close()
})

const probe = spawnSync('keyctl', ['show', '@s'], {encoding: 'utf8'})
const hasSessionKeyring = requireCapability(
  'a session keyring (login keychain storage)',
  probe.status === 0 && !probe.stdout.includes('_uid_ses'),
  'install keyutils and run the suite under `keyctl session -` (.ci/run does)',
)

function configRequests(): number {
  return sim.httpLog().filter((e) => e.path === '/v0/management/config').length
}

describe('login, profiles, logout', () => {
  it('verifies with exactly one request, stores the key in a 0600 file, never in profiles.yaml', async () => {
    const configDir = tempDir()
    const before = configRequests()
    const r = await runCli(['login', '--url', sim.url, '--profile', 'lab', '--management-key-stdin', '--insecure-storage', '--tz', 'Europe/Berlin', '--json'], {
      env: {CPACTL_CONFIG_DIR: configDir},
      stdin: `${KEY}\n`,
    })
    expect(r.exitCode).toBe(0)
    expect(r.json).toEqual({profile: 'lab', url: sim.url, keyStorage: 'file', keySource: 'standard input', gatewayVersion: sim.version, current: true})
    expect(configRequests() - before).toBe(1)
    const profiles = readFileSync(join(configDir, 'profiles.yaml'), 'utf8')
    expect(profiles).not.toContain(KEY)
    expect(profiles).toContain('current-profile: lab')
    expect(statSync(join(configDir, 'profiles.yaml')).mode & 0o777).toBe(0o600)
    expect(statSync(join(configDir, 'credentials.yaml')).mode & 0o777).toBe(0o600)
    expect(statSync(configDir).mode & 0o777).toBe(0o700)

    // the saved profile works without any env
    const s = await runCli(['status', '--json'], {env: {CPACTL_CONFIG_DIR: configDir}})
    expect(s.exitCode).toBe(0)
    expect(s.json).toMatchObject({profile: 'lab', keySource: 'credentials file (profile lab)', management: {keyAccepted: true}})

    const list = await runCli(['profiles', 'list', '--json'], {env: {CPACTL_CONFIG_DIR: configDir}})
    expect(list.json).toEqual([{name: 'lab', url: sim.url, current: true, keyStorage: 'file', insecure: false, tz: 'Europe/Berlin', instance: 'lab', store: null}])

    // an explicit --url without --profile never sends the stored key elsewhere
    const other = await runCli(['status', '--url', sim.url, '--json'], {env: {CPACTL_CONFIG_DIR: configDir}})
    expect(other.exitCode).toBe(3)
    expect(other.json.error.code).toBe('missing_key')

    const out = await runCli(['logout', '--json'], {env: {CPACTL_CONFIG_DIR: configDir}})
    expect(out.json).toEqual({profile: 'lab', keysRemovedFrom: ['file']})
    const after = await runCli(['status', '--json'], {env: {CPACTL_CONFIG_DIR: configDir}})
    expect(after.exitCode).toBe(3)
    expect(after.json.error.code).toBe('missing_key')
  })

  it('a wrong key: exit 4 after one attempt, nothing saved', async () => {
    const configDir = tempDir()
    const failures = sim.authFailures()
    const r = await runCli(['login', '--url', sim.url, '--management-key-stdin', '--insecure-storage', '--json'], {
      env: {CPACTL_CONFIG_DIR: configDir},
      stdin: 'definitely-not-the-key',
    })
    expect(r.exitCode).toBe(4)
    expect(r.json.error.code).toBe('auth_failed')
    expect(r.stdout).not.toContain('definitely-not-the-key')
    expect(sim.authFailures() - failures).toBe(1)
    const list = await runCli(['profiles', 'list', '--json'], {env: {CPACTL_CONFIG_DIR: configDir}})
    expect(list.json).toEqual([])
    sim.unban()
  })

  it('login without a key source: exit 3', async () => {
    const r = await runCli(['login', '--url', sim.url, '--json'], {env: {CPACTL_CONFIG_DIR: tempDir()}})
    expect(r.exitCode).toBe(3)
    expect(r.json.error.code).toBe('missing_key')
  })

  it.runIf(hasSessionKeyring)('keychain storage: the key lives in the OS keyring and is removed with the profile', async () => {
    const configDir = tempDir()
    const name = `kc-${process.pid}`
    const r = await runCli(['login', '--url', sim.url, '--profile', name, '--json'], {env: {CPACTL_CONFIG_DIR: configDir, CPA_MANAGEMENT_KEY: KEY}})
    expect(r.exitCode).toBe(0)
    expect(r.json.keyStorage).toBe('keychain')
    const s = await runCli(['status', '--json'], {env: {CPACTL_CONFIG_DIR: configDir}})
    expect(s.json.keySource).toBe(`keychain (profile ${name})`)
    const rm = await runCli(['profiles', 'remove', name, '--yes', '--json'], {env: {CPACTL_CONFIG_DIR: configDir}})
    expect(rm.json).toEqual({profile: name, keysRemovedFrom: ['keychain']})
  })

  it.runIf(!hasSessionKeyring)('no usable keychain: exit 3 naming the alternatives, nothing saved', async () => {
    const configDir = tempDir()
    const r = await runCli(['login', '--url', sim.url, '--json'], {env: {CPACTL_CONFIG_DIR: configDir, CPA_MANAGEMENT_KEY: KEY}})
    expect(r.exitCode).toBe(3)
    expect(r.json.error.code).toBe('keychain_unavailable')
    expect(r.json.error.hint).toContain('--insecure-storage')
  })

  it('key-storage none: the profile keeps only the URL; the key comes from CPA_MANAGEMENT_KEY_FILE at run time', async () => {
    const configDir = tempDir()
    const keyFile = join(configDir, 'key')
    const {writeFileSync} = await import('node:fs')
    writeFileSync(keyFile, KEY, {mode: 0o600})
    const r = await runCli(['login', '--url', sim.url, '--profile', 'cron', '--key-storage', 'none', '--json'], {env: {CPACTL_CONFIG_DIR: configDir, CPA_MANAGEMENT_KEY_FILE: keyFile}})
    expect(r.exitCode).toBe(0)
    const s = await runCli(['status', '--json'], {env: {CPACTL_CONFIG_DIR: configDir, CPA_MANAGEMENT_KEY_FILE: keyFile}})
    expect(s.json).toMatchObject({profile: 'cron', keySource: 'env CPA_MANAGEMENT_KEY_FILE'})
    const show = await runCli(['profiles', 'show', '--json'], {env: {CPACTL_CONFIG_DIR: configDir}})
    expect(show.json).toMatchObject({name: 'cron', keyStorage: 'none', current: true})
    const use = await runCli(['profiles', 'use', 'nope', '--json'], {env: {CPACTL_CONFIG_DIR: configDir}})
    expect(use.exitCode).toBe(3)
    expect(use.json.error.code).toBe('unknown_profile')
  })
})
