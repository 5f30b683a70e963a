/**
 * Version gates of the simulated gateway (minimum gateway versions of routes and behaviours). The simulator
 * can pretend to be an older release (`--version 6.10.8`) so clients can exercise their own version gating;
 * `dev` means "newest".
 */

/** Parse `7.2.140`, `v7.2.140`, `dev` into comparable parts; `dev` and unparseable ⇒ newest. */
const parsed = new Map<string, number[]>()

export function parseSimVersion(version: string): number[] {
  let cached = parsed.get(version)
  if (!cached) {
    cached = parseUncached(version)
    parsed.set(version, cached)
  }
  return cached
}

function parseUncached(version: string): number[] {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version.trim())
  if (!m) return [Number.POSITIVE_INFINITY, 0, 0]
  return [Number(m[1]), Number(m[2]), Number(m[3])]
}

/** True when `version` is at least `minimum` (both `x.y.z`). */
export function versionAtLeast(version: string, minimum: string): boolean {
  const a = parseSimVersion(version)
  const b = parseSimVersion(minimum)
  for (let i = 0; i < 3; i++) {
    if (a[i] !== b[i]) return a[i] > b[i]
  }
  return true
}

/** Minimum versions of the features the simulator gates, as the gateway's version history records them. */
export const FEATURE_SINCE = {
  versionHeaders: '6.3.36',
  respQueue: '6.9.38',
  apiKeyUsage: '6.9.47',
  failObject: '6.10.0',
  httpUsageQueue: '6.10.8',
  aliasField: '6.10.7',
  cacheReadTokens: '7.0.3',
  subscribe: '7.0.7',
  responseHeaders: '7.1.13',
  reasoningEffort: '7.1.18',
  ttft: '7.1.24',
  serviceTier: '7.1.27',
  executorType: '7.1.38',
  refreshNotifications: '7.1.39',
  strictUsageKey: '7.1.44',
  subscribeErrors: '7.1.44',
  /** NoRoute handler: unknown routes answer an empty 404 (with X-CPA-* after auth under /v0/management). */
  noRouteHandler: '7.1.47',
  plugins: '7.1.47',
  pluginStore: '7.1.69',
  supportPluginHeader: '7.1.69',
  resetQuota: '7.2.22',
  interactionsKeys: '7.2.51',
  /** DELETE /oauth-session and the device-flow fields of /xai-auth-url, /kimi-auth-url. */
  oauthSessionCancel: '7.2.64',
  responseServiceTier: '7.2.65',
  xaiKeys: '7.2.73',
  cacheReadPresent: '7.2.74',
  generateField: '7.2.78',
  accountingV2: '7.2.97',
  clientIpFields: '7.2.104',
  accessTokenSha: '7.2.111',
  oauthRequestScopedErrors: '7.2.138',
  maxRetryCredentials: '7.2.140',
  /** CPA v8: /v8/management, the config tree, the v8 usage record (cpa-gateway-v8.md). */
  v8: '8.0.0',
} as const

export type SimFeature = keyof typeof FEATURE_SINCE

export function hasFeature(version: string, feature: SimFeature): boolean {
  return versionAtLeast(version, FEATURE_SINCE[feature])
}
