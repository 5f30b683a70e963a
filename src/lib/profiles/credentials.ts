/**
 * Management-key resolution (issue 2). First source found wins:
 *   1. --management-key-stdin
 *   2. env CPA_MANAGEMENT_KEY (alias CPACTL_MANAGEMENT_KEY)
 *   3. env CPA_MANAGEMENT_KEY_FILE (a file holding the key, Docker-secret style)
 *   4. the profile's stored key: OS keychain, or credentials.yaml when the profile chose --insecure-storage
 * The key is never accepted as a flag value and never printed; `source` names where it came from so an
 * error can say "the key from CPA_MANAGEMENT_KEY was rejected".
 */
import {readFileSync} from 'node:fs'

import {ConfigError} from '../cli/errors.js'
import {readStdinText} from '../cli/stdin.js'
import type {ManagementKey} from '../gateway/transport.js'
import type {Profile} from './profiles.js'
import {FileSecretStore, KeychainSecretStore, type SecretStore} from './secrets.js'

/** The management key and where it came from (the gateway client's ManagementKey). */
export type ResolvedKey = ManagementKey

export interface KeySources {
  env: NodeJS.ProcessEnv
  configDir: string
  profile: Profile | null
  /** Reads all of stdin; only called when --management-key-stdin was given. */
  readStdin?: () => Promise<string>
  fromStdin?: boolean
  keychain?: SecretStore
}


function clean(key: string): string {
  return key.replace(/\r?\n$/, '').trim()
}

export function secretStoreFor(profile: Profile, configDir: string, keychain?: SecretStore): SecretStore {
  return profile.keyStorage === 'file' ? new FileSecretStore(configDir) : (keychain ?? new KeychainSecretStore())
}

export async function resolveManagementKey(src: KeySources): Promise<ResolvedKey> {
  if (src.fromStdin) {
    const key = clean(await (src.readStdin ?? readStdinText)())
    if (!key) throw new ConfigError('--management-key-stdin was given but standard input was empty', {code: 'missing_key'})
    return {key, source: 'standard input'}
  }
  for (const name of ['CPA_MANAGEMENT_KEY', 'CPACTL_MANAGEMENT_KEY']) {
    const v = src.env[name]
    if (v && clean(v)) return {key: clean(v), source: `env ${name}`}
  }
  const file = src.env.CPA_MANAGEMENT_KEY_FILE
  if (file) {
    let text: string
    try {
      text = readFileSync(file, 'utf8')
    } catch (error) {
      throw new ConfigError(`cannot read the key file named by CPA_MANAGEMENT_KEY_FILE: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
        code: 'unreadable_key_file',
      })
    }
    const key = clean(text)
    if (!key) throw new ConfigError('the file named by CPA_MANAGEMENT_KEY_FILE is empty', {code: 'missing_key'})
    return {key, source: 'env CPA_MANAGEMENT_KEY_FILE'}
  }
  if (src.profile && src.profile.keyStorage !== 'none') {
    const store = secretStoreFor(src.profile, src.configDir, src.keychain)
    const key = await store.get(src.profile.name)
    if (key) return {key, source: store.kind === 'file' ? `credentials file (profile ${src.profile.name})` : `keychain (profile ${src.profile.name})`}
    throw new ConfigError(`no management key stored for profile '${src.profile.name}'`, {
      code: 'missing_key',
      hint: `run \`cpactl login --profile ${src.profile.name} --management-key-stdin\`, or set CPA_MANAGEMENT_KEY / CPA_MANAGEMENT_KEY_FILE`,
    })
  }
  throw new ConfigError('no management key: none of --management-key-stdin, CPA_MANAGEMENT_KEY, CPA_MANAGEMENT_KEY_FILE or a logged-in profile', {
    code: 'missing_key',
    hint: 'run `cpactl login --url URL --management-key-stdin`, or set CPA_MANAGEMENT_KEY_FILE to a file holding the key',
  })
}
