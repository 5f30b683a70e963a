#!/usr/bin/env node
// Start-up time counts (issue 12: a report within 300 ms, process start included).
//
// `npm run build` bundles @oclif/core and the compiled commands into dist/cpactl.cjs (scripts/bundle.mjs). This
// file loads that bundle with a V8 code cache (dist/cpactl.cjs.cache): compiled functions come from the cache
// instead of being parsed and compiled on every start, and one file replaces ~120 module lookups and reads.
// The first run that finds no usable cache (none yet, or one made by another Node version) writes one when it
// exits, if dist/ is writable; a run with Node flags (execArgv or NODE_OPTIONS) never writes, since V8 rejects a
// cache made under other flags. Without the bundle, or with CPACTL_BUNDLE=0, the modules load one by one from dist/.
//
// @oclif/core's index checks the Node version against @oclif/core's own `engines` with semver (47 CommonJS
// files) unless OCLIF_DISABLE_ENGINE_WARNING is set; our package.json's `engines` is the stricter one and npm
// checks it at install. The variable is set only while @oclif/core loads, then restored, so processes this one
// starts (the simulator, collectors, tests' children) see the user's environment unchanged.
import {readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {Module, createRequire} from 'node:module'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import vm from 'node:vm'

const root = fileURLToPath(new URL('..', import.meta.url))

/** The bundle's exports ({execute, COMMANDS}), or undefined when there is no bundle or it is turned off. */
function loadBundle() {
  // The bundle loads its lazily imported dependencies with require(), and one of them is ES-module-only.
  if (process.env.CPACTL_BUNDLE === '0' || !process.features.require_module) return undefined
  const file = join(root, 'dist', 'cpactl.cjs')
  let source
  try {
    source = readFileSync(file, 'latin1') // the build keeps it ASCII
  } catch {
    return undefined
  }
  const cacheFile = `${file}.cache`
  let cachedData
  try {
    cachedData = readFileSync(cacheFile)
  } catch {}
  // CommonJS's module wrapper plus one parameter: an import() for the bundle, which has none of its own (a
  // code-cached vm.Script cannot import() on Node 20); @oclif/core loads ES-module plugin commands with it.
  const wrapped = `(function (exports, require, module, __filename, __dirname, __cpactlImport) { ${source}\n});`
  const script = new vm.Script(wrapped, {cachedData, filename: file})
  if ((cachedData === undefined || script.cachedDataRejected) && process.execArgv.length === 0 && !process.env.NODE_OPTIONS) {
    process.once('exit', () => {
      const tmp = `${cacheFile}.${process.pid}`
      try {
        writeFileSync(tmp, script.createCachedData())
        renameSync(tmp, cacheFile)
      } catch {
        rmSync(tmp, {force: true})
      }
    })
  }
  // The bundle is compiled code: oclif must not look for TypeScript sources of it (it would under NODE_ENV=test or
  // development, and warn that there are none).
  ;(globalThis.oclif ??= {}).enableAutoTranspile = false
  // Registered before it runs, so that oclif's require of the bundle (the explicit command target) gets this one.
  const module = new Module(file, undefined)
  module.filename = file
  module.paths = Module._nodeModulePaths(dirname(file))
  Module._cache[file] = module
  const importer = (specifier) => import(specifier)
  script.runInThisContext().call(module.exports, module.exports, createRequire(file), module, file, dirname(file), importer)
  module.loaded = true
  return module.exports
}

const engineWarning = process.env.OCLIF_DISABLE_ENGINE_WARNING
process.env.OCLIF_DISABLE_ENGINE_WARNING = '1'
const bundle = loadBundle()
const {execute} = bundle ?? (await import('@oclif/core'))
if (engineWarning === undefined) delete process.env.OCLIF_DISABLE_ENGINE_WARNING
else process.env.OCLIF_DISABLE_ENGINE_WARNING = engineWarning

if (bundle) {
  const pjson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
  pjson.oclif.commands = {identifier: 'COMMANDS', strategy: 'explicit', target: './dist/cpactl.cjs'}
  await execute({loadOptions: {pjson, root}})
} else {
  await execute({dir: import.meta.url})
}
