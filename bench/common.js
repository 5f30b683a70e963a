// Helpers for the benchmarks: command-line options and medians of timed child processes.
import {spawnSync} from 'node:child_process'

/** `--name value` from argv, else the default. */
export function option(argv, name, fallback) {
  const i = argv.indexOf(`--${name}`)
  return i === -1 ? fallback : argv[i + 1]
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

/**
 * `node argv…` under each of `envs`, runs interleaved (`runs` rounds after one warm-up round, process start
 * included): the median wall time (ms) of each environment, and the stdout of the first environment's last run.
 * Exit codes outside `okCodes` throw.
 */
export function timeNodeInterleaved(argv, envs, {runs, okCodes = [0]}) {
  const samples = envs.map(() => [])
  let out = ''
  for (let i = 0; i <= runs; i++) {
    envs.forEach((env, k) => {
      const t0 = process.hrtime.bigint()
      const r = spawnSync(process.execPath, argv, {encoding: 'utf8', env: {...process.env, NO_COLOR: '1', ...env}, maxBuffer: 64 << 20})
      const ms = Number(process.hrtime.bigint() - t0) / 1e6
      if (!okCodes.includes(r.status)) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr}`)
      if (i > 0) samples[k].push(ms)
      if (k === 0) out = r.stdout
    })
  }
  return {ms: samples.map(median), out}
}

/** Median wall time (ms) of `runs` runs of `node argv…` after one warm-up run, and the stdout of the last run. */
export function timeNode(argv, {runs, env = {}, okCodes = [0]}) {
  const r = timeNodeInterleaved(argv, [env], {runs, okCodes})
  return {ms: r.ms[0], out: r.out}
}
