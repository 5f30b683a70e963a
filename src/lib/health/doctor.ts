/**
 * `cpactl doctor`: the checklist for "monitoring stays empty" (issue 2 §6, cpa-gateway.md §13). Each check is
 * pass / warn / fail / skip with a one-line fix. Later areas (store, collector) add their own checks through
 * `extraChecks`.
 */
import {CpactlError} from '../cli/errors.js'
import {formatDuration} from '../cli/duration.js'
import type {GatewayClient} from '../gateway/client.js'
import {listAuthFiles} from '../gateway/auth-files.js'
import type {GatewayConfig} from '../gateway/config.js'
import {atLeast, MIN_VERSIONS} from '../gateway/version.js'
import {gatherStatus, type StatusResult} from './status.js'

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip'

export interface Check {
  check: string
  status: CheckStatus
  message: string
  fix: string | null
}

export interface DoctorInputs {
  client: GatewayClient
  profile: string | null
  expectedIntervalMs: number
  probeResp?: (key: string) => Promise<{ok: boolean; reply: string}>
  /** Checks from other areas (store, collector), run after the gateway checks. */
  extraChecks?: (ctx: {status: StatusResult; config: GatewayConfig | null}) => Promise<Check[]>
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/i
const EXAMPLE_KEY = /^your-api-key-\d+$/

function check(name: string, status: CheckStatus, message: string, fix: string | null = null): Check {
  return {check: name, status, message, fix}
}

export async function runDoctor(input: DoctorInputs): Promise<Check[]> {
  const {client} = input
  const checks: Check[] = []
  const {status, config, error} = await gatherStatus({client, profile: input.profile, probeResp: input.probeResp})
  const skipRest = (from: string) => check(from, 'skip', 'skipped: an earlier check failed')

  checks.push(
    status.gateway.reachable
      ? check('gateway-reachable', 'pass', `${client.origin} answers /healthz`)
      : check('gateway-reachable', 'fail', `${client.origin} does not answer /healthz`, 'start the gateway or fix --url / CPA_URL / the profile URL'),
  )
  if (!status.gateway.reachable) {
    for (const n of ['management-enabled', 'key-accepted', 'remote-management', 'usage-publishing', 'queue-retention', 'gateway-version', 'example-client-keys', 'auth-indexes']) checks.push(skipRest(n))
    return checks
  }

  const mgmt = status.management
  if (mgmt.enabled === false) {
    checks.push(check('management-enabled', 'fail', 'the management API is disabled (empty 404 or no secret-key)', 'set remote-management.secret-key in the gateway config.yaml (hot reload enables it)'))
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
    for (const n of ['usage-publishing', 'queue-retention', 'gateway-version', 'example-client-keys', 'auth-indexes']) checks.push(skipRest(n))
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
    const version = status.gateway.version
    const http = atLeast(version, MIN_VERSIONS.httpQueue)
    const resp = atLeast(version, MIN_VERSIONS.respStrictKey)
    if (version === null) checks.push(check('gateway-version', 'warn', 'the gateway sends no X-CPA-VERSION header (older than 6.3.36?)', 'upgrade the gateway'))
    else if (version === 'dev') checks.push(check('gateway-version', 'warn', 'source build (dev): assuming the newest features', null))
    else if (!http) checks.push(check('gateway-version', 'fail', `gateway ${version} has no HTTP usage queue (needs >= ${MIN_VERSIONS.httpQueue})`, 'upgrade the gateway'))
    else if (!resp) checks.push(check('gateway-version', 'warn', `gateway ${version}: HTTP queue ok, RESP with key 'usage' needs >= ${MIN_VERSIONS.respStrictKey}`, 'upgrade the gateway, or collect with --transport http'))
    else checks.push(check('gateway-version', 'pass', `gateway ${version} supports the HTTP and RESP queues`))

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

export function doctorExitCode(checks: Check[], warningsAsErrors: boolean): number {
  if (checks.some((c) => c.status === 'fail')) return 1
  if (warningsAsErrors && checks.some((c) => c.status === 'warn')) return 1
  return 0
}
