/**
 * `cpactl status`: what the gateway is, whether management answers and accepts our key, whether usage is
 * published, the queue retention, and which queue transports answer — without popping anything.
 */
import {CpactlError} from '../cli/errors.js'
import type {GatewayClient} from '../gateway/client.js'
import {effectiveRetentionSeconds, getConfig, type GatewayConfig} from '../gateway/config.js'
import {atLeast, MIN_VERSIONS, parseGatewayVersion} from '../gateway/version.js'

export interface StatusResult {
  url: string
  profile: string | null
  keySource: string | null
  gateway: {
    reachable: boolean
    version: string | null
    commit: string | null
    buildDate: string | null
    supportPlugin: boolean | null
    /** The management API cpactl uses with this gateway: `v8` (/v8/management) or `v0` (/v0/management). */
    managementApi: 'v8' | 'v0' | null
    /** Major version from X-CPA-VERSION; null when it says nothing (`dev`, a bare SHA). */
    major: number | null
    /** How the API was chosen: `version` header, `probe` of the v8 route (unknown version), or `cache`. */
    apiDetectedBy: 'version' | 'probe' | 'cache' | null
  }
  management: {enabled: boolean | null; keyAccepted: boolean | null; error: {code: string; message: string} | null}
  usage: {publishing: boolean | null; retentionSeconds: number | null}
  transports: {
    http: {available: boolean | null; reason: string}
    resp: {available: boolean | null; reason: string}
  }
}

export interface StatusInputs {
  client: GatewayClient
  profile: string | null
  /** AUTH-only RESP check; injected so tests and doctor share it. */
  probeResp?: (key: string) => Promise<{ok: boolean; reply: string}>
}

/** Collects status; never throws for gateway-side problems (they become fields), only for local ones. */
export async function gatherStatus(input: StatusInputs): Promise<{status: StatusResult; config: GatewayConfig | null; error: CpactlError | null}> {
  const {client} = input
  const status: StatusResult = {
    url: client.origin,
    profile: input.profile,
    keySource: null,
    gateway: {reachable: false, version: null, commit: null, buildDate: null, supportPlugin: null, managementApi: null, major: null, apiDetectedBy: null},
    management: {enabled: null, keyAccepted: null, error: null},
    usage: {publishing: null, retentionSeconds: null},
    transports: {http: {available: null, reason: 'not checked'}, resp: {available: null, reason: 'not checked'}},
  }
  status.gateway.reachable = await client.healthz().catch(() => false)
  if (!status.gateway.reachable) {
    status.management.error = {code: 'unreachable', message: `the gateway at ${client.origin} does not answer /healthz`}
    return {status, config: null, error: null}
  }
  let config: GatewayConfig | null = null
  let error: CpactlError | null = null
  try {
    const api = await client.managementApi()
    status.gateway.managementApi = api.api
    status.gateway.apiDetectedBy = api.source === 'cache' ? 'cache' : api.featureProbed ? 'probe' : 'version'
    config = await getConfig(client)
    status.management.enabled = true
    status.management.keyAccepted = true
  } catch (err) {
    if (!(err instanceof CpactlError)) throw err
    if (err.exitCode === 3 && err.code !== 'management_disabled') throw err // local: no key, bad key file …
    error = err
    status.management.error = {code: err.code, message: err.message}
    if (err.code === 'management_disabled') status.management.enabled = false
    else if (err.exitCode === 4) {
      status.management.enabled = true
      status.management.keyAccepted = err.code === 'auth_failed' ? false : null
    }
  }
  const key = await client.key().catch(() => null)
  status.keySource = key?.source ?? null
  const v = client.version
  if (v) Object.assign(status.gateway, v)
  status.gateway.major = parseGatewayVersion(status.gateway.version).major
  if (config) {
    status.usage.publishing = config['usage-statistics-enabled'] === true
    status.usage.retentionSeconds = effectiveRetentionSeconds(config)
    const v8 = status.gateway.managementApi === 'v8'
    const route = v8 ? 'GET /v8/management/observability/usage/queue' : 'GET /usage-queue'
    const httpOk = v8 ? true : atLeast(v?.version, MIN_VERSIONS.httpQueue)
    status.transports.http =
      httpOk === false
        ? {available: false, reason: `gateway ${v?.version} is older than ${MIN_VERSIONS.httpQueue} (GET /usage-queue)`}
        : {available: true, reason: httpOk === null ? `version unknown; ${route} assumed (not popped)` : `${route} (not popped)`}
    const respOk = v8 ? null : atLeast(v?.version, MIN_VERSIONS.respQueue)
    if (respOk === false) {
      status.transports.resp = {available: false, reason: `gateway ${v?.version} is older than ${MIN_VERSIONS.respQueue} (no RESP queue)`}
    } else if (input.probeResp && key) {
      // AUTH only, one connection: ban-safe (v8: whether RESP usage output exists is unknown, so it is probed)
      const r = await input.probeResp(key.key)
      // remembered for `collect --transport auto` (it opens RESP on v8 only when a probe found it served)
      if (r.ok) client.rememberResp(true)
      else if (/^HTTP\/1\.[01] \d{3}/.test(r.reply)) client.rememberResp(false)
      status.transports.resp = r.ok
        ? {available: true, reason: 'AUTH accepted on the gateway port'}
        : {available: false, reason: /^HTTP\/1\.[01] \d{3}/.test(r.reply) ? `no RESP listener: the port answered HTTP (${r.reply})` : r.reply}
    }
  }
  return {status, config, error}
}
