// The committed oclif.manifest.json and the README command reference must match the command files: a stale
// manifest silently hides new commands (stack.md §3.2). `npm run build` regenerates both.
import {Config} from '@oclif/core'
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {projectRoot} from './helpers/run.js'

describe('command surface', () => {
  it('oclif.manifest.json lists exactly the commands and flags in src/commands', async () => {
    const config = await Config.load({root: projectRoot, ignoreManifest: true} as never)
    const fromSource = Object.fromEntries(
      config.commands.filter((c) => c.pluginName === 'cpactl').map((c) => [c.id, Object.keys(c.flags).sort()]),
    )
    const manifestPath = join(projectRoot, 'oclif.manifest.json')
    expect(existsSync(manifestPath), 'oclif.manifest.json is missing: run npm run build').toBe(true)
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {commands: Record<string, {flags: Record<string, unknown>}>}
    const fromManifest = Object.fromEntries(Object.entries(manifest.commands).map(([id, c]) => [id, Object.keys(c.flags).sort()]))
    expect(fromManifest).toEqual(fromSource)
  })

  it('the README command reference names every command', async () => {
    const manifest = JSON.parse(readFileSync(join(projectRoot, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, unknown>}
    const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8')
    const missing = Object.keys(manifest.commands).filter((id) => !readme.includes(`## \`cpactl ${id.replaceAll(':', ' ')}`))
    expect(missing).toEqual([])
  })
})
