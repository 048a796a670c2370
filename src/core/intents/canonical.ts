/**
 * The canonical form of an aims command line, so the same request always
 * gives the same argv (tests compare exact arrays, audit entries compare
 * equal):
 *
 *   command words, then positional arguments, then flags in the order the
 *   grammar in DESIGN.md lists them, then --host. A flag with a value is two
 *   elements (`--tail`, `100`); a repeated flag (`--env`) keeps the order the
 *   user gave.
 *
 * It also says, for every command, whether it changes or destroys anything.
 */

export type CommandPath =
  | 'host ls'
  | 'host use'
  | 'host rm'
  | 'doctor'
  | 'catalog ls'
  | 'catalog search'
  | 'catalog show'
  | 'plug up'
  | 'plug ls'
  | 'plug status'
  | 'plug logs'
  | 'plug start'
  | 'plug stop'
  | 'plug restart'
  | 'plug scale'
  | 'plug down'
  | 'export'
  | 'dock'
  | 'events'
  | 'stats'
  | 'health'
  | 'audit'
  | 'config get'
  | 'config set'

export interface CommandEffects {
  mutates: boolean
  destructive: boolean
}

const READ: CommandEffects = {mutates: false, destructive: false}
const CHANGE: CommandEffects = {mutates: true, destructive: false}
const DESTROY: CommandEffects = {mutates: true, destructive: true}

/**
 * Whether each command changes or destroys. `host use` and `config set` change
 * local preferences; `export` writes files: all three are changes, so they
 * pass the confirmation gate like any other.
 */
export const COMMAND_EFFECTS: Record<CommandPath, CommandEffects> = {
  'host ls': READ,
  'host use': CHANGE,
  'host rm': DESTROY,
  doctor: READ,
  'catalog ls': READ,
  'catalog search': READ,
  'catalog show': READ,
  'plug up': CHANGE,
  'plug ls': READ,
  'plug status': READ,
  'plug logs': READ,
  'plug start': CHANGE,
  'plug stop': CHANGE,
  'plug restart': CHANGE,
  'plug scale': CHANGE,
  'plug down': DESTROY,
  export: CHANGE,
  dock: READ,
  events: READ,
  stats: READ,
  health: READ,
  audit: READ,
  'config get': READ,
  'config set': CHANGE,
}

/** Flag order per command (DESIGN.md's grammar order); --host always last. */
const FLAG_ORDER: Partial<Record<CommandPath, string[]>> = {
  doctor: ['--host'],
  'catalog ls': ['--category'],
  'plug up': ['--name', '--tenant', '--env', '--domain', '--cpus', '--memory', '--expose', '--link', '--host'],
  'plug ls': ['--tenant', '--host'],
  'plug status': ['--host'],
  'plug logs': ['--follow', '--tail', '--service', '--host'],
  'plug start': ['--host'],
  'plug stop': ['--host'],
  'plug restart': ['--host'],
  'plug scale': ['--replicas', '--cpus', '--memory', '--host'],
  'plug down': ['--keep-data', '--host'],
  export: ['--out', '--host'],
  dock: ['--tenant', '--host'],
  events: ['--follow', '--host'],
  stats: ['--host'],
  health: ['--host'],
}

export type Flag = [name: string] | [name: string, value: string]

/** The canonical argv; throws on a flag the command does not take (a parser bug, never user input). */
export function canonicalArgv(command: CommandPath, positionals: string[], flags: Flag[] = []): string[] {
  const order = FLAG_ORDER[command] ?? []
  const rank = (flag: Flag) => {
    const index = order.indexOf(flag[0])
    if (index < 0) throw new Error(`internal: ${command} does not take ${flag[0]}`)
    return index
  }
  const sorted = flags
    .map((flag, position) => ({flag, position, rank: rank(flag)}))
    .sort((a, b) => a.rank - b.rank || a.position - b.position)
  return [...command.split(' '), ...positionals, ...sorted.flatMap(({flag}) => flag)]
}

/** The command path of an argv this module produced (its leading command words). */
export function commandPathOf(argv: readonly string[]): CommandPath | undefined {
  const two = `${argv[0]} ${argv[1]}` as CommandPath
  if (two in COMMAND_EFFECTS) return two
  const one = argv[0] as CommandPath
  return one in COMMAND_EFFECTS ? one : undefined
}
