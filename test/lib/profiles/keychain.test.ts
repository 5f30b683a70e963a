// The real OS keychain path (@napi-rs/keyring). CI runs the suite under `keyctl session -`, which gives the
// kernel keyring (keyutils backend) a session; elsewhere the test checks the fast, clear failure instead.
import {spawnSync} from 'node:child_process'
import {describe, expect, it} from 'vitest'

import {KeychainSecretStore} from '../../../src/lib/profiles/secrets.js'
import {requireCapability} from '../../helpers/capability.js'

const probe = spawnSync('keyctl', ['show', '@s'], {encoding: 'utf8'})
const hasSessionKeyring = requireCapability(
  'a session keyring (OS keychain tests)',
  probe.status === 0 && !/unable|no session/i.test(probe.stdout + probe.stderr) && !probe.stdout.includes('_uid_ses'),
  'install keyutils and run the suite under `keyctl session -` (.ci/run does)',
)

describe('OS keychain (@napi-rs/keyring)', () => {
  it.runIf(hasSessionKeyring)('stores, reads back and deletes a key in the real keychain', async () => {
    const store = new KeychainSecretStore('cpactl-test')
    const profile = `vitest-${process.pid}`
    await store.set(profile, 'keychain-secret-1')
    expect(await store.get(profile)).toBe('keychain-secret-1')
    expect(await store.delete(profile)).toBe(true)
    expect(await store.get(profile)).toBeNull()
  })

  it.runIf(!hasSessionKeyring)('fails fast with exit 3 and names the alternatives when no keychain is usable', async () => {
    const store = new KeychainSecretStore('cpactl-test', 3000)
    const err = await store.set('x', 'y').catch((e) => e)
    expect(err).toMatchObject({exitCode: 3, code: 'keychain_unavailable'})
    expect(err.hint).toMatch(/CPA_MANAGEMENT_KEY_FILE/)
  })
})
