/**
 * Credential files a completed simulated OAuth login writes into the auth dir (one JSON file per
 * credential, in the gateway's on-disk format and with its default file names).
 *
 * Deterministic: the content derives from the simulator seed, the provider and the login's ordinal, so a
 * seeded run produces the same accounts every time. Emails are `login-<n>@example.com`.
 */
import {createHash} from 'node:crypto'

import {makeJwt} from './jwt.js'
import {alnumFrom, hash32, hexFrom, prng, uuidFrom} from './seeded-random.js'
import {rfc3339} from './local-time.js'

export interface NewCredential {
  /** File name in the auth dir. */
  name: string
  content: Record<string, unknown>
}

const OPENAI_AUTH_CLAIM = 'https://api.openai.com/auth'

/**
 * The file a successful login of `provider` (the session provider: anthropic, codex, antigravity, xai,
 * kimi, kimi-ai, meta, devin, or a plugin provider) produces. `ordinal` numbers the logins of one simulator (1, 2, …).
 */
export function credentialForLogin(provider: string, opts: {seed: number; ordinal: number; nowMs: number; tzOffsetMinutes?: number}): NewCredential {
  const rand = prng(hash32(`${opts.seed}:${provider}:${opts.ordinal}`))
  const email = `login-${opts.ordinal}@example.com`
  const iso = (ms: number) => rfc3339(ms, opts.tzOffsetMinutes)
  const now = opts.nowMs
  switch (provider) {
    case 'anthropic':
      return {
        name: `claude-${email}.json`,
        content: {
          access_token: `sk-ant-oat01-${alnumFrom(rand, 86)}`,
          account_uuid: uuidFrom(rand),
          email,
          expired: iso(now + 28_800_000),
          id_token: '',
          last_refresh: iso(now),
          organization_name: `login-${opts.ordinal}'s Organization`,
          organization_uuid: uuidFrom(rand),
          refresh_token: `sk-ant-ort01-${alnumFrom(rand, 86)}`,
          type: 'claude',
        },
      }
    case 'codex': {
      const accountId = uuidFrom(rand)
      const iat = Math.floor(now / 1000)
      const plan = 'plus'
      const claims = {
        chatgpt_account_id: accountId,
        chatgpt_plan_type: plan,
        chatgpt_subscription_active_start: iso(now - 10 * 86_400_000),
        chatgpt_subscription_active_until: iso(now + 20 * 86_400_000),
        chatgpt_user_id: `user-${alnumFrom(rand, 24)}`,
      }
      const idToken = makeJwt({aud: ['app_sim_codex'], email, email_verified: true, exp: iat + 3600, iat, iss: 'https://auth.openai.com', [OPENAI_AUTH_CLAIM]: claims}, rand)
      const accessToken = makeJwt({[OPENAI_AUTH_CLAIM]: {chatgpt_account_id: accountId}, exp: iat + 864_000, iat, iss: 'https://auth.openai.com'}, rand)
      const accountHash = createHash('sha256').update(accountId).digest('hex').slice(0, 8)
      return {
        name: `codex-${accountHash}-${email}-${plan}.json`,
        content: {
          access_token: accessToken,
          account_id: accountId,
          email,
          expired: iso(now + 864_000_000),
          id_token: idToken,
          last_refresh: iso(now),
          refresh_token: `rt_${alnumFrom(rand, 40)}`,
          type: 'codex',
        },
      }
    }
    case 'antigravity':
      return {
        name: `antigravity-${email}.json`,
        content: {
          access_token: `ya29.${alnumFrom(rand, 120)}`,
          email,
          expired: iso(now + 3_599_000),
          expires_in: 3599,
          project_id: `ag-${hexFrom(rand, 10)}`,
          refresh_token: `1//${alnumFrom(rand, 64)}`,
          timestamp: now,
          type: 'antigravity',
        },
      }
    case 'xai':
      return {
        name: `xai-${email}.json`,
        content: {
          access_token: `xai-oauth-${alnumFrom(rand, 48)}`,
          auth_kind: 'oauth',
          base_url: 'https://cli-chat-proxy.grok.com/v1',
          email,
          expired: iso(now + 21_600_000),
          expires_in: 21_600,
          id_token: '',
          last_refresh: iso(now),
          refresh_token: `xai-refresh-${alnumFrom(rand, 48)}`,
          sub: uuidFrom(rand),
          token_endpoint: 'https://auth.x.ai/oauth2/token',
          token_type: 'Bearer',
          type: 'xai',
        },
      }
    case 'kimi':
    case 'kimi-ai':
      // Kimi files store no email (so a record's `source` falls back to the client key); kimi-ai (v8) is the
      // same device client on the kimi.ai domain, a file of type kimi-ai
      return {
        name: `${provider}-${now + opts.ordinal - 1}.json`,
        content: {
          access_token: `kimi-${alnumFrom(rand, 64)}`,
          device_id: uuidFrom(rand),
          expired: new Date(now + 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
          refresh_token: `kimi-refresh-${alnumFrom(rand, 64)}`,
          scope: 'openid profile',
          timestamp: now,
          token_type: 'Bearer',
          type: provider,
        },
      }
    case 'meta':
      // Meta (Muse Code): the device grant ends in a minted API key for the Meta API (default base URL
      // `https://api.meta.ai/v1`)
      return {
        name: `meta-${email}.json`,
        content: {
          access_token: `meta-${alnumFrom(rand, 48)}`,
          api_key: `LLM|${alnumFrom(rand, 40)}`,
          auth_kind: 'oauth',
          base_url: 'https://api.meta.ai/v1',
          email,
          expired: iso(now + 86_400_000),
          expires_in: 86_400,
          last_refresh: iso(now),
          token_type: 'Bearer',
          type: 'meta',
        },
      }
    case 'devin':
      return {
        name: `devin-${email}.json`,
        content: {access_token: `devin-${alnumFrom(rand, 48)}`, email, last_refresh: iso(now), type: 'devin'},
      }
    default:
      // A plugin OAuth provider: a generic token file of that type.
      return {
        name: `${provider}-${email}.json`,
        content: {access_token: `${provider}-${alnumFrom(rand, 48)}`, email, last_refresh: iso(now), type: provider},
      }
  }
}
