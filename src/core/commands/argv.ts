/**
 * aims command lines derived from the declarations (index.ts).
 *
 * The canonical form, so the same request always gives the same argv (tests
 * compare exact arrays, audit entries compare equal): command words, then
 * positional arguments, then flags in the order the command declares them,
 * then --host. A flag with a value is two elements (`--tail`, `100`); a
 * repeated flag (`--env`) keeps the order the user gave.
 */
import {COMMANDS, commandSpec, isCommandPath, type CommandPath} from './index.js'
import {GLOBAL_FLAGS, type CommandSpec, type FlagSpec} from './spec.js'

export type Flag = [name: string] | [name: string, value: string]

/** A command's flags, then the global ones, in canonical order. */
export function declaredFlags(spec: CommandSpec): Array<[name: string, flag: FlagSpec]> {
  return [...Object.entries(spec.flags ?? {}), ...Object.entries(GLOBAL_FLAGS)]
}

/**
 * The canonical argv. Throws on what the declaration does not allow (a flag
 * the command does not take, a boolean given a value or a value flag none, a
 * single flag repeated, too many arguments): a bug of the caller, never user input.
 */
export function canonicalArgv(command: CommandPath, positionals: string[], flags: Flag[] = []): string[] {
  const spec = commandSpec(command)
  const order = declaredFlags(spec)
  const rank = (flag: Flag) => {
    const index = order.findIndex(([name]) => `--${name}` === flag[0])
    if (index < 0) throw new Error(`internal: ${command} does not take ${flag[0]}`)
    const declared = order[index]![1]
    if ((declared.type === 'boolean') !== (flag.length === 1))
      throw new Error(
        `internal: ${command} ${flag[0]} ${declared.type === 'boolean' ? 'takes no value' : 'needs a value'}`,
      )
    return index
  }
  const ranked = flags.map((flag, position) => ({flag, position, rank: rank(flag)}))
  for (const [name, declared] of order) {
    const given = ranked.filter(({flag}) => flag[0] === `--${name}`).length
    if (given > 1 && !('multiple' in declared && declared.multiple))
      throw new Error(`internal: ${command} takes --${name} once`)
  }
  const args = Object.keys(spec.args ?? {}).length
  if (positionals.length > args && !spec.variadic)
    throw new Error(`internal: ${command} takes ${args} argument${args === 1 ? '' : 's'}, not ${positionals.length}`)
  const sorted = ranked.sort((a, b) => a.rank - b.rank || a.position - b.position)
  return [...command.split(' '), ...positionals, ...sorted.flatMap(({flag}) => flag)]
}

/** The command path an argv starts with (its leading command words), if it is an aims command. */
export function commandPathOf(argv: readonly string[]): CommandPath | undefined {
  const two = `${argv[0]} ${argv[1]}`
  if (isCommandPath(two)) return two
  const one = argv[0] ?? ''
  return isCommandPath(one) ? one : undefined
}

interface SecretFlag {
  names: string[]
  secret: true | 'assignment'
}

function secretFlagsOf(specs: readonly CommandSpec[]): SecretFlag[] {
  return specs.flatMap((spec) =>
    Object.entries(spec.flags ?? {}).flatMap(([name, flag]) =>
      flag.secret ? [{names: [`--${name}`, ...(flag.char ? [`-${flag.char}`] : [])], secret: flag.secret}] : [],
    ),
  )
}

const ALL_SECRET_FLAGS = secretFlagsOf(COMMANDS)

/**
 * The command line for the audit log and transcripts, secret flag values
 * masked (--env KEY=VALUE → --env KEY=***: keys are enough to audit), in
 * every spelling oclif reads: `--env X`, `--env=X`, `-e X`, `-eX`, `-e=X`.
 * An argv of no known command is masked for every command's secret flags.
 */
export function maskCommandLine(argv: string[]): string {
  const path = commandPathOf(argv)
  const secrets = path ? secretFlagsOf([commandSpec(path)]) : ALL_SECRET_FLAGS
  const maskValue = (value: string, secret: true | 'assignment') =>
    secret === true ? '***' : value.includes('=') ? `${value.slice(0, value.indexOf('='))}=***` : value
  const masked: string[] = []
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!
    const exact = secrets.find((flag) => flag.names.includes(arg))
    const long = secrets.flatMap((flag) =>
      flag.names.filter((name) => name.startsWith('--') && arg.startsWith(`${name}=`)).map((name) => ({name, flag})),
    )[0]
    // oclif also reads a short flag glued to its value: -eKEY=VALUE and -e=KEY=VALUE.
    const short = secrets.flatMap((flag) =>
      flag.names
        .filter((name) => !name.startsWith('--') && arg.startsWith(name) && arg.length > name.length)
        .map((name) => ({name, flag})),
    )[0]
    if (exact) {
      masked.push(arg)
      const value = argv[index + 1]
      if (value !== undefined) {
        masked.push(maskValue(value, exact.secret))
        index++
      }
    } else if (long) {
      masked.push(`${long.name}=${maskValue(arg.slice(long.name.length + 1), long.flag.secret)}`)
    } else if (short) {
      masked.push(`${short.name}${maskValue(arg.slice(short.name.length).replace(/^=/, ''), short.flag.secret)}`)
    } else {
      masked.push(arg)
    }
  }
  return masked.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : JSON.stringify(arg))).join(' ')
}
