/**
 * knip (`npm run lint`): unused files, exports, exported types and dependencies.
 */
export default {
  entry: [
    'src/commands/**/*.ts',
    'bin/*.js',
    'test/**/*.test.ts',
    'test/helpers/*.ts',
    // spawned as a child process by the store lock tests
    'test/lib/store/fixtures/*.ts',
    'test/install/*.mjs',
    'bench/**/*.{js,ts,mjs}',
    'scripts/*.mjs',
  ],
  project: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.{js,ts,mjs}', 'scripts/*.mjs', 'bin/*.js'],
  // how the schema-3 store fixture was made, with the store code of that time (kept as a record; not run)
  ignore: ['test/fixtures/store/make-v3-store.ts'],
  // an export used in its own file is part of that file's API (its tests may come later)
  ignoreExportsUsedInFile: true,
  ignoreDependencies: [
    // bin/dev.js runs under `node --import tsx` (its shebang), which knip cannot see
    'tsx',
    // pinned explicitly beside vitest (stack.md: vitest 3.2.7 needs vite 7.3.8 on Node 20)
    'vite',
  ],
  // system tools the tests and benchmarks call when present (keyutils, util-linux, PostgreSQL's client)
  ignoreBinaries: ['keyctl', 'mount', 'umount', 'script', 'runuser', 'psql'],
}
