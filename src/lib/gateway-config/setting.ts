/**
 * `cpactl config get KEY` / `config set KEY VALUE` / `config unset KEY`. On a v8 gateway every key is one path of
 * the v8 config tree (setting-v8.ts). On a v7 gateway (dotted legacy paths):
 * - Keys with a dedicated endpoint (SIMPLE_SETTINGS: `{"value": …}` routes) are read and written there.
 * - Any other key goes through a YAML round trip: GET /config.yaml, change one node with the `yaml` Document
 *   API (comments, order and styles kept), validate with the config schema, PUT /config.yaml. `unset` removes
 *   the node the same way (there are no delete routes besides /proxy-url).
 * Every write is re-read and verified; the gateway reloads asynchronously, so reads are polled
 * briefly before the write is called unverified.
 */
import type {Document} from 'yaml'

import {CheckFailedError, UsageError} from '../cli/errors.js'
import type {GatewayClient} from '../gateway/client.js'
import {coerceSettingValue, getConfig, getConfigYaml, getSetting, putConfigYaml, setSetting, SIMPLE_SETTINGS} from '../gateway/config.js'
import {deepEqual, formatPath, getAt, hasAt, parsePath, type PathPart} from './path.js'
import {parseConfigText} from './parse.js'
import {ROUTING_STRATEGIES} from '../gateway/config-keymap.js'
import {isKnownTopLevelKey, scalarTypeOf, validateConfigData} from './schema.js'
import {GO_DURATION} from './v8-spec.js'
import {maskConfigData, secretKind} from './mask.js'
import {confirmOrFail} from '../cli/confirm.js'
import {pollUntil, type PollOptions} from '../gateway/poll.js'
import {type ConfigGetResult, type ConfigSetResult, type ConfigUnsetOptions, type ConfigUnsetResult, notVerified} from './setting-result.js'
import {getConfigValueV8, hasNoV8Name, setConfigValueV8, unsetConfigValueV8} from './setting-v8.js'
import {resolveV8Path} from './v8-value.js'
import {addWarning, type Warning} from '../cli/warnings.js'

export async function getConfigValue(client: GatewayClient, key: string, options: {reveal?: boolean} = {}): Promise<ConfigGetResult> {
  if ((await client.managementApi()).api === 'v8') {
    const path = resolveV8Path(key)
    if (!hasNoV8Name(path)) return getConfigValueV8(client, path, options)
    key = path.dotted
  }
  const parts = parsePath(key)
  const name = formatPath(parts)
  const show = (v: unknown) => (options.reveal ? v : maskConfigData(v, parts))
  if (SIMPLE_SETTINGS[name]) {
    const value = await getSetting(client, name)
    return {key: name, found: value !== undefined, value: value === undefined ? null : show(value), source: value === undefined ? null : 'endpoint', masked: !options.reveal}
  }
  const file = await parseConfigText(await getConfigYaml(client), 'live')
  if (file.data && hasAt(file.data, parts)) return {key: name, found: true, value: show(getAt(file.data, parts)), source: 'config.yaml', masked: !options.reveal}
  const served = await getConfig(client)
  if (hasAt(served, parts)) return {key: name, found: true, value: show(getAt(served, parts)), source: 'default', masked: !options.reveal}
  return {key: name, found: false, value: null, source: null, masked: !options.reveal}
}

export interface ConfigSetOptions {
  dryRun?: boolean
  reveal?: boolean
  poll?: PollOptions
}

/** What the gateway stores for a simple setting: strategy aliases canonicalised, some negative numbers replaced. */
function expectedStored(name: string, value: boolean | number | string): boolean | number | string {
  if (name === 'routing.strategy') return ROUTING_STRATEGIES[String(value).trim().toLowerCase()] ?? value
  if (typeof value === 'number' && value < 0) {
    if (name === 'logs-max-total-size-mb' || name === 'max-retry-credentials') return 0
    if (name === 'error-logs-max-files') return 10
  }
  return value
}

/** Type a command-line VALUE for a non-endpoint key: the schema's scalar type when known, else YAML syntax. */
async function typedValue(parts: PathPart[], text: string): Promise<unknown> {
  const type = scalarTypeOf(parts)
  const name = formatPath(parts)
  if (type === 'string') return text
  if (type === 'boolean') {
    if (/^(true|on|yes)$/i.test(text.trim())) return true
    if (/^(false|off|no)$/i.test(text.trim())) return false
    throw new UsageError(`${name} takes true or false, not '${text}'`, {code: 'invalid_value'})
  }
  if (type === 'integer') {
    if (!/^-?\d+$/.test(text.trim())) throw new UsageError(`${name} takes an integer, not '${text}'`, {code: 'invalid_value'})
    return Number(text.trim())
  }
  const YAML = await import('yaml')
  try {
    const v = YAML.parse(text) as unknown
    return v === undefined ? text : v
  } catch {
    return text
  }
}

/** Set one node, keeping its comments when it is a scalar replaced by a scalar. */
async function setNode(doc: Document, parts: PathPart[], value: unknown): Promise<void> {
  const {isScalar} = await import('yaml')
  const node = doc.getIn(parts, true)
  const scalar = value === null || ['string', 'number', 'boolean'].includes(typeof value)
  try {
    if (isScalar(node) && scalar) node.value = value
    else doc.setIn(parts, value)
  } catch (error) {
    throw new UsageError(`cannot set ${formatPath(parts)}: ${(error as Error).message}`, {code: 'invalid_key'})
  }
}

export async function setConfigValue(client: GatewayClient, key: string, valueText: string, options: ConfigSetOptions = {}): Promise<ConfigSetResult> {
  if ((await client.managementApi()).api === 'v8') {
    const path = resolveV8Path(key)
    if (!hasNoV8Name(path)) return setConfigValueV8(client, key, valueText, options)
    key = path.dotted
  }
  const parts = parsePath(key)
  const name = formatPath(parts)
  if (secretKind(parts) === 'secret') {
    throw new UsageError(`refusing to take ${name} on the command line (it would land in shell history and process lists)`, {
      code: 'secret_in_argv',
      hint: name.startsWith('api-keys') ? 'use cpactl api-keys add (it reads the key from stdin or generates one)' : 'edit the config file and use cpactl config apply FILE',
    })
  }
  const show = (v: unknown) => (options.reveal ? v : maskConfigData(v, parts))
  const warnings: Warning[] = []

  if (SIMPLE_SETTINGS[name]) {
    const value = coerceSettingValue(name, valueText)
    if (name === 'routing.strategy' && ROUTING_STRATEGIES[String(value).trim().toLowerCase()] === undefined) {
      throw new UsageError(`unknown routing strategy '${valueText}'`, {code: 'invalid_value', hint: 'use round-robin, weighted-round-robin or fill-first'})
    }
    const expected = expectedStored(name, value)
    const previous = await getSetting(client, name)
    const changed = !deepEqual(previous, expected)
    const base = {key: name, via: 'endpoint' as const, previous: show(previous), value: show(expected), changed, warnings}
    if (options.dryRun || !changed) return {...base, dryRun: Boolean(options.dryRun), verified: null}
    await setSetting(client, name, value)
    const check = await pollUntil(() => getSetting(client, name), (v) => deepEqual(v, expected), options.poll)
    if (!check.ok) throw notVerified(name, show(expected), show(check.value))
    return {...base, dryRun: false, verified: true}
  }

  const text = await getConfigYaml(client)
  const parsed = await parseConfigText(text, 'live')
  if (!parsed.data) throw new CheckFailedError('the live config.yaml does not parse; fix it with cpactl config apply', {code: 'live_config_invalid'})
  const value = await typedValue(parts, valueText)
  const previous = getAt(parsed.data, parts)
  const changed = !hasAt(parsed.data, parts) || !deepEqual(previous, value)
  if (!isKnownTopLevelKey(String(parts[0]))) addWarning(warnings, 'unknown_key', `'${parts[0]}' is not a key the gateway is known to read; it is written anyway`)
  await setNode(parsed.doc, parts, value)
  const nextText = parsed.doc.toString()
  const next = await parseConfigText(nextText, 'next')
  const issues = (await validateConfigData(next.data)).filter((i) => formatPath(i.parts).startsWith(name) || name.startsWith(formatPath(i.parts)))
  if (issues.length > 0) throw new UsageError(`${issues[0].path}: ${issues[0].message}`, {code: 'invalid_value', details: {issues: issues.map(({path, message}) => ({path, message}))}})
  if (name === 'routing.session-affinity-ttl' && typeof value === 'string' && !GO_DURATION.test(value)) {
    throw new UsageError(`routing.session-affinity-ttl takes a Go duration such as 30m or 1h, not '${valueText}'`, {code: 'invalid_value'})
  }
  const base = {key: name, via: 'config.yaml' as const, previous: previous === undefined ? null : show(previous), value: show(value), changed, warnings}
  if (options.dryRun || !changed) return {...base, dryRun: Boolean(options.dryRun), verified: null}
  await putConfigYaml(client, nextText)
  const check = await pollUntil(
    async () => (await parseConfigText(await getConfigYaml(client), 'live')).data,
    (d) => d !== null && deepEqual(getAt(d, parts), value),
    options.poll,
  )
  if (!check.ok) throw notVerified(name, show(value), show(check.value ? getAt(check.value, parts) : undefined))
  return {...base, dryRun: false, verified: true}
}

/**
 * `config unset KEY` on a v7 gateway: remove the node from config.yaml (comments elsewhere kept) and PUT the file
 * back; the gateway's value for an absent key applies again. Confirmed like every destructive command.
 */
export async function unsetConfigValue(client: GatewayClient, key: string, options: ConfigUnsetOptions = {}): Promise<ConfigUnsetResult> {
  if ((await client.managementApi()).api === 'v8') return unsetConfigValueV8(client, key, options)
  const parts = parsePath(key)
  const name = formatPath(parts)
  if (name === 'remote-management' || name === 'remote-management.secret-key') {
    throw new UsageError(`refusing to remove ${name}: without remote-management.secret-key the management API switches off`, {
      code: 'would_disable_management',
      hint: 'change the key in the gateway config file instead',
    })
  }
  const show = (v: unknown) => (options.reveal ? v : maskConfigData(v, parts))
  const parsed = await parseConfigText(await getConfigYaml(client), 'live')
  if (!parsed.data) throw new CheckFailedError('the live config.yaml does not parse; fix it with cpactl config apply', {code: 'live_config_invalid'})
  const present = hasAt(parsed.data, parts)
  const base = {key: name, via: 'config.yaml' as const, previous: present ? show(getAt(parsed.data, parts)) : null, default: null, changed: present, warnings: [] as Warning[]}
  if (!present || options.dryRun) return {...base, dryRun: Boolean(options.dryRun), verified: null}
  await confirmOrFail({yes: Boolean(options.yes), action: `remove ${name} from the gateway config.yaml`, note: 'preview first with --dry-run', interactive: options.interactive})
  parsed.doc.deleteIn(parts)
  await putConfigYaml(client, parsed.doc.toString())
  const check = await pollUntil(
    async () => (await parseConfigText(await getConfigYaml(client), 'live')).data,
    (d) => d !== null && !hasAt(d, parts),
    options.poll,
  )
  if (!check.ok) throw notVerified(name, null, check.value ? show(getAt(check.value, parts)) : undefined)
  // what applies now: the value the gateway reports for the absent key (GET /config), where it reports one
  const after = await getConfig(client).catch(() => null)
  return {...base, default: after && hasAt(after, parts) ? show(getAt(after, parts)) : null, dryRun: false, verified: true}
}
