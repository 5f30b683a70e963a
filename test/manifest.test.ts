// The committed oclif.manifest.json and the README command reference must match the command files: a stale manifest
// silently hides new commands (`command X not found`, from bin/run.js and from tests). `npm run build` regenerates
// both. The source side is read from the command files themselves (test/helpers/surface.ts), never through oclif:
// its root plugin loads the manifest even when asked to ignore it, so comparing what oclif reports with the
// manifest would compare the manifest with itself.
import {mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync, copyFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {projectRoot, tempDir} from './helpers/run.js'
import {surfaceFromManifest, surfaceFromSources} from './helpers/surface.js'

describe('command surface', () => {
  it('oclif.manifest.json describes exactly the commands, flags, args and summaries in src/commands', async () => {
    const manifest = surfaceFromManifest(projectRoot)
    expect(manifest, 'oclif.manifest.json is missing: run npm run build').not.toBe(null)
    const sources = await surfaceFromSources(projectRoot)
    expect(Object.keys(sources).length).toBeGreaterThan(60)
    expect(manifest, 'oclif.manifest.json is stale: run npm run build and commit it').toEqual(sources)
  })

  it('fails when a command is added without rebuilding the manifest', async () => {
    // a copy of the project whose src/commands links every real command and adds one, with the real manifest
    const root = tempDir('cpactl-stale-manifest-')
    const commands = join(root, 'src', 'commands')
    mkdirSync(commands, {recursive: true})
    for (const name of readdirSync(join(projectRoot, 'src', 'commands'))) symlinkSync(join(projectRoot, 'src', 'commands', name), join(commands, name))
    copyFileSync(join(projectRoot, 'oclif.manifest.json'), join(root, 'oclif.manifest.json'))
    symlinkSync(join(projectRoot, 'node_modules'), join(root, 'node_modules'))
    writeFileSync(
      join(commands, 'hello.ts'),
      [
        "import {Command, Flags} from '@oclif/core'",
        'export default class Hello extends Command {',
        "  static summary = 'A command nobody rebuilt the manifest for.'",
        "  static flags = {loud: Flags.boolean({description: 'Shout.'})}",
        '  async run(): Promise<void> {}',
        '}',
        '',
      ].join('\n'),
    )
    const sources = await surfaceFromSources(root)
    const manifest = surfaceFromManifest(root)!
    expect(() => expect(manifest).toEqual(sources)).toThrow()
    expect(Object.keys(sources).filter((id) => !(id in manifest))).toEqual(['hello'])
    expect(sources.hello).toEqual({
      summary: 'A command nobody rebuilt the manifest for.',
      args: [],
      flags: {loud: {type: 'boolean', char: null, required: false, multiple: false, options: null}},
    })
  })

  it('the README command reference names every command', async () => {
    const manifest = JSON.parse(readFileSync(join(projectRoot, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, unknown>}
    const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8')
    const missing = Object.keys(manifest.commands).filter((id) => !readme.includes(`## \`cpactl ${id.replaceAll(':', ' ')}`))
    expect(missing).toEqual([])
  })
})
