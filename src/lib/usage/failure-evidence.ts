/**
 * Failure evidence: what a provider's non-2xx answer proves about the credential that made the request. Only
 * explicit evidence counts (a deactivated workspace or account, a revoked or invalid/expired token, an exhausted
 * allowance, a reached usage limit), and only at the statuses where providers send it. Used by inspect's probes
 * and by the failures report, on the error bodies of stored usage records.
 */

export type EvidenceKind =
  | 'workspace_deactivated'
  | 'account_deactivated'
  | 'token_revoked'
  | 'token_invalid'
  | 'allowance_exhausted'
  | 'usage_limit_reached'

/** Lower-case markers per kind. Codes as the providers send them, then message phrases. */
const MARKERS: Record<EvidenceKind, string[]> = {
  workspace_deactivated: ['deactivated_workspace', 'workspace has been deactivated', 'workspace is deactivated'],
  account_deactivated: ['account_deactivated', 'account has been deactivated', 'account is deactivated'],
  token_revoked: [
    'token_revoked',
    'token_invalidated',
    'refresh_token_reused',
    'has been revoked',
    'was revoked',
    'has been invalidated',
    'invalidated oauth token',
    'refresh token was already used',
  ],
  token_invalid: [
    'invalid_token',
    'token_expired',
    'invalid_grant',
    'invalid_refresh_token',
    'token is expired',
    'token has expired',
    'invalid or expired',
    'expired or invalid',
    'bad-credentials',
    'requires reauthorization',
    'no auth context',
  ],
  allowance_exhausted: [
    'free-usage-exhausted',
    'free_usage_exhausted',
    'included free usage',
    'spending-limit',
    'spending_limit',
    'monthly spending limit',
    'run out of credits',
    'used all available credits',
  ],
  usage_limit_reached: ['usage_limit_reached'],
}

/** Statuses at which each kind of evidence is believed. */
const STATUSES: Record<EvidenceKind, number[]> = {
  workspace_deactivated: [401, 402, 403],
  account_deactivated: [401, 402, 403],
  token_revoked: [400, 401, 403],
  token_invalid: [400, 401, 403],
  allowance_exhausted: [402, 403, 429],
  usage_limit_reached: [429],
}

const ORDER: EvidenceKind[] = ['workspace_deactivated', 'account_deactivated', 'token_revoked', 'token_invalid', 'allowance_exhausted', 'usage_limit_reached']

/** The first explicit evidence in an error answer, or null. */
export function findEvidence(status: number, body: string): EvidenceKind | null {
  const blob = body.toLowerCase()
  for (const kind of ORDER) {
    if (!STATUSES[kind].includes(status)) continue
    if (MARKERS[kind].some((m) => blob.includes(m))) return kind
  }
  return null
}
