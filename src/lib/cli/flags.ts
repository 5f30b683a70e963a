/**
 * Flags shared by several commands, defined once. Command-specific flags live
 * in the command file.
 */
import {Flags} from '@oclif/core'

import {parseDuration} from '../time/duration.js'

/** Global flags every command inherits (help group GLOBAL). */
export const globalFlags = {
  profile: Flags.string({
    description: 'Profile to use (default: the current profile).',
    env: 'CPACTL_PROFILE',
    helpGroup: 'GLOBAL',
  }),
  url: Flags.string({
    description: 'Gateway URL (origin, or …/v0/management or …/v8/management); overrides the profile.',
    env: 'CPA_URL',
    helpGroup: 'GLOBAL',
  }),
  insecure: Flags.boolean({
    description: 'Skip TLS certificate verification (explicit only).',
    helpGroup: 'GLOBAL',
    default: false,
  }),
  timeout: Flags.string({
    description: 'Per-request timeout, e.g. 10s, 500ms.',
    env: 'CPACTL_TIMEOUT',
    helpGroup: 'GLOBAL',
  }),
  'management-key-stdin': Flags.boolean({
    description: 'Read the management key from standard input (never pass it as an argument).',
    helpGroup: 'GLOBAL',
    default: false,
  }),
}

/** The one spelling for "read a client API key from standard input" (keeps it out of argv and shell history). */
export const keyStdinFlag = Flags.boolean({description: 'Read the client API key from standard input (never pass it as an argument).', default: false})

/** `-o FILE` for commands that print a file's content: save it (mode 0600) instead; `--force` replaces a file. */
export const saveToFileFlags = {
  output: Flags.string({char: 'o', description: 'Save to this file (0600) instead of printing.'}),
  force: Flags.boolean({description: 'Overwrite an existing -o file.', default: false}),
}

export const storeFlag = Flags.string({
  description: 'Store: a SQLite file, or a postgres:// URL (password from PGPASSWORD or ~/.pgpass). Default: the profile\'s store, else <dataDir>/cpactl.db.',
  env: 'CPACTL_STORE',
})

export const yesFlag = Flags.boolean({description: 'Confirm a destructive or state-changing action without prompting.', default: false})

export const dryRunFlag = Flags.boolean({description: 'Show what would change and exit without changing anything.', default: false})

export const csvFlag = Flags.boolean({description: 'Output RFC 4180 CSV instead of a table.', default: false})

export const noHeaderFlag = Flags.boolean({description: 'Omit the header row in table/TSV/CSV output.', default: false})

export const limitFlag = (defaultValue: number) =>
  Flags.integer({description: `Maximum rows to return (default ${defaultValue}).`, default: defaultValue, min: 1})

export const sinceFlag = Flags.string({
  char: 's',
  description: 'Start of the range (inclusive): ISO 8601, YYYY-MM-DD, 24h, 7d, today, yesterday, this-month.',
})

export const untilFlag = Flags.string({
  char: 'u',
  description: 'End of the range (exclusive); same forms as --since; default now.',
})

export const tzFlag = Flags.string({description: 'IANA time zone for day buckets and display (default: profile tz, else local).', env: 'CPACTL_TZ'})

export const durationFlag = (description: string, defaultValue?: string) =>
  Flags.custom<number>({
    description,
    default: defaultValue === undefined ? undefined : async () => parseDuration(defaultValue),
    defaultHelp: defaultValue === undefined ? undefined : async () => defaultValue,
    parse: async (input) => parseDuration(input),
  })()
