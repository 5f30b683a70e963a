#!/usr/bin/env node
// Start-up time counts (issue 12: a report within 300 ms, process start included). @oclif/core's index checks
// the Node version against @oclif/core's own `engines` with semver (47 CommonJS files, 20-35 ms of every run)
// unless OCLIF_DISABLE_ENGINE_WARNING is set; our package.json's `engines` is the stricter one and npm checks it
// at install. The variable is set only while @oclif/core loads, then restored, so processes this one starts
// (the simulator, collectors, tests' children) see the user's environment unchanged.
const engineWarning = process.env.OCLIF_DISABLE_ENGINE_WARNING
process.env.OCLIF_DISABLE_ENGINE_WARNING = '1'
const {execute} = await import('@oclif/core')
if (engineWarning === undefined) delete process.env.OCLIF_DISABLE_ENGINE_WARNING
else process.env.OCLIF_DISABLE_ENGINE_WARNING = engineWarning

await execute({dir: import.meta.url})
