/** Unsigned-looking JWTs for seeded credentials, and decoding of their claims. */
import {hexFrom} from './seeded-random.js'

export function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url')
}

/** Build an unsigned-looking JWT (the signature is random bytes; nobody verifies it in the simulator). */
export function makeJwt(claims: Record<string, unknown>, rand: () => number): string {
  const header = b64url(JSON.stringify({alg: 'RS256', kid: 'sim', typ: 'JWT'}))
  const payload = b64url(JSON.stringify(claims))
  const sig = b64url(Buffer.from(hexFrom(rand, 128), 'hex'))
  return `${header}.${payload}.${sig}`
}

/** Decode a JWT payload; undefined when malformed. */
export function decodeJwtClaims(token: unknown): Record<string, unknown> | undefined {
  if (typeof token !== 'string') return undefined
  const parts = token.split('.')
  if (parts.length < 2) return undefined
  try {
    const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as unknown
    return claims && typeof claims === 'object' && !Array.isArray(claims) ? (claims as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

export const OPENAI_AUTH_CLAIM = 'https://api.openai.com/auth'

/**
 * The `id_token` of a codex entry in GET /auth-files: decoded claims `{chatgpt_account_id, plan_type,
 * chatgpt_subscription_active_start, chatgpt_subscription_active_until}`.
 */
export function codexIdTokenClaims(idToken: unknown): Record<string, unknown> | undefined {
  const claims = decodeJwtClaims(idToken)
  if (!claims) return undefined
  const auth = (claims[OPENAI_AUTH_CLAIM] as Record<string, unknown> | undefined) ?? {}
  const pick = (key: string, ...alts: string[]) => {
    for (const k of [key, ...alts]) {
      if (auth[k] !== undefined) return auth[k]
      if (claims[k] !== undefined) return claims[k]
    }
    return undefined
  }
  const out: Record<string, unknown> = {}
  const accountId = pick('chatgpt_account_id')
  const plan = pick('chatgpt_plan_type', 'plan_type')
  const start = pick('chatgpt_subscription_active_start')
  const until = pick('chatgpt_subscription_active_until')
  if (accountId !== undefined) out.chatgpt_account_id = accountId
  if (plan !== undefined) out.plan_type = plan
  if (start !== undefined) out.chatgpt_subscription_active_start = start
  if (until !== undefined) out.chatgpt_subscription_active_until = until
  return Object.keys(out).length > 0 ? out : undefined
}
