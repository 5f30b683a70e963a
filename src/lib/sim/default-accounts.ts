/**
 * The seeded default credentials of a fresh simulator. Deterministic from `seed`: four codex accounts (plus, plus,
 * pro, team; `id_token` JWT with the OpenAI auth claims), two claude, one vertex service account, one xai, one
 * antigravity. `defaultProviderConfig(seed)` gives the config-backed entries the core merges into the simulator's
 * initial config (one gemini-api-key, one openai-compatibility provider with one key).
 */
import {createHash} from 'node:crypto'

import type {UpstreamScenario} from './account-types.js'
import {b64url, makeJwt, OPENAI_AUTH_CLAIM} from './jwt.js'
import {rfc3339} from './local-time.js'
import {alnumFrom, hexFrom, prng, uuidFrom} from './seeded-random.js'

// ---------------------------------------------------------------------------------------------------------
// Seeded default content
// ---------------------------------------------------------------------------------------------------------

const FIRST_NAMES = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'mallory', 'oscar', 'peggy', 'trent', 'victor', 'wendy']
const DOMAINS = ['example.com', 'example.org', 'example.net']

function shuffled<T>(items: readonly T[], rand: () => number): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1))
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

interface SeedFile {
  name: string
  content: Record<string, unknown>
  scenario: UpstreamScenario
}

/** The seeded default auth files (content only; the registry writes them). */
export function defaultAuthFiles(seed: number, nowMs: number, tzOffsetMinutes?: number): SeedFile[] {
  const rand = prng(seed ^ 0x5eed)
  const names = shuffled(FIRST_NAMES, rand)
  let nameIdx = 0
  const email = () => `${names[nameIdx++ % names.length]}@${DOMAINS[Math.floor(rand() * DOMAINS.length)]}`
  const iso = (ms: number) => rfc3339(ms, tzOffsetMinutes)
  const lastRefresh = nowMs - Math.floor(rand() * 3 * 86_400_000)
  const files: SeedFile[] = []

  // Codex: plus, plus, pro, team. First is always healthy; the others draw distinct problem scenarios.
  const codexScenarios: UpstreamScenario[] = [
    'ok',
    ...shuffled<UpstreamScenario>(
      ['short_exhausted', 'long_exhausted', 'revoked', 'deactivated_workspace', 'rate_limited', 'invalid_token'],
      rand,
    ).slice(0, 3),
  ]
  const plans = ['plus', 'plus', 'pro', 'team']
  plans.forEach((plan, i) => {
    const mail = email()
    const accountId = uuidFrom(rand)
    const userId = `user-${alnumFrom(rand, 24)}`
    const subStart = iso(nowMs - (20 + Math.floor(rand() * 200)) * 86_400_000)
    const subUntil = iso(nowMs + (5 + Math.floor(rand() * 25)) * 86_400_000)
    const iat = Math.floor(lastRefresh / 1000)
    const idToken = makeJwt(
      {
        aud: ['app_sim_codex'],
        auth_provider: 'password',
        email: mail,
        email_verified: true,
        exp: iat + 3600,
        [OPENAI_AUTH_CLAIM]: {
          chatgpt_account_id: accountId,
          chatgpt_plan_type: plan,
          chatgpt_subscription_active_start: subStart,
          chatgpt_subscription_active_until: subUntil,
          chatgpt_user_id: userId,
          user_id: userId,
        },
        iat,
        iss: 'https://auth.openai.com',
        sub: `auth0|${alnumFrom(rand, 24)}`,
      },
      rand,
    )
    const accessToken = makeJwt(
      {[OPENAI_AUTH_CLAIM]: {chatgpt_account_id: accountId}, exp: iat + 864_000, iat, iss: 'https://auth.openai.com', scp: ['openid', 'email', 'profile', 'offline_access']},
      rand,
    )
    const accountHash = createHash('sha256').update(accountId).digest('hex').slice(0, 8)
    files.push({
      name: `codex-${accountHash}-${mail}-${plan}.json`,
      scenario: codexScenarios[i]!,
      content: {
        access_token: accessToken,
        account_id: accountId,
        email: mail,
        expired: iso(lastRefresh + 864_000_000),
        id_token: idToken,
        last_refresh: iso(lastRefresh),
        refresh_token: `rt_${alnumFrom(rand, 40)}`,
        type: 'codex',
      },
    })
  })

  // Claude ×2.
  const claudeSecond = shuffled<UpstreamScenario>(['ok', 'short_exhausted', 'long_exhausted', 'rate_limited'], rand)[0]!
  for (const scenario of ['ok', claudeSecond] as UpstreamScenario[]) {
    const mail = email()
    files.push({
      name: `claude-${mail}.json`,
      scenario,
      content: {
        access_token: `sk-ant-oat01-${alnumFrom(rand, 86)}`,
        account_uuid: uuidFrom(rand),
        email: mail,
        expired: iso(lastRefresh + 28_800_000),
        id_token: '',
        last_refresh: iso(lastRefresh),
        organization_name: `${mail.split('@')[0]}'s Organization`,
        organization_uuid: uuidFrom(rand),
        refresh_token: `sk-ant-ort01-${alnumFrom(rand, 86)}`,
        type: 'claude',
      },
    })
  }

  // Vertex service account.
  {
    const project = `sim-project-${hexFrom(rand, 6)}`
    const saEmail = `cpa-sim@${project}.iam.gserviceaccount.com`
    files.push({
      name: `vertex-${project}.json`,
      scenario: 'ok',
      content: {
        email: saEmail,
        location: 'us-central1',
        project_id: project,
        service_account: {
          auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs',
          auth_uri: 'https://accounts.google.com/o/oauth2/auth',
          client_email: saEmail,
          client_id: String(100_000_000_000_000_000_000n + BigInt(Math.floor(rand() * 1e15))),
          private_key: `-----BEGIN PRIVATE KEY-----\n${b64url(Buffer.from(hexFrom(rand, 96), 'hex'))}\n-----END PRIVATE KEY-----\n`,
          private_key_id: hexFrom(rand, 40),
          project_id: project,
          token_uri: 'https://oauth2.googleapis.com/token',
          type: 'service_account',
        },
        type: 'vertex',
      },
    })
  }

  // xAI.
  {
    const mail = email()
    files.push({
      name: `xai-${mail}.json`,
      scenario: shuffled<UpstreamScenario>(['ok', 'ok', 'long_exhausted'], rand)[0]!,
      content: {
        access_token: `xai-oauth-${alnumFrom(rand, 48)}`,
        auth_kind: 'oauth',
        base_url: 'https://cli-chat-proxy.grok.com/v1',
        email: mail,
        expired: iso(lastRefresh + 21_600_000),
        expires_in: 21_600,
        last_refresh: iso(lastRefresh),
        refresh_token: `xai-refresh-${alnumFrom(rand, 48)}`,
        sub: uuidFrom(rand),
        token_type: 'Bearer',
        type: 'xai',
      },
    })
  }

  // Antigravity.
  {
    const mail = email()
    files.push({
      name: `antigravity-${mail}.json`,
      scenario: 'ok',
      content: {
        access_token: `ya29.${alnumFrom(rand, 120)}`,
        email: mail,
        expired: iso(lastRefresh + 3_599_000),
        expires_in: 3599,
        project_id: `ag-${hexFrom(rand, 10)}`,
        refresh_token: `1//${alnumFrom(rand, 64)}`,
        timestamp: lastRefresh,
        type: 'antigravity',
      },
    })
  }

  return files
}

/**
 * Config entries for the simulator's default config (config-backed upstream provider keys): one gemini-api-key and one
 * openai-compatibility provider with one key. The core merges these into its initial config.
 */
export function defaultProviderConfig(seed: number): Record<string, unknown> {
  const rand = prng(seed ^ 0xc0f1)
  return {
    'gemini-api-key': [{'api-key': `AIzaSy${alnumFrom(rand, 33)}`}],
    'openai-compatibility': [
      {
        name: 'openrouter',
        'base-url': 'https://openrouter.ai/api/v1',
        'api-key-entries': [{'api-key': `sk-or-v1-${hexFrom(rand, 64)}`}],
        models: [
          {name: 'deepseek/deepseek-chat-v3.1', alias: 'deepseek-v3.1'},
          {name: 'qwen/qwen3-coder', alias: 'qwen3-coder'},
        ],
      },
    ],
  }
}
