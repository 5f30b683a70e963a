/**
 * Where management keys are kept: the OS keychain through @napi-rs/keyring (keytar is
 * archived and its install fails without libsecret-1-dev), or a 0600 credentials file when the user asked for
 * --insecure-storage. Every keychain call is time-boxed: a headless box without Secret Service must fail fast.
 */
import {join} from 'node:path'

import {ConfigError} from '../cli/errors.js'
import {isGroupOrWorldAccessible, readIfExists, writePrivateFile} from '../files/private.js'

export interface SecretStore {
  readonly kind: 'keychain' | 'file'
  get(profile: string): Promise<string | null>
  set(profile: string, secret: string): Promise<void>
  /** Returns true when something was removed. */
  delete(profile: string): Promise<boolean>
}

export const KEYCHAIN_SERVICE = 'cpactl'
const KEYCHAIN_TIMEOUT_MS = 3000

export class KeychainUnavailableError extends ConfigError {
  constructor(reason: string) {
    super(`no usable OS keychain: ${reason}`, {
      code: 'keychain_unavailable',
      hint:
        'Use env CPA_MANAGEMENT_KEY or CPA_MANAGEMENT_KEY_FILE (a file holding the key), or `cpactl login --insecure-storage` to keep the key in a 0600 file.',
    })
  }
}

export class KeychainSecretStore implements SecretStore {
  readonly kind = 'keychain'
  constructor(
    private readonly service = KEYCHAIN_SERVICE,
    private readonly timeoutMs = KEYCHAIN_TIMEOUT_MS,
  ) {}

  private async call<T>(profile: string, fn: (entry: import('@napi-rs/keyring').AsyncEntry, signal: AbortSignal) => Promise<T>): Promise<T> {
    let mod: typeof import('@napi-rs/keyring')
    try {
      mod = await import('@napi-rs/keyring')
    } catch (error) {
      throw new KeychainUnavailableError(`keyring module failed to load (${(error as Error).message})`)
    }
    const signal = AbortSignal.timeout(this.timeoutMs)
    const entry = new mod.AsyncEntry(this.service, profile)
    const timer = new Promise<never>((_, reject) => {
      signal.addEventListener('abort', () => reject(new KeychainUnavailableError(`keychain did not answer within ${this.timeoutMs} ms`)), {once: true})
    })
    try {
      return await Promise.race([fn(entry, signal), timer])
    } catch (error) {
      if (error instanceof KeychainUnavailableError) throw error
      throw new KeychainUnavailableError((error as Error).message)
    }
  }

  async get(profile: string): Promise<string | null> {
    return this.call(profile, (e, s) => e.getPassword(s))
  }

  async set(profile: string, secret: string): Promise<void> {
    await this.call(profile, (e, s) => e.setPassword(secret, s))
    // read back: some backends accept a write they cannot return
    const back = await this.get(profile)
    if (back !== secret) throw new KeychainUnavailableError('the keychain did not return the stored key')
  }

  async delete(profile: string): Promise<boolean> {
    return this.call(profile, (e, s) => e.deletePassword(s))
  }
}

/** `credentials.yaml` in configDir, 0600, one key per profile. Used only with --insecure-storage. */
export class FileSecretStore implements SecretStore {
  readonly kind = 'file'
  readonly path: string
  constructor(configDir: string) {
    this.path = join(configDir, 'credentials.yaml')
  }

  private async read(): Promise<Record<string, string>> {
    const text = readIfExists(this.path)
    if (text === undefined) return {}
    if (isGroupOrWorldAccessible(this.path)) {
      throw new ConfigError(`${this.path} is readable by other users; refusing to use it`, {
        code: 'insecure_credentials_file',
        hint: `chmod 600 ${this.path}`,
      })
    }
    const YAML = await import('yaml')
    const data = YAML.parse(text) as {keys?: Record<string, string>} | null
    return {...data?.keys}
  }

  private async write(keys: Record<string, string>): Promise<void> {
    const YAML = await import('yaml')
    writePrivateFile(this.path, '# cpactl management keys (plaintext, chosen with --insecure-storage)\n' + YAML.stringify({keys}))
  }

  async get(profile: string): Promise<string | null> {
    return (await this.read())[profile] ?? null
  }

  async set(profile: string, secret: string): Promise<void> {
    const keys = await this.read()
    keys[profile] = secret
    await this.write(keys)
  }

  async delete(profile: string): Promise<boolean> {
    const keys = await this.read()
    if (!(profile in keys)) return false
    delete keys[profile]
    await this.write(keys)
    return true
  }
}
