/** Human views of the config commands (show, get, set, diff, apply, check). Everything here goes through the output layer. */
import {colorEnabled, renderTable, writeErr, writeOut} from '../cli/output.js'
import type {ConfigApplyResult} from './config-apply.js'
import type {CheckResult} from './config-check.js'
import type {ConfigDiffResult} from './config-diff.js'
import type {ConfigMigrateResult} from './config-migrate-file.js'
import type {Finding} from './config-rule-kit.js'
import type {ConfigGetResult, ConfigSetResult} from './config-setting.js'

function scalarText(v: unknown): string {
  if (v === null || v === undefined) return 'null'
  if (typeof v === 'string') return v
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
  if (!r.found) {
    writeErr(`${r.key} is not set (and has no default the gateway reports)`)
    return
  }
  writeOut(await valueText(r.value))
}

export function renderConfigSet(r: ConfigSetResult): void {
  if (!r.changed) {
    writeErr(`${r.key} is already ${scalarText(r.value)}; nothing to change`)
    return
  }
  const change = `${r.key}: ${scalarText(r.previous)} → ${scalarText(r.value)}`
  if (r.dryRun) writeOut(`would set ${change} (via ${r.via === 'endpoint' ? 'its setting endpoint' : 'config.yaml'})`)
  else writeOut(`set ${change} (via ${r.via === 'endpoint' ? 'its setting endpoint' : 'config.yaml'}; verified)`)
}

function colorDiff(text: string): string {
  if (!colorEnabled('out')) return text
  return text
    .split('\n')
    .map((l) => (l.startsWith('+') && !l.startsWith('+++') ? `\u001B[32m${l}\u001B[39m` : l.startsWith('-') && !l.startsWith('---') ? `\u001B[31m${l}\u001B[39m` : l.startsWith('@@') ? `\u001B[36m${l}\u001B[39m` : l))
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

export function renderConfigApply(r: ConfigApplyResult, previewShown: boolean): void {
  if (!previewShown) {
    if (!r.diff.equal) writeOut(colorDiff(r.diff.unified.replace(/\n$/, '')))
  }
  if (!r.changed) writeErr(`${r.file} already matches the live config; nothing sent.`)
  else if (r.dryRun) writeErr(`dry run: ${r.diff.changes.length} change${r.diff.changes.length === 1 ? '' : 's'} would be applied; nothing sent.`)
  else writeErr(`applied ${r.file}: ${r.diff.changes.length} change${r.diff.changes.length === 1 ? '' : 's'}, read back and verified.`)
}

export function renderCheck(r: CheckResult, target: string): void {
  const layout = r.layout === null ? '' : ` (${r.layout === 'legacy' ? 'legacy v7 layout' : r.layout === 'mixed' ? 'mixed legacy/v8 layout' : 'v8 layout'})`
  if (r.findings.length === 0) {
    writeErr(`No problems found in ${target}${layout}.`)
    return
  }
  renderTable(
    [
      {key: 'severity', header: 'SEVERITY'},
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
