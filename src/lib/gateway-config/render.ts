/** Human views of the config commands (show, get, set, diff, apply, check). Everything here goes through the output layer. */
import {colorEnabled, paint, renderTable, severityTone, writeErr, writeOut} from '../cli/output.js'
import type {ConfigApplyResult} from './apply-result.js'
import type {CheckResult} from './check.js'
import type {ConfigDiffResult} from './diff.js'
import type {ConfigMigrateResult} from './migrate-file.js'
import type {Finding} from './rule-kit.js'
import type {ConfigGetResult, ConfigSetResult, ConfigUnsetResult} from './setting-result.js'

function scalarText(v: unknown): string {
  if (v === null || v === undefined) return 'null'
  if (typeof v === 'string') return v === '' ? '""' : v
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  return JSON.stringify(v)
}

/** A value as the user would write it: scalars bare, lists/maps as YAML. */
export async function valueText(v: unknown): Promise<string> {
  if (v !== null && typeof v === 'object') {
    const YAML = await import('yaml')
    return YAML.stringify(v, {lineWidth: 0}).replace(/\n$/, '')
  }
  return scalarText(v)
}

export async function renderConfigGet(r: ConfigGetResult): Promise<void> {
  for (const n of r.notes ?? []) writeErr(n)
  if (!r.found) {
    if (r.source === 'default') {
      // the value that applies, on stdout (scripts read it); that it is a default, on stderr (and exit 1)
      writeOut(await valueText(r.value))
      writeErr(`${r.key} is not set in the gateway's config file; the default applies`)
    } else writeErr(`${r.key} is not set (and has no default ${r.input === undefined ? 'the gateway reports' : 'cpactl knows'})`)
    return
  }
  writeOut(await valueText(r.value))
}

const VIA: Record<ConfigSetResult['via'], string> = {endpoint: 'its setting endpoint', 'config.yaml': 'config.yaml', 'config-tree': 'the v8 config tree'}

export function renderConfigSet(r: ConfigSetResult): void {
  if (!r.changed) {
    writeErr(`${r.key} is already ${scalarText(r.value)}; nothing to change`)
    return
  }
  const change = `${r.key}: ${scalarText(r.previous)} → ${scalarText(r.value)}`
  if (r.dryRun) writeOut(`would set ${change} (via ${VIA[r.via]})`)
  else writeOut(`set ${change} (via ${VIA[r.via]}; verified)`)
}

export function renderConfigUnset(r: ConfigUnsetResult): void {
  if (!r.changed) {
    writeErr(`${r.key} is not set; nothing to remove`)
    return
  }
  const now = r.default === null ? '' : `; the default ${scalarText(r.default)} applies`
  if (r.dryRun) writeOut(`would remove ${r.key} (now ${scalarText(r.previous)}) via ${VIA[r.via]}${now}`)
  else writeOut(`removed ${r.key} (was ${scalarText(r.previous)}) via ${VIA[r.via]}${now}; verified`)
}

/** A unified diff in the one colour rule (cli/output.ts paint): added lines green, removed red, hunks dim. */
function colorDiff(text: string): string {
  if (!colorEnabled('out')) return text
  return text
    .split('\n')
    .map((l) => paint(l, l.startsWith('+') && !l.startsWith('+++') ? 'ok' : l.startsWith('-') && !l.startsWith('---') ? 'error' : l.startsWith('@@') ? 'muted' : null))
    .join('\n')
}

export function renderConfigDiff(r: ConfigDiffResult): void {
  if (r.equal) {
    writeErr(`${r.file} matches the live config.`)
    return
  }
  writeOut(colorDiff(r.unified.replace(/\n$/, '')))
  writeErr(`${r.changes.length} difference${r.changes.length === 1 ? '' : 's'} between the live config and ${r.file}${r.masked ? ' (secrets masked; --reveal shows them)' : ''}.`)
}

/** Shown before the confirmation question of apply. */
export function renderApplyPreview(diff: ConfigDiffResult): void {
  writeOut(colorDiff(diff.unified.replace(/\n$/, '')))
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`

function writeLines(r: ConfigApplyResult): string[] {
  if (r.api !== 'v8') return []
  return r.writes.map((w) => `  ${w.status === 'planned' ? '' : `${w.status}: `}${w.method} ${w.path === '' ? '(whole config)' : w.path}${w.error ? ` — ${w.error}` : ''}`)
}

export function renderConfigApply(r: ConfigApplyResult, previewShown: boolean): void {
  if (!previewShown) {
    if (!r.diff.equal) writeOut(colorDiff(r.diff.unified.replace(/\n$/, '')))
  }
  const changes = plural(r.diff.changes.length, 'change')
  if (!r.changed) writeErr(`${r.file} already matches the live config; nothing sent.`)
  else if (r.dryRun) {
    writeErr(`dry run: ${changes} would be applied with ${plural(r.writes.length, 'write')}; nothing sent.`)
    for (const l of writeLines(r)) writeErr(l)
  } else if (r.writes.some((w) => w.status === 'failed')) {
    writeErr(`writes to the gateway config for ${r.file}:`)
    for (const l of writeLines(r)) writeErr(l)
  } else {
    const how = r.api === 'v8' ? (r.strategy === 'replace' ? ' (the whole v8 document)' : ` (${plural(r.writes.length, 'path write')})`) : ''
    writeErr(`applied ${r.file}: ${changes}${how}, ${r.verified ? 'read back and verified' : 'not read back (the management key changed)'}.`)
  }
}

export function renderCheck(r: CheckResult, target: string): void {
  const layout = r.layout === null ? '' : ` (${r.layout === 'legacy' ? 'legacy v7 layout' : r.layout === 'mixed' ? 'mixed legacy/v8 layout' : 'v8 layout'})`
  if (r.findings.length === 0) {
    writeErr(`No problems found in ${target}${layout}.`)
    return
  }
  renderTable(
    [
      {key: 'severity', header: 'SEVERITY', get: (f: Finding) => paint(f.severity, severityTone(f.severity))},
      {key: 'rule', header: 'RULE'},
      {key: 'path', header: 'PATH'},
      {key: 'message', header: 'MESSAGE'},
      {key: 'fix', header: 'FIX'},
    ],
    r.findings as Finding[],
  )
  const info = r.summary.info > 0 ? `, ${r.summary.info} info` : ''
  writeErr(`${target}${layout}: ${r.summary.errors} error${r.summary.errors === 1 ? '' : 's'}, ${r.summary.warnings} warning${r.summary.warnings === 1 ? '' : 's'}${info}.`)
}

export function renderConfigMigrate(r: ConfigMigrateResult, o: {file: string; output?: string; changed: boolean; layout: string}): void {
  const toFile = o.output !== undefined && o.output !== '-'
  if (!toFile) writeOut(r.document.replace(/\n$/, ''))
  const where = toFile ? ` → ${o.output} (mode 0600)` : ''
  if (!o.changed) {
    writeErr(`${o.file} is already in the v8 layout; nothing to migrate${where}.`)
    return
  }
  const parts = [`${r.moved.length} key${r.moved.length === 1 ? '' : 's'} moved`]
  if (r.commentedOut.length > 0) parts.push(`${r.commentedOut.length} commented out (${r.commentedOut.join(', ')})`)
  writeErr(`migrated ${o.file} from the ${o.layout === 'mixed' ? 'mixed legacy/v8' : 'legacy'} layout: ${parts.join(', ')}${where}.`)
}
