/**
 * Reading config YAML (local files and the live /config.yaml) into a `yaml` Document (comments and order kept
 * for round trips) plus the decoded data. Duplicate keys are errors, as in the gateway's YAML decoder; anchors,
 * aliases and `<<` merge keys are expanded in the data, as the gateway does before any path moves.
 */
import {readFileSync} from 'node:fs'

import type {Document} from 'yaml'

import {UsageError} from '../cli/errors.js'
import {isPlainObject} from './path.js'

export interface ParsedConfig {
  /** Where the text came from: a file path or 'live'. */
  source: string
  text: string
  doc: Document
  /** Decoded mapping ({} for an empty file); null when the text has syntax errors or is not a mapping. */
  data: Record<string, unknown> | null
  /** YAML syntax problems, each with its 1-based line and column. */
  syntaxErrors: Array<{message: string; line: number | null; col: number | null}>
}

export async function parseConfigText(text: string, source: string): Promise<ParsedConfig> {
  const YAML = await import('yaml')
  const doc = YAML.parseDocument(text, {uniqueKeys: true, prettyErrors: true, merge: true})
  const syntaxErrors = doc.errors.map((e) => ({
    message: e.message.split('\n')[0].replace(/ at line \d+, column \d+:?\s*$/, '').replace(/:\s*$/, ''),
    line: e.linePos?.[0]?.line ?? null,
    col: e.linePos?.[0]?.col ?? null,
  }))
  let data: Record<string, unknown> | null = null
  if (syntaxErrors.length === 0) {
    let js: unknown
    try {
      js = doc.toJS({maxAliasCount: 1000}) as unknown
    } catch (error) {
      // e.g. an alias to an anchor defined later, or an alias bomb
      syntaxErrors.push({message: (error as Error).message.split('\n')[0], line: null, col: null})
      return {source, text, doc, data: null, syntaxErrors}
    }
    if (js === null || js === undefined) data = {}
    else if (isPlainObject(js)) data = js
    else syntaxErrors.push({message: `the config must be a YAML mapping (key: value) at the top level, not ${Array.isArray(js) ? 'a list' : 'a single value'}`, line: 1, col: 1})
  }
  return {source, text, doc, data, syntaxErrors}
}

/** `file:4:3: message` — where a YAML problem is, for error messages. */
export function syntaxErrorText(source: string, e: ParsedConfig['syntaxErrors'][number]): string {
  return `${source}${e.line ? `:${e.line}${e.col ? `:${e.col}` : ''}` : ''}: ${e.message}`
}

/**
 * Replace aliases by copies of their anchored nodes and `<<` merge keys by the merged pairs (keys already in
 * the mapping win), then drop the anchors: the moves of a migration never leave an alias without its anchor.
 */
export async function expandAliases(doc: Document): Promise<void> {
  const {isAlias, isMap, isPair, isScalar, isSeq} = await import('yaml')
  type Node = Parameters<typeof isAlias>[0]
  const resolve = (node: Node): Node => {
    if (isAlias(node)) return resolve(node.resolve(doc)?.clone() as Node)
    if (isSeq(node)) node.items = node.items.map((i) => resolve(i as Node))
    if (isMap(node)) {
      const items: typeof node.items = []
      const merged: typeof node.items = []
      for (const pair of node.items) {
        if (!isPair(pair)) continue
        const isMerge = isScalar(pair.key) && (typeof pair.key.value === 'symbol' || pair.key.value === '<<')
        if (isMerge) {
          const value = resolve(pair.value as Node)
          for (const source of isSeq(value) ? value.items : [value]) if (isMap(source)) merged.push(...source.items)
        } else {
          pair.value = resolve(pair.value as Node)
          items.push(pair)
        }
      }
      const has = (key: unknown) => items.some((p) => isScalar(p.key) && isScalar(key) && p.key.value === key.value)
      for (const pair of merged) if (!has(pair.key)) items.push(pair)
      node.items = items
    }
    return node
  }
  doc.contents = resolve(doc.contents as Node) as typeof doc.contents
  // anchors go last: an alias further down may still need its anchor while the walk runs
  const {visit} = await import('yaml')
  visit(doc, {
    Node(_, node) {
      if ('anchor' in node) (node as {anchor?: string}).anchor = undefined
    },
  })
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
    const first = parsed.syntaxErrors[0] ?? {message: 'invalid YAML', line: null, col: null}
    throw new UsageError(syntaxErrorText(path, first), {
      code: 'invalid_yaml',
      hint: `cpactl config check ${path}`,
    })
  }
  return parsed as ParsedConfig & {data: Record<string, unknown>}
}
