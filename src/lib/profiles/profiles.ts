/**
 * Profiles: `profiles.yaml` in configDir, mode 0600. A profile names a gateway URL and
 * where its key lives; it never holds the key itself (keys live in the keychain, or in credentials.yaml with
 * --insecure-storage).
 */
import {join} from 'node:path'

import {ConfigError, UsageError} from '../cli/errors.js'
import {readIfExists, writePrivateFile} from '../files/private.js'

export interface Profile {
  name: string
  url: string
  insecure: boolean
  /** IANA zone for reports; null ⇒ system local. */
  tz: string | null
  /** Label tagging stored events; null ⇒ the profile name. */
  instance: string | null
  /** Where this profile's usage is stored (file path or postgres:// URL without password); null ⇒ the default store. */
  store: string | null
  keyStorage: 'keychain' | 'file' | 'none'
}

export interface ProfilesFile {
  currentProfile: string | null
  profiles: Record<string, Profile>
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

export function validateProfileName(name: string): string {
  if (!NAME_RE.test(name)) {
    throw new UsageError(`invalid profile name '${name}': use letters, digits, '.', '_' or '-' (max 64)`, {code: 'invalid_profile_name'})
  }
  return name
}

export function profilesPath(configDir: string): string {
  return join(configDir, 'profiles.yaml')
}

export async function loadProfiles(configDir: string): Promise<ProfilesFile> {
  const path = profilesPath(configDir)
  const text = readIfExists(path)
  if (text === undefined) return {currentProfile: null, profiles: {}}
  const YAML = await import('yaml')
  let raw: unknown
  try {
    raw = YAML.parse(text)
  } catch (error) {
    throw new ConfigError(`cannot parse ${path}: ${(error as Error).message}`, {code: 'invalid_profiles_file'})
  }
  const doc = (raw ?? {}) as {'current-profile'?: string; profiles?: Record<string, Record<string, unknown>>}
  const profiles: Record<string, Profile> = {}
  for (const [name, p] of Object.entries(doc.profiles ?? {})) {
    if (!p || typeof p.url !== 'string') continue
    profiles[name] = {
      name,
      url: p.url,
      insecure: p.insecure === true,
      tz: typeof p.tz === 'string' ? p.tz : null,
      instance: typeof p.instance === 'string' ? p.instance : null,
      store: typeof p.store === 'string' && p.store.trim() !== '' ? p.store : null,
      keyStorage: p['key-storage'] === 'file' ? 'file' : p['key-storage'] === 'none' ? 'none' : 'keychain',
    }
  }
  return {currentProfile: doc['current-profile'] ?? null, profiles}
}

export async function saveProfiles(configDir: string, file: ProfilesFile): Promise<void> {
  const YAML = await import('yaml')
  const profiles: Record<string, Record<string, unknown>> = {}
  for (const p of Object.values(file.profiles)) {
    profiles[p.name] = {
      url: p.url,
      ...(p.insecure ? {insecure: true} : {}),
      ...(p.tz ? {tz: p.tz} : {}),
      ...(p.instance ? {instance: p.instance} : {}),
      ...(p.store ? {store: p.store} : {}),
      'key-storage': p.keyStorage,
    }
  }
  const text = '# cpactl profiles (no secrets here)\n' + YAML.stringify({'current-profile': file.currentProfile, profiles})
  writePrivateFile(profilesPath(configDir), text)
}

/** Profile selection: --profile flag (or CPACTL_PROFILE, via the flag's env) > current-profile. */
export function selectProfile(file: ProfilesFile, requested: string | undefined): Profile | null {
  if (requested) {
    const p = file.profiles[requested]
    if (!p) {
      const known = Object.keys(file.profiles)
      throw new ConfigError(`profile '${requested}' does not exist`, {
        code: 'unknown_profile',
        hint: known.length > 0 ? `known profiles: ${known.join(', ')}` : 'create one with `cpactl login --url URL --profile NAME`',
      })
    }
    return p
  }
  if (file.currentProfile && file.profiles[file.currentProfile]) return file.profiles[file.currentProfile]
  return null
}
