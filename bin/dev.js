#!/usr/bin/env -S node --import tsx
// Development entry: runs the TypeScript sources through tsx and sees every command file even when the
// committed manifest is stale. The root plugin is built with ignoreManifest, and cached paths into the
// compiled output are dropped so that the sources are imported.
import {Config, Plugin, flush, handle, run} from '@oclif/core'
import {fileURLToPath} from 'node:url'

process.env.NODE_ENV ??= 'development'
const root = fileURLToPath(new URL('..', import.meta.url))
const plugin = new Plugin({root, isRoot: true, ignoreManifest: true})
await plugin.load()
for (const cached of Object.values(plugin.manifest.commands)) delete cached.relativePath
const config = await Config.load({root, plugins: new Map([[plugin.name, plugin]])})
await run(process.argv.slice(2), config)
  .then(() => flush())
  .catch(handle)
