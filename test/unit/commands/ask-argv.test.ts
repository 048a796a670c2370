/**
 * `aims ask TEXT --dry-run --json` promises an argv the CLI itself accepts.
 * Every command line the offline parser produces for its whole table (and
 * the held-out set) is parsed here by oclif with the real command's own flag
 * and argument definitions, and plug up's values pass the same validation
 * the command runs before any I/O. Commands that other work adds (export,
 * stats, health, events, dock) are not in this build: the test checks they
 * are really absent, so it starts checking them the day they land.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {Parser} from '@oclif/core'
import {describe, expect, it} from 'vitest'
import {parseUtterance} from '../../../src/core/intents/index.js'
import {validatePlugUpOptions} from '../../../src/core/plan/requests.js'
import {ROOT} from '../../support/aims.js'
import {catalog, instances} from '../core/intents/fixture.js'
import {heldOut} from '../core/intents/heldout.js'
import {utterances} from '../core/intents/utterances.js'

const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {
  commands: Record<string, unknown>
}
const PENDING: string[] = []

/** The command id an argv starts with (longest match of its words), if this build has it. */
function commandOf(argv: string[]): {id: string; rest: string[]} | undefined {
  for (let words = Math.min(2, argv.length); words >= 1; words--) {
    const id = argv.slice(0, words).join(':')
    if (id in manifest.commands) return {id, rest: argv.slice(words)}
  }
  return undefined
}

interface CommandClass {
  flags?: Record<string, unknown>
  baseFlags?: Record<string, unknown>
  args?: Record<string, unknown>
  strict?: boolean
}

async function commandClass(id: string): Promise<CommandClass> {
  const module = (await import(join(ROOT, 'commands', `${id.split(':').join('/')}.ts`))) as {default: CommandClass}
  return module.default
}

const contexts = [
  {name: 'with instances', context: {catalog, instances, defaultTenant: 'default'}},
  {name: 'with no host (names as written)', context: {catalog, instances: [], defaultTenant: 'default'}},
]
const produced = contexts.flatMap(({name, context}) =>
  [...utterances, ...heldOut].flatMap((row) => {
    const result = parseUtterance(row.text, context)
    return result.kind === 'command' ? [{label: `${name}: ${row.text}`, argv: result.argv}] : []
  }),
)

describe('every argv the parser produces is accepted by the CLI', () => {
  it('covers the table (both contexts)', () => {
    expect(produced.length).toBeGreaterThan(300)
  })

  it('the check itself rejects what the CLI would reject', async () => {
    const logs = await commandClass('plug:logs')
    const parse = (rest: string[]) =>
      Parser.parse(rest, {
        flags: {...logs.baseFlags, ...logs.flags} as never,
        args: logs.args as never,
        strict: true,
        context: {} as never,
      })
    await expect(parse(['acme/n8n', '--lines', '5'])).rejects.toThrow(/Nonexistent flag|--lines/)
    await expect(parse(['acme/n8n', '--tail', 'many'])).rejects.toThrow(/integer/i)
    await expect(parse([])).rejects.toThrow(/Missing 1 required arg/)
  })

  it('the commands other work adds are really not in this build yet', () => {
    for (const id of PENDING)
      expect(id in manifest.commands, `${id} is in the build now: drop it from PENDING so its argvs are checked`).toBe(
        false,
      )
  })

  it.each(produced.map(({label, argv}) => [label, argv] as const))('%s', async (_label, argv) => {
    const found = commandOf(argv)
    if (!found) {
      expect(PENDING, `no command for ${argv.join(' ')}`).toContain(argv[0])
      return
    }
    const command = await commandClass(found.id)
    const parsed = await Parser.parse(found.rest, {
      flags: {...command.baseFlags, ...command.flags} as never,
      args: (command.args ?? {}) as never,
      strict: command.strict ?? true,
      context: {} as never,
    })
    expect(parsed.nonExistentFlags ?? []).toEqual([])
    if (found.id === 'plug:up') {
      const flags = parsed.flags as Record<string, string | string[] | boolean | undefined>
      validatePlugUpOptions({
        plug: String((parsed.args as {plug: string}).plug),
        tenant: String(flags.tenant ?? 'default'),
        env: (flags.env as string[] | undefined) ?? [],
        expose: Boolean(flags.expose),
        links: (flags.link as string[] | undefined) ?? [],
        ...(flags.name ? {name: String(flags.name)} : {}),
        ...(flags.domain ? {domain: String(flags.domain)} : {}),
        ...(flags.cpus ? {cpus: String(flags.cpus)} : {}),
        ...(flags.memory ? {memory: String(flags.memory)} : {}),
      })
    }
  })
})
