import {mkdtempSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {resolveManagementKey} from '../../../src/lib/profiles/credentials.js'
import type {Profile} from '../../../src/lib/profiles/profiles.js'
import {FileSecretStore, type SecretStore} from '../../../src/lib/profiles/secrets.js'

class MemoryStore implements SecretStore {
  readonly kind = 'keychain' as const
  data = new Map<string, string>()
  async get(p: string) {
    return this.data.get(p) ?? null
  }
  async set(p: string, s: string) {
    this.data.set(p, s)
  }
  async delete(p: string) {
    return this.data.delete(p)
  }
}

const profile: Profile = {name: 'prod', url: 'http://x', insecure: false, tz: null, instance: null, store: null, keyStorage: 'keychain'}

describe('management key precedence', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cpactl-cred-'))
  const keyFile = join(dir, 'key')
  writeFileSync(keyFile, 'from-file\n')
  const keychain = new MemoryStore()
  keychain.data.set('prod', 'from-keychain')
  const env = {CPA_MANAGEMENT_KEY: 'from-env', CPA_MANAGEMENT_KEY_FILE: keyFile}

  it('stdin beats env, env beats key file, key file beats keychain', async () => {
    const base = {configDir: dir, profile, keychain}
    expect(await resolveManagementKey({...base, env, fromStdin: true, readStdin: async () => 'from-stdin\n'})).toEqual({key: 'from-stdin', source: 'standard input'})
    expect(await resolveManagementKey({...base, env})).toEqual({key: 'from-env', source: 'env CPA_MANAGEMENT_KEY'})
    expect(await resolveManagementKey({...base, env: {CPA_MANAGEMENT_KEY_FILE: keyFile}})).toEqual({key: 'from-file', source: 'env CPA_MANAGEMENT_KEY_FILE'})
    expect(await resolveManagementKey({...base, env: {}})).toEqual({key: 'from-keychain', source: 'keychain (profile prod)'})
    expect(await resolveManagementKey({...base, env: {CPACTL_MANAGEMENT_KEY: 'alias'}})).toEqual({key: 'alias', source: 'env CPACTL_MANAGEMENT_KEY'})
  })

  it('fails with exit 3 and names the sources when there is no key', async () => {
    await expect(resolveManagementKey({configDir: dir, profile: null, env: {}})).rejects.toMatchObject({exitCode: 3, code: 'missing_key'})
    await expect(resolveManagementKey({configDir: dir, profile: null, env: {CPA_MANAGEMENT_KEY_FILE: join(dir, 'nope')}})).rejects.toMatchObject({exitCode: 3, code: 'unreadable_key_file'})
    await expect(resolveManagementKey({configDir: dir, profile: null, env: {}, fromStdin: true, readStdin: async () => ''})).rejects.toMatchObject({exitCode: 3})
  })

  it('the credentials file is 0600 and refused when others can read it', async () => {
    const store = new FileSecretStore(dir)
    await store.set('prod', 'file-secret')
    expect(statSync(store.path).mode & 0o777).toBe(0o600)
    expect(readFileSync(store.path, 'utf8')).toContain('file-secret')
    expect(await resolveManagementKey({configDir: dir, profile: {...profile, keyStorage: 'file'}, env: {}})).toEqual({key: 'file-secret', source: 'credentials file (profile prod)'})
    const {chmodSync} = await import('node:fs')
    chmodSync(store.path, 0o644)
    await expect(store.get('prod')).rejects.toMatchObject({code: 'insecure_credentials_file', exitCode: 3})
  })
})
