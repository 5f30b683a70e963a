/**
 * Inspection policy: the settings (threshold, providers, concurrency, timeout, which writes may run) and the
 * rules that turn a probe's classification into a proposed action.
 *
 * The rules (issue 7; the fix for the leading panel's CPAMP #120, which re-enabled accounts people had disabled):
 * - report only by default: nothing is written unless --apply (or the policy's `apply`) allows it;
 * - disable only on explicit evidence — long window exhausted, workspace/account deactivated, token revoked
 *   or invalid; never on a bare 401/403 (those are `review`);
 * - enable only a credential cpactl itself disabled (recorded ownership), whose evidence has cleared (every
 *   window below the threshold) and whose file has not been touched since; a credential a person disabled
 *   is never re-enabled;
 * - nothing is ever deleted: a deactivated workspace is a printed `delete-suggested`.
 *
 * Settings precedence: flags > policy file (--policy FILE, else `<configDir>/inspect-policy.yaml` when it
 * exists) > built-in defaults.
 */
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {ConfigError} from '../cli/errors.js'
import {parseDuration} from '../time/duration.js'
import type {ApplyMode, Classification, ProposedAction} from '../store/index.js'
import {APPLY_MODES} from '../store/index.js'

export const DEFAULTS = {
  concurrency: 4,
  timeoutMs: 15_000,
  threshold: 100,
  apply: 'none' as ApplyMode,
}

export const DEFAULT_POLICY_FILE = 'inspect-policy.yaml'

export interface PolicyFile {
  threshold?: number
  providers?: string[]
  concurrency?: number
  timeoutMs?: number
  apply?: ApplyMode
}

export interface InspectSettings {
  threshold: number
  providers: string[] | null
  concurrency: number
  timeoutMs: number
  apply: ApplyMode
  /** Where the policy came from: a file path, or null for flags/defaults only. */
  policySource: string | null
}

export interface SettingFlags {
  threshold?: number
  providers?: string[]
  concurrency?: number
  timeoutMs?: number
  apply?: ApplyMode
  dryRun?: boolean
  policy?: string
}

/** Split repeated/comma-separated flag values, trimmed, lower-cased, deduplicated; undefined when empty. */
export function listFlag(values: string[] | undefined, lower = true): string[] | undefined {
  if (!values) return undefined
  const out = [...new Set(values.flatMap((v) => v.split(',')).map((v) => (lower ? v.trim().toLowerCase() : v.trim())).filter(Boolean))]
  return out.length > 0 ? out : undefined
}

/** Parse and validate a policy document (YAML or JSON). */
export async function parsePolicy(text: string, source: string): Promise<PolicyFile> {
  const YAML = await import('yaml')
  let doc: unknown
  try {
    doc = YAML.parse(text)
  } catch (error) {
    throw new ConfigError(`policy ${source} is not valid YAML/JSON: ${(error as Error).message.split('\n')[0]}`, {code: 'invalid_policy'})
  }
  if (doc === null || doc === undefined) return {}
  const {z} = await import('zod')
  const schema = z
    .object({
      threshold: z.number().gt(0).lte(100).optional(),
      providers: z.union([z.array(z.string().min(1)), z.string().min(1)]).optional(),
      concurrency: z.number().int().min(1).max(64).optional(),
      timeout: z.union([z.string(), z.number().positive()]).optional(),
      apply: z.enum(APPLY_MODES as [ApplyMode, ...ApplyMode[]]).optional(),
    })
    .strict()
  const parsed = schema.safeParse(doc)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = issue?.path?.length ? issue.path.join('.') : '(root)'
    throw new ConfigError(`policy ${source}: ${where}: ${issue?.message ?? 'invalid'}`, {
      code: 'invalid_policy',
      hint: 'keys: threshold (1-100), providers (list), concurrency (1-64), timeout (e.g. 15s), apply (none|disable|enable|all)',
    })
  }
  const p = parsed.data
  const out: PolicyFile = {}
  if (p.threshold !== undefined) out.threshold = p.threshold
  if (p.providers !== undefined) out.providers = listFlag(Array.isArray(p.providers) ? p.providers : [p.providers])
  if (p.concurrency !== undefined) out.concurrency = p.concurrency
  if (p.timeout !== undefined) {
    try {
      out.timeoutMs = typeof p.timeout === 'number' ? Math.round(p.timeout * 1000) : parseDuration(p.timeout, 'timeout')
    } catch (error) {
      throw new ConfigError(`policy ${source}: timeout: ${(error as Error).message}`, {code: 'invalid_policy'})
    }
  }
  if (p.apply !== undefined) out.apply = p.apply
  return out
}

/** Load the explicit policy file, or the stored default one when it exists. */
export async function loadPolicy(explicit: string | undefined, configDir: string): Promise<{policy: PolicyFile; source: string | null}> {
  const path = explicit ?? join(configDir, DEFAULT_POLICY_FILE)
  if (!existsSync(path)) {
    if (explicit) throw new ConfigError(`policy file ${explicit} does not exist`, {code: 'invalid_policy'})
    return {policy: {}, source: null}
  }
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw new ConfigError(`cannot read policy ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {code: 'invalid_policy'})
  }
  return {policy: await parsePolicy(text, path), source: path}
}

export async function resolveSettings(flags: SettingFlags, configDir: string): Promise<InspectSettings> {
  const {policy, source} = await loadPolicy(flags.policy, configDir)
  return {
    threshold: flags.threshold ?? policy.threshold ?? DEFAULTS.threshold,
    providers: flags.providers ?? policy.providers ?? null,
    concurrency: flags.concurrency ?? policy.concurrency ?? DEFAULTS.concurrency,
    timeoutMs: flags.timeoutMs ?? policy.timeoutMs ?? DEFAULTS.timeoutMs,
    apply: flags.dryRun ? 'none' : (flags.apply ?? policy.apply ?? DEFAULTS.apply),
    policySource: source,
  }
}

export function allowsDisable(mode: ApplyMode): boolean {
  return mode === 'disable' || mode === 'all'
}

export function allowsEnable(mode: ApplyMode): boolean {
  return mode === 'enable' || mode === 'all'
}

/** What cpactl knows about its own earlier disable of this credential. */
export type Ownership =
  | {state: 'none'}
  | {state: 'owned'}
  /** cpactl disabled it, but the file changed since: a person may have acted, so it is not ours any more. */
  | {state: 'lost'; why: string}

export interface Decision {
  action: ProposedAction
  /** The write this action needs, if any. */
  write: 'disable' | 'enable' | null
  /** Extra words for the reason, if the decision adds something. */
  note: string | null
}

/** Classification + current state + ownership → proposed action. Independent of --apply. */
export function decide(outcome: {classification: Classification; disableEvidence: boolean}, disabled: boolean, ownership: Ownership): Decision {
  switch (outcome.classification) {
    case 'ok':
      if (!disabled) return {action: 'keep', write: null, note: null}
      if (ownership.state === 'owned') return {action: 'enable', write: 'enable', note: 'disabled by cpactl and the evidence has cleared'}
      if (ownership.state === 'lost') return {action: 'keep', write: null, note: `disabled; not re-enabled: ${ownership.why}`}
      return {action: 'keep', write: null, note: 'disabled by someone else; cpactl never re-enables it'}
    case 'quota_exhausted':
      if (!outcome.disableEvidence) return {action: 'keep', write: null, note: null}
      return disabled ? {action: 'keep', write: null, note: 'already disabled'} : {action: 'disable', write: 'disable', note: null}
    case 'reauth':
      return {action: 'reauth', write: disabled ? null : 'disable', note: disabled ? 'already disabled' : null}
    case 'workspace_deactivated':
      return {
        action: 'delete-suggested',
        write: disabled ? null : 'disable',
        note: `cpactl never deletes: delete the auth file yourself if you agree${disabled ? '; already disabled' : ''}`,
      }
    case 'review':
      return {action: 'review', write: null, note: null}
    case 'probe_failed':
    case 'skipped':
      return {action: 'keep', write: null, note: null}
  }
}

export function writeAllowed(write: 'disable' | 'enable', mode: ApplyMode): boolean {
  return write === 'disable' ? allowsDisable(mode) : allowsEnable(mode)
}

