/**
 * `cpactl doctor`: the checklist for "monitoring stays empty" (issue 2). Each check is
 * pass / warn / fail / skip with a one-line fix. Later areas (store, collector) add their own checks through
 * `extraChecks`.
 */
import {CpactlError} from '../cli/errors.js'
import {formatDuration} from '../time/duration.js'
import {check, type DoctorCheck} from '../cli/checks.js'
import type {GatewayClient} from '../gateway/client.js'
import {listAuthFiles} from '../gateway/auth-files.js'
import type {GatewayConfig} from '../gateway/config.js'
import {atLeast, MIN_VERSIONS, parseGatewayVersion} from '../gateway/version.js'
import {gatherStatus, type StatusResult} from './status.js'

export interface DoctorInputs {
  client: GatewayClient
  profile: string | null
  expectedIntervalMs: number
  probeResp?: (key: string) => Promise<{ok: boolean; reply: string}>
  /** Checks from other areas (store, collector), run after the gateway checks. */
  extraChecks?: (ctx: {status: StatusResult; config: GatewayConfig | null}) => Promise<DoctorCheck[]>
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/i
const EXAMPLE_KEY = /^your-api-key-\d+$/

export async function runDoctor(input: DoctorInputs): Promise<DoctorCheck[]> {
  const {client} = input
  const checks: DoctorCheck[] = []
  const {status, config, error} = await gatherStatus({client, profile: input.profile, probeResp: input.probeResp})
  const skipRest = (from: string) => check(from, 'skip', 'skipped: an earlier check failed')

  checks.push(
    status.gateway.reachable
      ? check('gateway-reachable', 'pass', `${client.origin} answers /healthz`)
      : check('gateway-reachable', 'fail', `${client.origin} does not answer /healthz`, 'start the gateway or fix --url / CPA_URL / the profile URL'),
  )
  if (!status.gateway.reachable) {
    for (const n of ['management-enabled', 'key-accepted', 'remote-management', 'usage-publishing', 'queue-retention', 'management-api', 'gateway-version', 'example-client-keys', 'auth-indexes']) checks.push(skipRest(n))
    return checks
  }

  const mgmt = status.management
  if (mgmt.enabled === false) {
    checks.push(
      check(
        'management-enabled',
        'fail',
        'the management API does not answer: management is disabled (no secret key) or the node runs in CPA Home mode (empty 404 on /v0 and /v8, /healthz ok)',
        'set a management secret key (v8: management.secret-key, v7: remote-management.secret-key) or MANAGEMENT_PASSWORD; a Home-mode node is managed through CPA Home',
      ),
    )
  } else {
    checks.push(check('management-enabled', 'pass', 'the management API answers'))
  }

  const host = client.url.host
  const remoteRefused = error?.code === 'remote_disabled'
  if (remoteRefused) {
    checks.push(check('key-accepted', 'skip', 'not checked: the gateway refuses remote management'))
    checks.push(check('remote-management', 'fail', `the gateway refuses management from this machine (${host} is not loopback for it)`, 'set remote-management.allow-remote: true (and enable TLS) or run cpactl on the gateway host'))
  } else {
    if (mgmt.keyAccepted === true) checks.push(check('key-accepted', 'pass', `the management key${status.keySource ? ` from ${status.keySource}` : ''} is accepted`))
    else if (error?.code === 'ip_banned') checks.push(check('key-accepted', 'fail', error.message, 'wait for the ban to expire; fix the key before trying again'))
    else if (mgmt.enabled === false) checks.push(skipRest('key-accepted'))
    else checks.push(check('key-accepted', 'fail', error?.message ?? 'the key was not accepted', 'check the key (cpactl login --management-key-stdin); cpactl never retries a rejected key'))
    checks.push(
      LOOPBACK.test(host)
        ? check('remote-management', 'pass', 'the gateway is on loopback; remote management is not needed')
        : mgmt.keyAccepted
          ? check('remote-management', 'pass', 'remote management is allowed for this client')
          : check('remote-management', 'skip', 'not checked: the key was not accepted'),
    )
  }

  if (!config) {
    for (const n of ['usage-publishing', 'queue-retention', 'management-api', 'gateway-version', 'example-client-keys', 'auth-indexes']) checks.push(skipRest(n))
  } else {
    checks.push(
      config['usage-statistics-enabled'] === true
        ? check('usage-publishing', 'pass', 'usage-statistics-enabled is true')
        : check('usage-publishing', 'fail', 'usage-statistics-enabled is false: the gateway publishes no usage records', 'cpactl usage enable (or set usage-statistics-enabled: true)'),
    )
    const retentionS = status.usage.retentionSeconds ?? 60
    checks.push(
      input.expectedIntervalMs <= retentionS * 1000
        ? check('queue-retention', 'pass', `retention ${retentionS}s covers the expected collection interval ${formatDuration(input.expectedIntervalMs)}`)
        : check(
            'queue-retention',
            'fail',
            `retention ${retentionS}s is shorter than the expected collection interval ${formatDuration(input.expectedIntervalMs)}: records expire unseen`,
            `collect more often, or raise redis-usage-queue-retention-seconds (max 3600) to at least ${Math.min(3600, Math.ceil(input.expectedIntervalMs / 1000))}`,
          ),
    )
    checks.push(...versionChecks(status))

    const keys = Array.isArray(config['api-keys']) ? (config['api-keys'] as unknown[]).filter((k): k is string => typeof k === 'string') : []
    const examples = keys.filter((k) => EXAMPLE_KEY.test(k))
    checks.push(
      examples.length > 0
        ? check('example-client-keys', 'fail', `${examples.length} example client key(s) (your-api-key-*) configured: the gateway refuses proxy traffic (unsafe_example_api_key)`, 'replace them: cpactl api-keys add / remove')
        : check('example-client-keys', 'pass', `${keys.length} client key(s), none of them an example key`),
    )

    try {
      const files = await listAuthFiles(client)
      const missing = files.filter((f) => !f.auth_index)
      const seen = new Map<string, string[]>()
      for (const f of files) if (f.auth_index) seen.set(f.auth_index, [...(seen.get(f.auth_index) ?? []), f.name])
      const dupes = [...seen.entries()].filter(([, names]) => names.length > 1)
      if (missing.length > 0) checks.push(check('auth-indexes', 'fail', `${missing.length} auth file(s) without auth_index: ${missing.map((f) => f.name).join(', ')}`, 'upgrade the gateway (auth_index needs >= 6.3.56)'))
      else if (dupes.length > 0) checks.push(check('auth-indexes', 'fail', `auth_index repeated: ${dupes.map(([i, n]) => `${i} (${n.join(', ')})`).join('; ')}`, 'remove duplicate auth files; usage cannot be told apart'))
      else checks.push(check('auth-indexes', 'pass', `${files.length} auth file(s), each with its own auth_index`))
    } catch (err) {
      if (!(err instanceof CpactlError)) throw err
      checks.push(check('auth-indexes', 'warn', `could not list auth files: ${err.message}`, null))
    }
  }

  if (input.extraChecks) checks.push(...(await input.extraChecks({status, config})))
  return checks
}

/**
 * Features cpactl uses and the v7 release that added them. A v7 gateway older than one of
 * these gets a warning naming what does not work; a v8 gateway has them all.
 */
const V7_FEATURES: Array<{since: string; what: string}> = [
  {since: MIN_VERSIONS.respStrictKey, what: "RESP pops with the key 'usage' (collect --transport resp/auto)"},
  {since: MIN_VERSIONS.resetQuota, what: 'cooldown reset (auth-files reset-cooldown, /reset-quota)'},
  {since: MIN_VERSIONS.authFileFilters, what: 'auth-file name/auth_index filters'},
  {since: MIN_VERSIONS.accountingV2, what: 'token_breakdown accounting (exact token buckets in reports)'},
  {since: MIN_VERSIONS.fullRecordSchema, what: 'the full usage record (client IP, user agent, access-token fingerprint)'},
  {since: MIN_VERSIONS.noRouteHandler, what: 'empty 404 with X-CPA-* for unknown routes (a missing route is told from disabled management in one request)'},
]

/** `management-api` (which API cpactl uses, and how it chose) and `gateway-version` (what is missing on v7). */
export function versionChecks(status: StatusResult): DoctorCheck[] {
  const out: DoctorCheck[] = []
  const g = status.gateway
  const version = g.version
  const how = g.apiDetectedBy === 'probe' ? 'by probing the v8 route (the version string says none)' : g.apiDetectedBy === 'cache' ? 'from a probe of the last few minutes' : 'from X-CPA-VERSION'
  if (g.managementApi === 'v8') out.push(check('management-api', 'pass', `cpactl uses the v8 management API (/v8/management), chosen ${how}`))
  else if (g.managementApi === 'v0') out.push(check('management-api', 'pass', `cpactl uses the v0 management API (/v0/management; a v7 gateway), chosen ${how}`))
  else out.push(check('management-api', 'skip', 'not determined'))

  if (version === null) {
    out.push(check('gateway-version', 'warn', 'the gateway sends no X-CPA-VERSION header (older than 6.3.36?): features are probed, not assumed', 'upgrade the gateway'))
    return out
  }
  const p = parseGatewayVersion(version)
  if (!p.known) {
    out.push(check('gateway-version', 'warn', `version '${version}' (${p.unknownKind === 'dev' ? 'a source build' : p.unknownKind === 'sha' ? 'a commit build' : 'unrecognised'}) says nothing: cpactl assumes the newest features and probes the routes it needs`, null))
    return out
  }
  if (p.major! >= 8) {
    out.push(check('gateway-version', 'pass', `gateway ${version}: HTTP usage queue on /v8/management; RESP usage output is probed, not assumed`))
    return out
  }
  if (atLeast(version, MIN_VERSIONS.httpQueue) === false) {
    out.push(check('gateway-version', 'fail', `gateway ${version} has no HTTP usage queue (needs >= ${MIN_VERSIONS.httpQueue})`, 'upgrade the gateway'))
    return out
  }
  const missing = V7_FEATURES.filter((f) => atLeast(version, f.since) === false)
  if (missing.length > 0) {
    out.push(
      check(
        'gateway-version',
        'warn',
        `gateway ${version} lacks features cpactl would use: ${missing.map((f) => `${f.what} (>= ${f.since})`).join('; ')}`,
        'upgrade the gateway (8.0.x is current)',
      ),
    )
  } else out.push(check('gateway-version', 'pass', `gateway ${version} supports the HTTP and RESP queues and every v7 feature cpactl uses`))
  return out
}
