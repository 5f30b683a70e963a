/**
 * Identity re-verification before every write: re-read the auth-file list
 * and check that the file probed is still the same credential in the same state. A renamed, replaced, moved
 * (its auth_index is a hash over the file's path, so it changes) or meanwhile re-toggled file gets no write.
 */
import {listAuthFiles, type AuthFileEntry} from '../gateway/auth-files.js'
import type {GatewayClient} from '../gateway/client.js'
import {providerOf} from './probes.js'
import type {AccountRef} from './types.js'

export type IdentityCheck = {ok: true; entry: AuthFileEntry} | {ok: false; reason: string}

function str(v: unknown): string | null {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : null
}

/** Compare a fresh list entry with what was probed. */
export function compareIdentity(ref: AccountRef, entry: AuthFileEntry | undefined): IdentityCheck {
  if (!entry) return {ok: false, reason: `auth file ${ref.name} is gone (renamed or deleted since the probe)`}
  if ((str(entry.auth_index) ?? null) !== ref.authIndex) {
    return {ok: false, reason: `auth_index of ${ref.name} changed since the probe (${ref.authIndex ?? 'none'} → ${str(entry.auth_index) ?? 'none'}): the file was replaced or moved`}
  }
  if (providerOf(entry) !== ref.provider) return {ok: false, reason: `provider of ${ref.name} changed since the probe`}
  const email = str(entry.email)
  if (ref.email && email && email !== ref.email) return {ok: false, reason: `account of ${ref.name} changed since the probe (${ref.email} → ${email})`}
  if (Boolean(entry.disabled) !== ref.disabled) {
    return {ok: false, reason: `${ref.name} was ${entry.disabled ? 'disabled' : 'enabled'} by someone else since the probe`}
  }
  return {ok: true, entry}
}

export async function verifyIdentity(client: GatewayClient, ref: AccountRef): Promise<IdentityCheck> {
  const files = await listAuthFiles(client)
  return compareIdentity(ref, files.find((f) => f.name === ref.name))
}
