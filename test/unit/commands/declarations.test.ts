/**
 * Each command's shape is declared once (src/core/commands). For every
 * command this derives, from that one declaration, the oclif command (the
 * class in commands/ and the committed manifest), ACHEEVY's tool (schema and
 * argv) and the parser's canonical argv, and checks they agree: a tool call
 * renders an argv the real command class parses back into the same values,
 * the canonical argv keeps the declared order, and no command exists in one
 * place and not the other.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {Parser} from '@oclif/core'
import {describe, expect, it} from 'vitest'
import {canonicalArgv, commandPathOf, declaredFlags, type Flag} from '../../../src/core/commands/argv.js'
import {COMMANDS, COMMAND_EFFECTS, type CommandPath} from '../../../src/core/commands/index.js'
import {
  GLOBAL_FLAGS,
  paramName,
  toolName,
  type AgentParam,
  type CommandSpec,
  type FlagSpec,
} from '../../../src/core/commands/spec.js'
import {argsFromArgv, toolArgv} from '../../../src/services/agent/tool-shape.js'
import {AGENT_TOOLS} from '../../../src/services/agent/tools.js'
import {ROOT} from '../../support/aims.js'

interface OclifFlag {
  type: 'boolean' | 'option'
  char?: string
  description?: string
  multiple?: boolean
  default?: unknown
  min?: number
  max?: number
  helpGroup?: string
}
interface OclifArg {
  description?: string
  required?: boolean
}
interface CommandClass {
  description?: string
  examples?: string[]
  aliases?: string[]
  flags?: Record<string, OclifFlag>
  baseFlags?: Record<string, OclifFlag>
  args?: Record<string, OclifArg>
  strict?: boolean
  enableJsonFlag?: boolean
}

const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {
  commands: Record<string, {flags: Record<string, OclifFlag & {name: string}>; args: Record<string, OclifArg>}>
}
const idOf = (path: string) => path.replace(/ /g, ':')

async function commandClass(spec: CommandSpec): Promise<CommandClass> {
  const module = (await import(join(ROOT, 'commands', `${spec.path.replace(/ /g, '/')}.ts`))) as {
    default: CommandClass
  }
  return module.default
}

/** A valid value of each tool argument kind, and what it becomes on the command line. */
const SAMPLE: Record<AgentParam['kind'], unknown> = {
  text: 'hello',
  'plug-id': 'n8n',
  name: 'web',
  tenant: 'acme',
  service: 'db',
  instance: 'acme/web',
  'instance-tenant': undefined,
  target: 'acme/web',
  cpus: '0.5',
  memory: '512m',
  domain: 'web.example.com',
  env: {A: '1', B: 'two words'},
  link: ['other/db'],
  integer: 3,
  boolean: true,
  'relative-dir': 'out/bundle',
}

/** A value for every flag of a command, as the parser would pass it to canonicalArgv. */
function sampleFlags(spec: CommandSpec): Flag[] {
  return declaredFlags(spec).flatMap(([name, flag]): Flag[] =>
    flag.type === 'boolean'
      ? [[`--${name}`]]
      : flag.type === 'integer'
        ? [[`--${name}`, String(Math.max(flag.min ?? 0, 2))]]
        : 'multiple' in flag && flag.multiple
          ? [
              [`--${name}`, 'A=1'],
              [`--${name}`, 'B=2'],
            ]
          : [[`--${name}`, 'options' in flag && flag.options ? flag.options[0]! : name === 'host' ? 'vps' : 'value']],
  )
}

async function parseWith(command: CommandClass, argv: string[]) {
  return Parser.parse(argv, {
    flags: {...command.baseFlags, ...command.flags} as never,
    args: (command.args ?? {}) as never,
    strict: command.strict ?? true,
    context: {} as never,
  })
}

/** A command instance's `input()`, as run() calls it (oclif's Command needs a config with hooks only). */
async function runInput(command: CommandClass, argv: string[]): Promise<{args: unknown; flags: unknown}> {
  const Class = command as unknown as new (argv: string[], config: unknown) => {input(): Promise<never>}
  const config = {runHook: async () => ({successes: [], failures: []}), scopedEnvVar: () => undefined}
  return new Class(argv, config).input()
}

function expectOclifFlag(name: string, actual: OclifFlag | undefined, declared: FlagSpec, inManifest = false) {
  expect(actual, `--${name}`).toBeDefined()
  expect(actual!.type, `--${name} type`).toBe(declared.type === 'boolean' ? 'boolean' : 'option')
  expect(actual!.char, `--${name} char`).toBe(declared.char)
  expect(actual!.description, `--${name} description`).toBe(declared.description)
  expect(Boolean(actual!.multiple), `--${name} multiple`).toBe('multiple' in declared && Boolean(declared.multiple))
  // The manifest leaves out a boolean's default (false).
  const expectedDefault =
    declared.type === 'boolean'
      ? inManifest
        ? undefined
        : false
      : 'multiple' in declared && declared.multiple
        ? []
        : 'default' in declared
          ? declared.default
          : undefined
  expect(actual!.default, `--${name} default`).toEqual(expectedDefault)
}

describe('every command is declared once, and the CLI, the parser and ACHEEVY derive it the same way', () => {
  it('declares each command of the manifest, and has a command class for each declaration', () => {
    const declared = COMMANDS.map((spec) => idOf(spec.path)).sort()
    expect(Object.keys(manifest.commands).sort()).toEqual(declared)
    expect(new Set(COMMANDS.map((spec) => spec.path)).size).toBe(COMMANDS.length)
  })

  describe.each(COMMANDS.map((spec) => [spec.path, spec] as const))('%s', (path, spec: CommandSpec) => {
    it('its oclif class and manifest entry are the declaration', async () => {
      const command = await commandClass(spec)
      expect(command.description).toBe(spec.description)
      expect(command.examples).toEqual(spec.examples)
      expect(command.strict ?? true).toBe(!spec.variadic)
      expect(command.enableJsonFlag).toBe(spec.json !== false)
      expect(Object.keys(command.flags ?? {})).toEqual(Object.keys(spec.flags ?? {}))
      expect(Object.keys(command.baseFlags ?? {})).toEqual(Object.keys(GLOBAL_FLAGS))
      for (const [name, flag] of declaredFlags(spec))
        expectOclifFlag(name, {...command.baseFlags, ...command.flags}[name], flag)
      expect(Object.keys(command.args ?? {})).toEqual(Object.keys(spec.args ?? {}))
      for (const [name, arg] of Object.entries(spec.args ?? {})) {
        expect(command.args![name]!.description).toBe(arg.description)
        expect(Boolean(command.args![name]!.required)).toBe(Boolean(arg.required))
      }
      const entry = manifest.commands[idOf(path)]!
      for (const [name, flag] of declaredFlags(spec)) expectOclifFlag(name, entry.flags[name], flag, true)
      expect(Object.keys(entry.args)).toEqual(Object.keys(spec.args ?? {}))
    })

    it('its canonical argv keeps the declared flag order, --host last, and the class parses it', async () => {
      const flags = sampleFlags(spec)
      const positionals = Object.keys(spec.args ?? {}).map((name) => `${name}-value`)
      const argv = canonicalArgv(path as CommandPath, positionals, [...flags].reverse())
      expect(commandPathOf(argv)).toBe(path)
      const words = path.split(' ').length
      const names = argv.slice(words).filter((word) => word.startsWith('--'))
      const order = declaredFlags(spec).map(([name]) => `--${name}`)
      expect(names).toEqual(order.flatMap((name) => names.filter((given) => given === name)))
      expect(names.at(-1)).toBe('--host')
      const parsed = await parseWith(await commandClass(spec), argv.slice(words))
      expect(parsed.nonExistentFlags ?? []).toEqual([])
      // What the command's run() reads: the same values, through the class's own input().
      const input = await runInput(await commandClass(spec), argv.slice(words))
      expect(input.flags).toEqual(parsed.flags)
      expect(input.args).toEqual(parsed.args)
      // oclif keeps an integer's bounds in its parser: out of them is refused.
      for (const [name, flag] of declaredFlags(spec)) {
        if (flag.type !== 'integer') continue
        const command = await commandClass(spec)
        const withValue = (value: number) => [...positionals, `--${name}`, String(value)]
        if (flag.min !== undefined) await expect(parseWith(command, withValue(flag.min - 1))).rejects.toThrow()
        if (flag.max !== undefined) await expect(parseWith(command, withValue(flag.max + 1))).rejects.toThrow()
        await parseWith(command, withValue(flag.min ?? flag.max ?? 1))
      }
      expect(() => canonicalArgv(path as CommandPath, positionals, [['--no-such-flag', 'x']])).toThrow(
        /does not take --no-such-flag/,
      )
    })

    it(spec.agent ? `ACHEEVY's tool ${toolName(spec)} is derived from it` : 'ACHEEVY has no tool for it', async () => {
      const tool = AGENT_TOOLS.find((item) => item.cli.path === path)
      if (!spec.agent) {
        expect(tool).toBeUndefined()
        return
      }
      expect(tool, 'a tool').toBeDefined()
      expect(tool!.spec.name).toBe(toolName(spec))
      expect(tool!.spec.effect).toBe(spec.effect)
      expect(COMMAND_EFFECTS[path as CommandPath].mutates).toBe(spec.effect !== 'read')
      // Every tool argument is an argument or flag of the command, typed to match.
      const sources = [...Object.entries(spec.args ?? {}), ...Object.entries(spec.flags ?? {})].flatMap(
        ([name, item]) => (item.agent ? [[name, item.agent] as const] : []),
      )
      expect(Object.keys(tool!.spec.parameters.properties ?? {})).toEqual(
        sources.map(([name, param]) => paramName(name, param)),
      )
      // A call with every argument renders an argv the command class parses back into the same values.
      const raw = Object.fromEntries(
        sources
          .filter(([, param]) => param.kind !== 'instance-tenant')
          .map(([name, param]) => [paramName(name, param), SAMPLE[param.kind]]),
      )
      const args = tool!.parse(raw)
      const argv = toolArgv(tool!, args)
      const words = path.split(' ').length
      expect(argv.slice(0, words).join(' ')).toBe(path)
      const parsed = await parseWith(await commandClass(spec), argv.slice(words))
      for (const [name, flag] of Object.entries(spec.flags ?? {})) {
        if (!flag.agent || flag.agent.kind === 'instance-tenant') continue
        const value = args[paramName(name, flag.agent)]
        expect((parsed.flags as Record<string, unknown>)[name], `--${name}`).toEqual(
          flag.type === 'integer' ? Number(value) : value,
        )
      }
      for (const [name, arg] of Object.entries(spec.args ?? {}))
        if (arg.agent) expect((parsed.args as Record<string, unknown>)[name]).toBe(args[paramName(name, arg.agent)])
      // And back: the argv stands for the same tool arguments.
      expect(toolArgv(tool!, tool!.parse(argsFromArgv(tool!, argv).raw))).toEqual(argv)
    })
  })
})
