import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['test/**/*.test.ts'],
    disableConsoleIntercept: true,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    setupFiles: ['test/helpers/setup.ts'],
    // a throwaway PostgreSQL cluster for the run (the PostgreSQL variants of the store, collect and report suites)
    globalSetup: ['test/helpers/pg-cluster.ts'],
    // command tests mutate process.env and process.exitCode; files run in separate forks
    pool: 'forks',
    poolOptions: {forks: {maxForks: 2, minForks: 1}},
  },
})
