/**
 * The command surface two ways, to prove oclif.manifest.json fresh: from the command sources (the files under
 * src/commands, imported directly — never through oclif, whose root plugin reads the manifest even with
 * ignoreManifest) and from the committed manifest. Each command: its flags (name, type, short char, whether
 * required or multiple, options), its args and its summary.
 */
import {existsSync, readdirSync, readFileSync, statSync} from 'node:fs'
import {join, relative, sep} from 'node:path'
import {pathToFileURL} from 'node:url'

interface FlagShape {
  type: string
  char: string | null
  required: boolean
  multiple: boolean
  options: string[] | null
}

export interface CommandShape {
  summary: string | null
  args: string[]
  flags: Record<string, FlagShape>
}

export type Surface = Record<string, CommandShape>

function commandFiles(dir: string): string[] {
  const out: string[] = []
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) out.push(...commandFiles(path))
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts') && !name.endsWith('.test.ts')) out.push(path)
  }
  return out
}

/** `auth-files/list.ts` ⇒ `auth-files:list`; `collect/index.ts` ⇒ `collect`. */
function commandId(root: string, file: string): string {
  const parts = relative(join(root, 'src', 'commands'), file).replace(/\.ts$/, '').split(sep)
  if (parts.at(-1) === 'index') parts.pop()
  return parts.join(':')
}

function flagShape(f: Record<string, any>): FlagShape {
  return {
    type: String(f.type),
    char: f.char ?? null,
    required: Boolean(f.required),
    multiple: Boolean(f.multiple),
    options: Array.isArray(f.options) ? [...f.options] : null,
  }
}

function sortKeys<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}

/** The surface as the command files under `root`/src/commands declare it. */
export async function surfaceFromSources(root: string): Promise<Surface> {
  const out: Surface = {}
  for (const file of commandFiles(join(root, 'src', 'commands'))) {
    const mod = (await import(pathToFileURL(file).href)) as {default: any}
    const cmd = mod.default
    const flags: Record<string, FlagShape> = {}
    if (cmd.enableJsonFlag) flags.json = {type: 'boolean', char: null, required: false, multiple: false, options: null}
    for (const [name, f] of Object.entries<Record<string, any>>({...cmd.baseFlags, ...cmd.flags})) flags[name] = flagShape(f)
    out[commandId(root, file)] = {summary: cmd.summary ?? null, args: Object.keys(cmd.args ?? {}), flags: sortKeys(flags)}
  }
  return sortKeys(out)
}

/** The surface the committed `root`/oclif.manifest.json describes (null when there is no manifest). */
export function surfaceFromManifest(root: string): Surface | null {
  const path = join(root, 'oclif.manifest.json')
  if (!existsSync(path)) return null
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as {commands: Record<string, any>}
  const out: Surface = {}
  for (const [id, c] of Object.entries(manifest.commands)) {
    const flags: Record<string, FlagShape> = {}
    for (const [name, f] of Object.entries<Record<string, any>>(c.flags ?? {})) flags[name] = flagShape(f)
    out[id] = {summary: c.summary ?? null, args: Object.keys(c.args ?? {}), flags: sortKeys(flags)}
  }
  return sortKeys(out)
}
