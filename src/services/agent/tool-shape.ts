/**
 * ACHEEVY's tool for a command, derived from the command's declaration
 * (src/core/commands): the JSON schema the model sees, the checks its
 * arguments pass (the same as the CLI's for the same flags), and the mapping
 * between tool arguments and the aims command line, both ways. What the tool
 * does when it runs is the only part written by hand (tools.ts).
 */
import type {JsonSchema, ObjectJsonSchema, ToolSpec} from '../../core/ai/types.js'
import {canonicalArgv, declaredFlags, type Flag} from '../../core/commands/argv.js'
import type {CommandPath} from '../../core/commands/index.js'
import {paramName, toolName, type AgentParam, type CommandSpec} from '../../core/commands/spec.js'
import {usageError} from '../../core/errors.js'
import {onlyKeys, readParam, type RawArgs} from './tool-args.js'

/** Normalized arguments: what the argv is rendered from. */
export type ToolArgs = Record<string, string | number | boolean | string[] | undefined>

export interface ToolCliShape {
  path: CommandPath
  /** Argument names rendered as positionals, in order. */
  positionals: string[]
  flags: Array<{flag: string; arg: string; kind: 'value' | 'bool' | 'list'}>
}

/** One tool argument: where it comes from in the declaration. */
interface ToolParam {
  name: string
  param: AgentParam
  required: boolean
  /** The flag it renders as; undefined for a positional or a folded tenant. */
  flag?: {name: string; kind: 'value' | 'bool' | 'list'}
}

export interface DerivedTool {
  command: CommandSpec
  spec: ToolSpec
  cli: ToolCliShape
  /** Checks a model's (or the parser's) arguments; throws a usage AimsError. */
  parse(raw: RawArgs): ToolArgs
}

function toolParams(command: CommandSpec): ToolParam[] {
  const args = Object.entries(command.args ?? {}).flatMap(([name, arg]) =>
    arg.agent ? [{name: paramName(name, arg.agent), param: arg.agent, required: Boolean(arg.required)}] : [],
  )
  const flags = Object.entries(command.flags ?? {}).flatMap(([name, flag]): ToolParam[] => {
    if (!flag.agent) return []
    const kind = flag.type === 'boolean' ? 'bool' : 'multiple' in flag && flag.multiple ? 'list' : 'value'
    return [
      {
        name: paramName(name, flag.agent),
        param: flag.agent,
        required: false,
        ...(flag.agent.kind === 'instance-tenant' ? {} : {flag: {name: `--${name}`, kind}}),
      },
    ]
  })
  return [...args, ...flags]
}

function schemaOf(param: AgentParam, fallback: string): JsonSchema {
  const description = param.description ?? fallback
  switch (param.kind) {
    case 'integer':
      return {type: 'integer', description}
    case 'boolean':
      return {type: 'boolean', description}
    case 'env':
      return {type: 'object', description, additionalProperties: {type: 'string'}}
    case 'link':
      return {type: 'array', items: {type: 'string'}, description}
    default:
      return {type: 'string', description}
  }
}

function describedBy(command: CommandSpec, name: string): string {
  return command.args?.[name]?.description ?? command.flags?.[name]?.description ?? name
}

/** The tool of a command that declares one (`agent` in its declaration). */
export function deriveTool(command: CommandSpec & {path: CommandPath}): DerivedTool {
  if (!command.agent) throw new Error(`internal: ${command.path} is not one of ACHEEVY's tools`)
  const name = toolName(command)
  const params = toolParams(command)
  const sources = [
    ...Object.entries(command.args ?? {}).map(([key, arg]) => [key, arg.agent] as const),
    ...Object.entries(command.flags ?? {}).map(([key, flag]) => [key, flag.agent] as const),
  ]
  const properties: Record<string, JsonSchema> = {}
  for (const [key, param] of sources)
    if (param) properties[paramName(key, param)] = schemaOf(param, describedBy(command, key))
  const required = params.filter((param) => param.required).map((param) => param.name)
  const parameters: ObjectJsonSchema = {
    type: 'object',
    properties,
    ...(required.length > 0 ? {required} : {}),
    additionalProperties: false,
  }
  const tenantParam = params.find((param) => param.param.kind === 'instance-tenant')?.name
  const {requireOneOf, requireOneOfMessage} = command.agent
  return {
    command,
    spec: {name, description: command.agent.description, parameters, effect: command.effect},
    cli: {
      path: command.path,
      positionals: params.filter((param) => !param.flag && param.param.kind !== 'instance-tenant').map((p) => p.name),
      flags: params.flatMap((param) =>
        param.flag ? [{flag: param.flag.name, arg: param.name, kind: param.flag.kind}] : [],
      ),
    },
    parse(raw) {
      onlyKeys(
        name,
        raw,
        params.map((param) => param.name),
      )
      const args: ToolArgs = {}
      for (const param of params) {
        if (param.param.kind === 'instance-tenant') continue
        args[param.name] = readParam(name, raw, param.name, param.param, {
          required: param.required,
          ...(tenantParam ? {tenantKey: tenantParam} : {}),
        })
      }
      if (requireOneOf && requireOneOf.every((key) => args[key] === undefined))
        throw usageError(
          `${name} needs ${requireOneOfMessage?.needs ?? requireOneOf.join(', ')}`,
          requireOneOfMessage?.hint,
        )
      return args
    },
  }
}

/** The aims command line (no `aims` in front) for a tool call, in the canonical order. */
export function toolArgv(tool: {cli: ToolCliShape}, args: ToolArgs): string[] {
  const positionals = tool.cli.positionals
    .map((name) => args[name])
    .filter((value) => value !== undefined)
    .map(String)
  const flags: Flag[] = []
  for (const spec of tool.cli.flags) {
    const value = args[spec.arg]
    if (value === undefined || value === false) continue
    if (spec.kind === 'bool') flags.push([spec.flag])
    else if (spec.kind === 'list') for (const item of value as string[]) flags.push([spec.flag, item])
    else flags.push([spec.flag, String(value)])
  }
  return canonicalArgv(tool.cli.path, positionals, flags)
}

/**
 * The raw arguments an argv stands for (the inverse of toolArgv), for the
 * offline parser's command lines. Flags the tool has no argument for (--host,
 * --follow) are returned apart, with their values, so the caller can decide about them.
 */
export function argsFromArgv(
  tool: {command: CommandSpec; cli: ToolCliShape},
  argv: readonly string[],
): {raw: RawArgs; ignored: string[]} {
  const words = tool.cli.path.split(' ').length
  const rest = argv.slice(words)
  const raw: RawArgs = {}
  const ignored: string[] = []
  const positionals: string[] = []
  const declared = declaredFlags(tool.command)
  for (let index = 0; index < rest.length; index++) {
    const word = rest[index]!
    if (!word.startsWith('--')) {
      positionals.push(word)
      continue
    }
    const spec = tool.cli.flags.find((flag) => flag.flag === word)
    if (!spec) {
      ignored.push(word)
      const flag = declared.find(([name]) => `--${name}` === word)?.[1]
      if (flag && flag.type !== 'boolean' && index + 1 < rest.length) ignored.push(rest[++index]!)
      continue
    }
    if (spec.kind === 'bool') raw[spec.arg] = true
    else if (spec.kind === 'list')
      raw[spec.arg] = [...((raw[spec.arg] as string[] | undefined) ?? []), rest[++index] ?? '']
    else raw[spec.arg] = rest[++index]
  }
  tool.cli.positionals.forEach((name, position) => {
    if (positionals[position] !== undefined) raw[name] = positionals[position]
  })
  return {raw, ignored}
}
