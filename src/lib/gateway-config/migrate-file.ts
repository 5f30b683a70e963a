/**
 * `cpactl config migrate FILE [-o OUT]`: the v8 document a v8 gateway would write for FILE (migrate.ts).
 * Bad YAML is a usage error (exit 2, with line and column); a file the gateway could not migrate either (a
 * section that must be a mapping, an unsupported config-version) exits 1 with the reasons, and nothing is written.
 */
import {CheckFailedError, UsageError} from '../cli/errors.js'
import {migrateDocument, type MigrationResult, type Moved} from './migrate.js'
import {parseConfigText, readConfigFile, syntaxErrorText} from './parse.js'
import {writeSecretFile} from '../files/secret-file.js'
import {addWarning, reportWarning, type Warning} from '../cli/warnings.js'

/** The --json result: exactly the document and what happened to the keys. */
export interface ConfigMigrateResult {
  /** The v8 YAML text (comments kept). */
  document: string
  moved: Moved[]
  commentedOut: string[]
  warnings: Warning[]
}

/** Migrate config text; syntax errors are usage errors naming `source:line:col`. */
export async function migrateText(text: string, source: string): Promise<MigrationResult> {
  const parsed = await parseConfigText(text, source)
  if (parsed.data === null) {
    const first = parsed.syntaxErrors[0] ?? {message: 'invalid YAML', line: null, col: null}
    throw new UsageError(syntaxErrorText(source, first), {code: 'invalid_yaml', hint: `cpactl config check ${source}`})
  }
  return migrateDocument(parsed.doc, text)
}

export async function migrateConfigFile(
  file: string,
  options: {output?: string; force?: boolean} = {},
): Promise<ConfigMigrateResult & {changed: boolean; layout: MigrationResult['layout']}> {
  const m = await migrateText(readConfigFile(file), file)
  if (m.errors.length > 0) {
    throw new CheckFailedError(`${file} cannot be migrated: ${m.errors.map((e) => e.message).join('; ')}`, {
      code: 'migration_failed',
      hint: 'a v8 gateway fails the same way (500 invalid_config); fix the file and run again',
      details: {errors: m.errors},
    })
  }
  const warnings: Warning[] = m.warnings.map(reportWarning)
  for (const path of m.commentedOut) addWarning(warnings, 'section_commented_out', `unrecognized configuration section "${path}" commented out during v8 migration`, [path])
  if (options.output && options.output !== '-') writeSecretFile(options.output, Buffer.from(m.text), {force: options.force})
  return {document: m.text, moved: m.moved, commentedOut: m.commentedOut, warnings, changed: m.changed, layout: m.layout}
}
