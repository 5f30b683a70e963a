#!/usr/bin/env node
// `npm pack` / `npm publish` helper (prepack: strip, postpack: restore).
//
// `prepare` builds dist/ in a checkout (`npm ci`, `npm link`, git installs). A tarball already holds dist/ and
// its installs never run `prepare`, but npm 11 still lists it as an install script not covered by allowScripts
// and warns on every `npm install -g ./cpactl-<version>.tgz`. So the packed package.json goes without it:
// `strip` saves package.json byte for byte and writes it without scripts.prepare; `restore` puts the saved
// bytes back. A pack that was killed in between is repaired by the next strip or restore.
import {existsSync, readFileSync, renameSync, writeFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

const file = fileURLToPath(new URL('../package.json', import.meta.url))
const saved = `${file}.prepack`

function restore() {
  if (existsSync(saved)) renameSync(saved, file)
}

function strip() {
  restore()
  const text = readFileSync(file, 'utf8')
  const pkg = JSON.parse(text)
  if (!pkg.scripts?.prepare) return
  writeFileSync(saved, text)
  delete pkg.scripts.prepare
  writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`)
}

const action = process.argv[2]
if (action === 'strip') strip()
else if (action === 'restore') restore()
else {
  console.error('usage: pack-manifest.mjs strip|restore')
  process.exit(2)
}
