/**
 * The layers of cpactl, enforced by `npm run lint` (README "Development"). Type-only imports count too.
 *
 *   commands          src/commands/**; plus the command kit: src/lib/cli/base-command.ts,
 *                     src/lib/cli/report-command.ts with its flags (report-flags.ts) and src/lib/monitor/check-command.ts, the oclif base
 *                     classes commands extend.
 *   services          src/lib/{collect,report,aliases,usage-files,inspect,pricing,gateway-config,auth-files,api-keys,
 *                     logs,manage,profiles,demo,health,monitor,sim}: one per job; they may use each other (never in a
 *                     cycle) and everything below.
 *   lower layers      src/lib/{gateway,queue,store,usage,cli,time,files}: what services are built from; they never
 *                     import a service, a command or the command kit. Among them, bottom up:
 *                       cli (errors, flags, output, stdin, progress), time (zones, durations), files (private
 *                       0600 files and 0700 directories, credential-bearing downloads, cpactl's config/data/cache
 *                       directories) — the floor;
 *                       usage (record normalisation, hashing, masking): floor only;
 *                       gateway (HTTP client + one module per area, re-read-after-write polling): floor + usage;
 *                       store (all SQL): floor + usage;
 *                       queue (RESP/HTTP consumers of the usage queue): floor + usage + gateway.
 *   the simulator     src/lib/sim follows the gateway's references, never cpactl's client code: it imports
 *                     nothing from src/lib except cli and time; only commands and demo import it.
 */

const SERVICES = [
  'collect', 'report', 'aliases', 'usage-files', 'inspect', 'pricing',
  'gateway-config', 'auth-files', 'api-keys', 'logs', 'manage',
  'profiles', 'demo', 'health', 'monitor', 'sim',
].join('|')
const KIT = ['^src/lib/cli/base-command[.]ts$', '^src/lib/cli/report-command[.]ts$', '^src/lib/cli/report-flags[.]ts$', '^src/lib/monitor/check-command[.]ts$']
const lib = (folders) => `^src/lib/(${folders})/`

const rules = [
  {
    name: 'no-circular',
    comment: 'No import cycles, type-only imports included.',
    severity: 'error',
    from: {path: '^src/'},
    to: {circular: true},
  },
  {
    name: 'lib-imports-no-command',
    comment: 'src/lib never imports from src/commands (oclif would also load helpers there as commands).',
    severity: 'error',
    from: {path: '^src/lib/'},
    to: {path: '^src/commands/'},
  },
  {
    name: 'only-commands-use-the-kit',
    comment: 'The command kit (base classes) is for commands and other kit files only.',
    severity: 'error',
    from: {path: '^src/lib/', pathNot: KIT},
    to: {path: KIT},
  },
  {
    name: 'lower-imports-no-service',
    comment: 'gateway, queue, store, usage, cli, time and files never import a service (nothing upward).',
    severity: 'error',
    from: {path: lib('gateway|queue|store|usage|cli|time|files'), pathNot: KIT},
    to: {path: lib(SERVICES)},
  },
  {
    name: 'floor-stays-floor',
    comment: 'cli, time and files (the floor) import no other lib folder but each other.',
    severity: 'error',
    from: {path: lib('cli|time|files'), pathNot: KIT},
    to: {path: '^src/lib/', pathNot: lib('cli|time|files')},
  },
  {
    name: 'usage-is-pure',
    comment: 'usage (records, hashing, masking) imports only the floor.',
    severity: 'error',
    from: {path: lib('usage')},
    to: {path: '^src/lib/', pathNot: lib('usage|cli|time|files')},
  },
  {
    name: 'gateway-and-store-apart',
    comment: 'gateway and store never import each other or the queue.',
    severity: 'error',
    from: {path: lib('gateway|store')},
    to: {path: lib('gateway|store|queue'), pathNot: ['^src/lib/$1/']},
  },
  {
    name: 'queue-not-store',
    comment: 'queue consumers hand records to their caller; they never write the store.',
    severity: 'error',
    from: {path: lib('queue')},
    to: {path: lib('store')},
  },
  {
    name: 'sim-is-independent',
    comment: "The simulator follows the gateway's references, not cpactl's client code: only cli and time.",
    severity: 'error',
    from: {path: lib('sim')},
    to: {path: '^src/lib/', pathNot: lib('sim|cli|time')},
  },
  {
    name: 'sim-only-for-commands-and-demo',
    comment: 'Only commands and the demo start a simulator; services never depend on it.',
    severity: 'error',
    from: {path: '^src/lib/', pathNot: lib('sim|demo')},
    to: {path: lib('sim')},
  },
  {
    name: 'no-dev-dependency-in-src',
    comment: 'src ships: it may not import a devDependency.',
    severity: 'error',
    from: {path: '^src/'},
    to: {dependencyTypes: ['npm-dev']},
  },
  {
    name: 'no-unresolvable',
    comment: 'Every import resolves.',
    severity: 'error',
    from: {path: '^src/'},
    to: {couldNotResolve: true},
  },
]

module.exports = {
  forbidden: rules,
  options: {
    doNotFollow: {path: 'node_modules'},
    tsPreCompilationDeps: true,
    tsConfig: {fileName: 'tsconfig.json'},
    enhancedResolveOptions: {exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default']},
    reporterOptions: {text: {highlightFocused: true}},
  },
}
