/**
 * ESLint for src/ (`npm run lint`): stdout carries only the result, so nothing but the output module writes
 * to the terminal (oclif mutes this.log under --json but not console.log).
 */
import tseslint from 'typescript-eslint'

const terminalStreams = [
  {object: 'process', property: 'stdout', message: 'write through src/lib/cli/output.ts (writeOut, writeErr, warn, progress)'},
  {object: 'process', property: 'stderr', message: 'write through src/lib/cli/output.ts (writeOut, writeErr, warn, progress)'},
]

export default tseslint.config(
  {ignores: ['dist/**', 'node_modules/**', 'test/**', 'bench/**', 'scripts/**', 'bin/**', 'contrib/**']},
  {
    files: ['src/**/*.ts'],
    languageOptions: {parser: tseslint.parser, ecmaVersion: 2022, sourceType: 'module'},
    plugins: {'@typescript-eslint': tseslint.plugin},
    linterOptions: {reportUnusedDisableDirectives: 'error'},
    rules: {
      'no-console': 'error',
      'no-restricted-properties': ['error', ...terminalStreams],
      'no-debugger': 'error',
    },
  },
  {
    // the output module is the one place that holds the terminal streams
    files: ['src/lib/cli/output.ts'],
    rules: {'no-restricted-properties': 'off'},
  },
)
