/**
 * login / logout / profiles: verify a key with exactly one request, then keep it in the keychain (or a 0600 file
 * with --insecure-storage) and the profile in profiles.yaml.
 */
import {ConfigError} from '../cli/errors.js'
import {checkTimeZone} from '../time/zone.js'
import type {ResolvedKey} from './credentials.js'
import {loadProfiles, saveProfiles, validateProfileName, type Profile, type ProfilesFile} from './profiles.js'
import {FileSecretStore, KeychainSecretStore, KeychainUnavailableError, type SecretStore} from './secrets.js'

export interface LoginInput {
  configDir: string
  name: string
  url: string
  insecure: boolean
  tz: string | null
  instance: string | null
  /** The profile's store (file path or postgres:// URL without password); undefined keeps the saved one. */
  store?: string | null
  storage: 'keychain' | 'file' | 'none'
  key: ResolvedKey
  /** Sends exactly one authenticated request with the key; throws the gateway's typed error. */
  verify: () => Promise<{version: string | null}>
  keychain?: SecretStore
}

export interface LoginResult {
  profile: string
  url: string
  keyStorage: Profile['keyStorage']
  keySource: string
  gatewayVersion: string | null
  current: boolean
}

export async function login(input: LoginInput): Promise<LoginResult> {
  validateProfileName(input.name)
  const tz = input.tz ? checkTimeZone(input.tz) : null
  const {version} = await input.verify()
  if (input.storage !== 'none') {
    const store: SecretStore = input.storage === 'file' ? new FileSecretStore(input.configDir) : (input.keychain ?? new KeychainSecretStore())
    try {
      await store.set(input.name, input.key.key)
    } catch (error) {
      if (error instanceof KeychainUnavailableError) {
        throw new ConfigError(`${error.message}; the key was verified but not saved`, {
          code: 'keychain_unavailable',
          hint:
            'alternatives: `cpactl login --insecure-storage` (0600 file), or `--key-storage none` and provide the key at run time via CPA_MANAGEMENT_KEY_FILE / CPA_MANAGEMENT_KEY / --management-key-stdin',
        })
      }
      throw error
    }
  }
  const file = await loadProfiles(input.configDir)
  const store = input.store === undefined ? (file.profiles[input.name]?.store ?? null) : input.store || null
  file.profiles[input.name] = {name: input.name, url: input.url, insecure: input.insecure, tz, instance: input.instance, store, keyStorage: input.storage}
  file.currentProfile = input.name
  await saveProfiles(input.configDir, file)
  return {profile: input.name, url: input.url, keyStorage: input.storage, keySource: input.key.source, gatewayVersion: version, current: true}
}

/** Remove the profile's key from every backend (keychain and file). Returns the backends that held one. */
export async function forgetKey(configDir: string, name: string, keychain?: SecretStore): Promise<string[]> {
  const removed: string[] = []
  for (const store of [keychain ?? new KeychainSecretStore(), new FileSecretStore(configDir)]) {
    try {
      if (await store.delete(name)) removed.push(store.kind)
    } catch (error) {
      if (!(error instanceof KeychainUnavailableError)) throw error
    }
  }
  return removed
}

export interface ProfileView {
  name: string
  url: string
  current: boolean
  keyStorage: Profile['keyStorage']
  insecure: boolean
  tz: string | null
  instance: string
  store: string | null
}

export function viewProfiles(file: ProfilesFile): ProfileView[] {
  return Object.values(file.profiles)
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((p) => ({name: p.name, url: p.url, current: p.name === file.currentProfile, keyStorage: p.keyStorage, insecure: p.insecure, tz: p.tz, instance: p.instance ?? p.name, store: p.store}))
}

export async function useProfile(configDir: string, name: string): Promise<ProfileView> {
  const file = await loadProfiles(configDir)
  if (!file.profiles[name]) throw new ConfigError(`profile '${name}' does not exist`, {code: 'unknown_profile'})
  file.currentProfile = name
  await saveProfiles(configDir, file)
  return viewProfiles(file).find((p) => p.name === name)!
}

export async function removeProfile(configDir: string, name: string, keychain?: SecretStore): Promise<{profile: string; keysRemovedFrom: string[]}> {
  const file = await loadProfiles(configDir)
  if (!file.profiles[name]) throw new ConfigError(`profile '${name}' does not exist`, {code: 'unknown_profile'})
  const keysRemovedFrom = await forgetKey(configDir, name, keychain)
  delete file.profiles[name]
  if (file.currentProfile === name) file.currentProfile = null
  await saveProfiles(configDir, file)
  return {profile: name, keysRemovedFrom}
}
