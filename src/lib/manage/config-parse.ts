/**
 * Reading config YAML (local files and the live /config.yaml) into a `yaml` Document (comments and order kept
 * for round trips) plus the decoded data. Duplicate keys are errors, as in the gateway's YAML decoder.
 */
import {readFileSync} from 'node:fs'

import type {Document} from 'yaml'

import {UsageError} from '../cli/errors.js'
import {isPlainObject} from './config-path.js'

export interface ParsedConfig {
  /** Where the text came from: a file path or 'live'. */
  source: string
  text: string
  doc: Document
  /** Decoded mapping ({} for an empty file); null when the text has syntax errors or is not a mapping. */
  data: Record<string, unknown> | null
  /** YAML syntax problems, each with its 1-based line. */
  syntaxErrors: Array<{message: string; line: number | null}>
}

export async function parseConfigText(text: string, source: string): Promise<ParsedConfig> {
  const YAML = await import('yaml')
  const doc = YAML.parseDocument(text, {uniqueKeys: true, prettyErrors: true})
  const syntaxErrors = doc.errors.map((e) => ({message: e.message.split('\n')[0].replace(/:\s*$/, ''), line: e.linePos?.[0]?.line ?? null}))
  let data: Record<string, unknown> | null = null
  if (syntaxErrors.length === 0) {
    const js = doc.toJS({maxAliasCount: 1000}) as unknown
    if (js === null || js === undefined) data = {}
    else if (isPlainObject(js)) data = js
    else syntaxErrors.push({message: 'the config must be a YAML mapping (key: value) at the top level', line: 1})
  }
  return {source, text, doc, data, syntaxErrors}
}

/** Read a local file; a missing or unreadable file is a usage error (exit 2). `-` reads nothing here. */
export function readConfigFile(path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new UsageError(`cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : (code ?? (error as Error).message)}`, {code: 'file_unreadable'})
  }
}

/** Parse a local config file and insist that it is valid YAML (apply/diff need data to compare). */
export async function loadConfigFile(path: string): Promise<ParsedConfig & {data: Record<string, unknown>}> {
  const parsed = await parseConfigText(readConfigFile(path), path)
  if (parsed.data === null) {
    const first = parsed.syntaxErrors[0]
    throw new UsageError(`${path}${first?.line ? `:${first.line}` : ''}: ${first?.message ?? 'invalid YAML'}`, {
      code: 'invalid_yaml',
      hint: `cpactl config check ${path}`,
    })
  }
  return parsed as ParsedConfig & {data: Record<string, unknown>}
}
