/**
 * `cpactl config show [--raw] [--reveal]`.
 * - default: the effective config — config.yaml's keys merged over the gateway's own view (GET /config, which
 *   fills in defaults but omits host, port, auth-dir and remote-management), in file order;
 * - `--raw`: config.yaml exactly as stored, comments included.
 * Secrets are masked (mask.ts) unless `--reveal`.
 */
import {CheckFailedError} from '../cli/errors.js'
import type {GatewayClient} from '../gateway/client.js'
import {isPlainObject} from './path.js'
import {parseConfigText} from './parse.js'
import {maskConfigData, maskConfigDocument} from './mask.js'

export interface ConfigShowResult {
  /** true: config.yaml as stored; false: effective config with defaults. */
  raw: boolean
  masked: boolean
  /** What is printed in human mode. */
  yaml: string
  config: Record<string, unknown>
}

export async function showConfig(client: GatewayClient, options: {raw?: boolean; reveal?: boolean} = {}): Promise<ConfigShowResult> {
  const {getConfig, getConfigYaml} = await import('../gateway/config.js')
  const parsed = await parseConfigText(await getConfigYaml(client), 'live')
  const masked = !options.reveal
  if (parsed.syntaxErrors.length > 0 && masked) {
    // secrets cannot be located reliably in text that does not parse
    throw new CheckFailedError(`the live config.yaml does not parse (${parsed.syntaxErrors[0].message}); secrets cannot be masked`, {
      code: 'live_config_invalid',
      hint: 'cpactl config show --raw --reveal prints it as stored',
    })
  }
  if (options.raw) {
    const fileData = parsed.data ?? {}
    if (masked) await maskConfigDocument(parsed.doc)
    return {raw: true, masked, yaml: parsed.syntaxErrors.length > 0 ? parsed.text : parsed.doc.toString(), config: (masked ? maskConfigData(fileData) : fileData) as Record<string, unknown>}
  }
  const effective = mergeEffective(parsed.data ?? {}, await getConfig(client))
  const config = (masked ? maskConfigData(effective) : effective) as Record<string, unknown>
  const YAML = await import('yaml')
  return {raw: false, masked, yaml: YAML.stringify(config, {lineWidth: 0}), config}
}

/** File values win for keys GET /config does not serve; the gateway's decoded values (with defaults) otherwise. */
export function mergeEffective(file: Record<string, unknown>, served: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(file)) out[k] = Object.hasOwn(served, k) ? mergeValue(v, served[k]) : v
  for (const [k, v] of Object.entries(served)) if (!Object.hasOwn(out, k)) out[k] = v
  return out
}

function mergeValue(file: unknown, served: unknown): unknown {
  if (isPlainObject(file) && isPlainObject(served)) return mergeEffective(file, served)
  return served
}
