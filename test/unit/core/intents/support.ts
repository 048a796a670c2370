/** Comparing parser results with table rows, and checking argvs against the grammar. */
import {expect} from 'vitest'
import {
  checkDomain,
  checkEnvKey,
  HOST_ENTRY_NAME,
  parseCpus,
  parseInstanceRef,
  parseMemorySize,
  RESOURCE_NAME,
} from '../../../../src/core/names.js'
import type {IntentResult} from '../../../../src/core/intents/index.js'
import type {UtteranceCase} from './fixture.js'

/** What a result looks like in the table's terms (clarify options sorted: their order is not part of the contract). */
export function outcomeOf(result: IntentResult): Omit<UtteranceCase, 'text'> {
  if (result.kind === 'command') return {argv: result.argv}
  if (result.kind === 'clarify') return {clarify: [...result.options].sort()}
  return {unknown: true}
}

export function expectedOf(row: UtteranceCase): Omit<UtteranceCase, 'text'> {
  if (row.argv) return {argv: row.argv}
  if (row.clarify) return {clarify: [...row.clarify].sort()}
  return {unknown: true}
}

export const sameOutcome = (result: IntentResult, row: UtteranceCase) =>
  JSON.stringify(outcomeOf(result)) === JSON.stringify(expectedOf(row))

export const percent = (passed: number, total: number) => `${passed}/${total} (${((100 * passed) / total).toFixed(1)}%)`

const instanceRef = (value: string) => parseInstanceRef(value)
const fullRef = (value: string) => {
  expect(value).toMatch(/^[^/]+\/[^/]+$/)
  parseInstanceRef(value)
}
const name = (value: string) => expect(value).toMatch(RESOURCE_NAME)
const int = (min: number, max: number) => (value: string) => {
  expect(value).toMatch(/^\d+$/)
  expect(Number(value)).toBeGreaterThanOrEqual(min)
  expect(Number(value)).toBeLessThanOrEqual(max)
}
const safeText = (value: string) => expect(value).toMatch(/^[A-Za-z0-9 _@%+=:,./~-]+$/)

type Check = (value: string) => void
interface Grammar {
  positionals: Array<Check>
  optionalPositionals?: number
  flags: Record<string, Check | null>
}

/**
 * The command grammar of DESIGN.md, written out independently of the parser:
 * every argv it yields must be accepted here, with every value passing the
 * CLI's own validation (names.ts).
 */
const GRAMMAR: Record<string, Grammar> = {
  'host ls': {positionals: [], flags: {}},
  'host use': {positionals: [(v) => expect(v).toMatch(HOST_ENTRY_NAME)], flags: {}},
  'host rm': {positionals: [(v) => expect(v).toMatch(HOST_ENTRY_NAME)], flags: {}},
  doctor: {positionals: [], flags: {'--host': (v) => expect(v).toMatch(HOST_ENTRY_NAME)}},
  'catalog ls': {positionals: [], flags: {'--category': name}},
  'catalog search': {positionals: [(v) => expect(v).toMatch(/^[a-z0-9][a-z0-9 +.-]*$/)], flags: {}},
  'catalog show': {positionals: [name], flags: {}},
  'plug up': {
    positionals: [name],
    flags: {
      '--name': name,
      '--tenant': name,
      '--env': (v) => {
        checkEnvKey(v.split('=')[0]!)
        expect(v).toMatch(/^[A-Za-z0-9_]+=[A-Za-z0-9_@%+=:,./~-]*$/)
      },
      '--domain': (v) => expect(checkDomain(v)).toBe(v),
      '--cpus': (v) => parseCpus(v),
      '--memory': (v) => parseMemorySize(v),
      '--expose': null,
      '--link': fullRef,
      '--host': (v) => expect(v).toMatch(HOST_ENTRY_NAME),
    },
  },
  'plug ls': {positionals: [], flags: {'--tenant': name, '--host': (v) => expect(v).toMatch(HOST_ENTRY_NAME)}},
  'plug status': {positionals: [instanceRef], flags: {'--host': (v) => expect(v).toMatch(HOST_ENTRY_NAME)}},
  'plug logs': {
    positionals: [instanceRef],
    flags: {
      '--follow': null,
      '--tail': int(1, 1_000_000),
      '--service': name,
      '--host': (v) => expect(v).toMatch(HOST_ENTRY_NAME),
    },
  },
  'plug start': {positionals: [instanceRef], flags: {'--host': (v) => expect(v).toMatch(HOST_ENTRY_NAME)}},
  'plug stop': {positionals: [instanceRef], flags: {'--host': (v) => expect(v).toMatch(HOST_ENTRY_NAME)}},
  'plug restart': {positionals: [instanceRef], flags: {'--host': (v) => expect(v).toMatch(HOST_ENTRY_NAME)}},
  'plug scale': {
    positionals: [instanceRef],
    flags: {
      '--replicas': int(0, 100),
      '--cpus': (v) => parseCpus(v),
      '--memory': (v) => parseMemorySize(v),
      '--host': (v) => expect(v).toMatch(HOST_ENTRY_NAME),
    },
  },
  'plug down': {
    positionals: [instanceRef],
    flags: {'--keep-data': null, '--host': (v) => expect(v).toMatch(HOST_ENTRY_NAME)},
  },
  export: {
    positionals: [instanceRef],
    flags: {
      '--out': (v) => expect(v).toMatch(/^[A-Za-z0-9_./~+-]{1,255}$/),
      '--host': (v) => expect(v).toMatch(HOST_ENTRY_NAME),
    },
  },
  dock: {positionals: [], flags: {'--tenant': name, '--host': (v) => expect(v).toMatch(HOST_ENTRY_NAME)}},
  events: {positionals: [], flags: {'--follow': null, '--host': (v) => expect(v).toMatch(HOST_ENTRY_NAME)}},
  stats: {
    positionals: [instanceRef],
    optionalPositionals: 1,
    flags: {'--host': (v) => expect(v).toMatch(HOST_ENTRY_NAME)},
  },
  health: {
    positionals: [instanceRef],
    optionalPositionals: 1,
    flags: {'--host': (v) => expect(v).toMatch(HOST_ENTRY_NAME)},
  },
  audit: {positionals: [], flags: {}},
  'config get': {positionals: [(v) => expect(v).toMatch(/^[a-z][a-z0-9-]*(?:\.[a-z0-9-]+)*$/)], flags: {}},
  'config set': {positionals: [(v) => expect(v).toMatch(/^[a-z][a-z0-9-]*(?:\.[a-z0-9-]+)*$/), safeText], flags: {}},
}

/** Flags that may repeat. */
const REPEATABLE = new Set(['--env'])

/** Asserts that `argv` is a command line the grammar accepts; returns its command path. */
export function expectGrammatical(argv: string[]): string {
  const path = GRAMMAR[`${argv[0]} ${argv[1]}`] ? `${argv[0]} ${argv[1]}` : argv[0]!
  const grammar = GRAMMAR[path]
  expect(grammar, `unknown command in ${JSON.stringify(argv)}`).toBeDefined()
  const rest = argv.slice(path.split(' ').length)
  const firstFlag = rest.findIndex((word) => word.startsWith('--'))
  const positionals = firstFlag < 0 ? rest : rest.slice(0, firstFlag)
  const required = grammar!.positionals.length - (grammar!.optionalPositionals ?? 0)
  expect(positionals.length).toBeGreaterThanOrEqual(required)
  expect(positionals.length).toBeLessThanOrEqual(grammar!.positionals.length)
  positionals.forEach((value, index) => grammar!.positionals[index]!(value))
  const seen = new Set<string>()
  for (let index = positionals.length; index < rest.length; index++) {
    const flag = rest[index]!
    expect(Object.keys(grammar!.flags), `${path} takes no ${flag}`).toContain(flag)
    if (!REPEATABLE.has(flag)) expect(seen.has(flag), `${flag} twice`).toBe(false)
    seen.add(flag)
    const check = grammar!.flags[flag]
    if (check) {
      const value = rest[++index]
      expect(value, `${flag} needs a value`).toBeDefined()
      check(value!)
    }
  }
  return path
}
