/**
 * oclif commands from their declarations (src/core/commands): a command
 * class extends `declared(SPEC, Base)` and gets its description, examples,
 * aliases, args, flags and strictness from the one declaration, and
 * `this.input()`, the parsed args and flags typed as the declaration says.
 */
import {parseFailure} from './parse-errors.js'
import {Args, Flags, type Interfaces} from '@oclif/core'
import type {ArgValues, CommandSpec, FlagSpec, FlagValues} from '../core/commands/spec.js'
import type {AimsCommand} from './base-command.js'

export function oclifFlag(flag: FlagSpec): Interfaces.FlagInput[string] {
  const common = {
    description: flag.description,
    ...(flag.char ? {char: flag.char} : {}),
    ...(flag.helpGroup ? {helpGroup: flag.helpGroup} : {}),
    ...(flag.hidden ? {hidden: true} : {}),
  }
  switch (flag.type) {
    case 'boolean':
      return Flags.boolean({...common, default: false})
    case 'integer':
      return Flags.integer({
        ...common,
        ...(flag.default !== undefined ? {default: flag.default} : {}),
        ...(flag.min !== undefined ? {min: flag.min} : {}),
        ...(flag.max !== undefined ? {max: flag.max} : {}),
      })
    case 'string':
      if (flag.multiple) return Flags.string({...common, multiple: true, default: []})
      return Flags.string({
        ...common,
        ...(flag.default !== undefined ? {default: flag.default} : {}),
        ...(flag.options ? {options: [...flag.options]} : {}),
      })
  }
}

export function oclifFlags(spec: CommandSpec): Interfaces.FlagInput {
  return Object.fromEntries(Object.entries(spec.flags ?? {}).map(([name, flag]) => [name, oclifFlag(flag)]))
}

export function oclifArgs(spec: CommandSpec): Interfaces.ArgInput {
  return Object.fromEntries(
    Object.entries(spec.args ?? {}).map(([name, arg]) => [
      name,
      Args.string({
        description: arg.description,
        ...(arg.required !== undefined ? {required: arg.required} : {}),
        ...(arg.ignoreStdin ? {ignoreStdin: true} : {}),
        ...(arg.hidden ? {hidden: true} : {}),
      }),
    ]),
  )
}

/** What `this.input()` returns: the declaration's args and flags, typed. */
export interface DeclaredInput<S extends CommandSpec> {
  args: ArgValues<S>
  flags: FlagValues<S>
  /** Every word after the flags are taken out (a variadic command's words). */
  argv: string[]
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the mixin pattern needs `any[]` constructor arguments
type AbstractCommandClass<T> = abstract new (...args: any[]) => T

/**
 * The base class of a declared command: `class PlugUp extends declared(PLUG_UP, LifecycleCommand)`.
 * oclif reads the statics (and the manifest records them); the class only adds `run()`.
 */
export function declared<S extends CommandSpec, B extends AbstractCommandClass<AimsCommand>>(spec: S, Base: B) {
  // oclif's manifest reads statics up the prototype chain only while each class has some of its own:
  // the base's baseFlags are restated here so a base without statics (LifecycleCommand) cannot hide them.
  const base = Base as unknown as typeof AimsCommand
  abstract class DeclaredCommand extends Base {
    static baseFlags = base.baseFlags
    static description = spec.description
    static examples = spec.examples ? [...spec.examples] : undefined
    static aliases = (spec.aliases ?? []).map((alias) => alias.replace(/ /g, ':'))
    static args = oclifArgs(spec)
    static flags = oclifFlags(spec)
    static strict = !spec.variadic
    static hidden = spec.hidden ?? false
    static enableJsonFlag = spec.json !== false

    /** The parsed args and flags, typed by the declaration. */
    protected async input(): Promise<DeclaredInput<S>> {
      // Passed explicitly: oclif spreads the options it is given, and a spread leaves inherited statics out.
      const {args, flags, argv} = await this.parse({
        args: DeclaredCommand.args,
        flags: DeclaredCommand.flags,
        baseFlags: DeclaredCommand.baseFlags,
        strict: DeclaredCommand.strict,
        enableJsonFlag: DeclaredCommand.enableJsonFlag,
      }).catch((error: unknown) => {
        throw parseFailure(error, spec) ?? error
      })
      return {args, flags, argv: argv.map(String)} as unknown as DeclaredInput<S>
    }
  }
  return DeclaredCommand
}
