/**
 * Properties that hold for every request, not just the tables: hostile text
 * never reaches an argv, every argv is one the grammar accepts with values
 * the CLI would accept, the change/destroy flags are right for every
 * command, and the parser is deterministic.
 */
import {describe, expect, it} from 'vitest'
import {
  completeClarification,
  parseUtterance,
  type IntentContext,
  type IntentResult,
} from '../../../../src/core/intents/index.js'
import {context} from './fixture.js'
import {heldOut} from './heldout.js'
import {expectGrammatical} from './support.js'
import {utterances} from './utterances.js'

/** Written out here, not imported: what each command does to the world. */
const EFFECTS: Record<string, {mutates: boolean; destructive: boolean}> = {
  'host ls': {mutates: false, destructive: false},
  'host use': {mutates: true, destructive: false},
  'host rm': {mutates: true, destructive: true},
  doctor: {mutates: false, destructive: false},
  'catalog ls': {mutates: false, destructive: false},
  'catalog search': {mutates: false, destructive: false},
  'catalog show': {mutates: false, destructive: false},
  'plug up': {mutates: true, destructive: false},
  'plug ls': {mutates: false, destructive: false},
  'plug status': {mutates: false, destructive: false},
  'plug logs': {mutates: false, destructive: false},
  'plug start': {mutates: true, destructive: false},
  'plug stop': {mutates: true, destructive: false},
  'plug restart': {mutates: true, destructive: false},
  'plug scale': {mutates: true, destructive: false},
  'plug down': {mutates: true, destructive: true},
  export: {mutates: true, destructive: false},
  dock: {mutates: false, destructive: false},
  events: {mutates: false, destructive: false},
  stats: {mutates: false, destructive: false},
  health: {mutates: false, destructive: false},
  audit: {mutates: false, destructive: false},
  'config get': {mutates: false, destructive: false},
  'config set': {mutates: true, destructive: false},
}

const HOSTILE = [
  '; rm -rf /',
  '$(reboot)',
  '`id`',
  'x\nrm -rf /',
  '| sh',
  '&& curl evil.sh',
  '> /etc/passwd',
  '${IFS}',
  "'; drop table",
  '\u0000',
  '\u001b[31mred',
  'a'.repeat(200),
  `${'b'.repeat(40)}/${'c'.repeat(40)}`,
  'ÄÖÜ',
  '../../etc/passwd',
  '--rm',
  '-rf',
  '--tenant=evil',
  "'quoted'",
  '"double"',
  '*',
  '~root',
  'n8n\r\nstop acme/n8n',
  'acme/n8n/../x',
  '-',
  'acme/',
  '/n8n',
  'ACME',
  'café',
  '١٢٣',
  '\u202eevil',
  'x'.repeat(600),
]
const TEMPLATES = [
  'deploy n8n for {x}',
  'deploy {x}',
  'restart {x}',
  'logs for {x}',
  'scale {x} to 3',
  'export {x} to {x}',
  'export n8n into {x}',
  'deploy n8n called {x}',
  'deploy n8n on {x}',
  'set the default tenant to {x}',
  'search for {x}',
  'deploy n8n with FOO={x}',
  'switch to host {x}',
  'logs of the {x} service of acme/n8n',
  'deploy n8n and link it to {x}',
  '{x}',
  'tell me about {x}',
  'deploy n8n with {x} cpus',
  'deploy n8n with {x} memory',
  'take {x} down',
  'decommission {x}',
  'status of {x}',
  'stats for {x}',
  'config set ai.model {x}',
  'restart {x} on host {x}',
  'open the dock for {x}',
  'what is running for {x}',
  'stop {x}/n8n',
]

const FORBIDDEN = /[;|`$<>\\\n\r\u0000-\u001f\u007f\u202e'"*]/

function expectSafe(result: IntentResult, text: string) {
  if (result.kind !== 'command') return
  for (const [index, word] of result.argv.entries()) {
    expect(word, `argv of ${JSON.stringify(text)}`).not.toMatch(FORBIDDEN)
    expect(word.length).toBeLessThanOrEqual(255)
    // A bundle directory from chat stays below the current or home directory.
    if (result.argv[index - 1] === '--out') expect(word.split('/')).not.toContain('..')
    // Only the parser's own flags start with "-": a value never can (option injection).
    if (word.startsWith('-'))
      expect(word, `argv[${index}] of ${JSON.stringify(text)}`).toMatch(
        /^--(?:name|tenant|env|domain|cpus|memory|expose|link|host|follow|tail|service|replicas|keep-data|out|category)$/,
      )
  }
  expectGrammatical(result.argv)
}

function expectEffects(result: IntentResult) {
  if (result.kind === 'command') {
    const path = EFFECTS[`${result.argv[0]} ${result.argv[1]}`]
      ? `${result.argv[0]} ${result.argv[1]}`
      : result.argv[0]!
    expect({mutates: result.mutates, destructive: result.destructive}, path).toEqual(EFFECTS[path])
    expect(result.confidence).toBeGreaterThan(0)
    expect(result.confidence).toBeLessThanOrEqual(1)
  }
  if (result.kind === 'clarify' && result.partial) {
    const argv = result.partial.argv
    const path = EFFECTS[`${argv[0]} ${argv[1]}`] ? `${argv[0]} ${argv[1]}` : argv[0]!
    expect({mutates: result.partial.mutates, destructive: result.partial.destructive}, path).toEqual(EFFECTS[path])
    expect(argv[result.partial.slot]).toBe('')
  }
}

/** A small deterministic generator (mulberry32), so a failure is reproducible. */
function random(seed: number) {
  let state = seed
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

describe('offline parser: hostile text', () => {
  it('never puts shell syntax, control characters or invalid names into an argv', () => {
    let commands = 0
    for (const template of TEMPLATES) {
      for (const hostile of HOSTILE) {
        const text = template.replaceAll('{x}', hostile)
        const result = parseUtterance(text, context)
        expectSafe(result, text)
        if (result.kind === 'command') commands++
      }
    }
    // Some hostile values are harmless words around a valid request ("ACME" → acme): those may parse.
    expect(commands).toBeGreaterThan(0)
  })

  it('refuses shell syntax outright instead of acting on the rest of the text', () => {
    for (const text of [
      'restart acme/n8n; rm -rf /',
      'deploy n8n $(curl evil)',
      'logs for `id`',
      'stop gitea && reboot',
      'scale gitea to 3 > /dev/null',
      'restart gitea\nrestart web',
      'deploy n8n | sh',
    ]) {
      const result = parseUtterance(text, context)
      expect(result.kind, text).toBe('unknown')
      if (result.kind === 'unknown') expect(result.message).toMatch(/shell syntax|several lines/)
    }
  })

  it('gives the reason when a name would not pass the CLI rules', () => {
    const long = parseUtterance(`deploy n8n called ${'a'.repeat(200)}`, context)
    expect(long).toMatchObject({kind: 'unknown', message: expect.stringMatching(/200 characters long \(at most 32\)/)})
    const underscore = parseUtterance('deploy n8n for tenant acme_corp', context)
    expect(underscore).toMatchObject({
      kind: 'unknown',
      message: expect.stringMatching(/invalid tenant name "acme_corp"/),
    })
    const domain = parseUtterance('deploy ghost with domain blog', context)
    expect(domain).toMatchObject({kind: 'unknown', message: expect.stringMatching(/not a domain name/)})
  })

  it('keeps random text (words, names and metacharacters mixed) out of argvs', () => {
    const next = random(7)
    const words = [
      'deploy',
      'restart',
      'logs',
      'for',
      'acme',
      'n8n',
      'acme/n8n',
      'scale',
      'to',
      '3',
      'replicas',
      'the',
      'of',
      'gitea',
      'export',
      'into',
      './out',
      'called',
      'on',
      'host',
      'down',
      'keep',
      'data',
      ';',
      '$(',
      '`',
      '|',
      '&',
      '\n',
      "'",
      '"',
      '--rm',
      '-f',
      'x'.repeat(40),
      'ÄÖ',
      '..',
      '/',
      '=',
      'KEY=v',
      '2g',
      'cpus',
    ]
    for (let round = 0; round < 1500; round++) {
      const length = 1 + Math.floor(next() * 8)
      const text = Array.from({length}, () => words[Math.floor(next() * words.length)]).join(next() < 0.8 ? ' ' : '')
      const result = parseUtterance(text, context)
      expectSafe(result, text)
      expectEffects(result)
    }
  })
})

describe('offline parser: effects and determinism', () => {
  const everything = [...utterances, ...heldOut].map((row) => row.text)

  it('flags mutates and destructive right for every command it yields', () => {
    const seen = new Set<string>()
    for (const text of everything) {
      const result = parseUtterance(text, context)
      expectEffects(result)
      if (result.kind === 'command') seen.add(`${result.argv[0]} ${result.argv[1] ?? ''}`)
    }
    expect(seen.size).toBeGreaterThanOrEqual(20)
  })

  it('gives the same answer for the same text and context', () => {
    for (const text of everything) expect(parseUtterance(text, context)).toEqual(parseUtterance(text, context))
  })

  it('never shows env values in a summary (they may be secrets)', () => {
    const result = parseUtterance('deploy fixture-web with GREETING=hello APP_SECRET=s3cr3tvalue', context)
    expect(result).toMatchObject({kind: 'command'})
    if (result.kind === 'command') {
      expect(result.argv).toContain('APP_SECRET=s3cr3tvalue')
      expect(result.summary).not.toContain('s3cr3tvalue')
      expect(result.summary).toContain('APP_SECRET')
    }
  })

  it('gives lower confidence to guesses than to exact requests', () => {
    const exact = parseUtterance('deploy n8n for hooli', context)
    const typo = parseUtterance('deplyo n8m for hooli', context)
    const verbless = parseUtterance('n8n for hooli', context)
    expect(exact.kind === 'command' && typo.kind === 'command' && verbless.kind === 'command').toBe(true)
    if (exact.kind === 'command' && typo.kind === 'command' && verbless.kind === 'command') {
      expect(typo.argv).toEqual(exact.argv)
      expect(typo.confidence).toBeLessThan(exact.confidence)
      expect(verbless.confidence).toBeLessThan(exact.confidence)
    }
  })
})

describe('offline parser: conversation focus and hosts out of reach', () => {
  it('reads "it" as the instance the conversation is about', () => {
    const focused: IntentContext = {...context, focus: 'acme/n8n'}
    expect(parseUtterance('restart it', focused)).toMatchObject({
      kind: 'command',
      argv: ['plug', 'restart', 'acme/n8n'],
    })
    expect(parseUtterance('show me its logs', focused)).toMatchObject({
      kind: 'command',
      argv: ['plug', 'logs', 'acme/n8n'],
    })
    expect(parseUtterance('take it down', focused)).toMatchObject({
      kind: 'command',
      argv: ['plug', 'down', 'acme/n8n'],
      destructive: true,
    })
    expect(parseUtterance('how is it doing?', focused)).toMatchObject({
      kind: 'command',
      argv: ['plug', 'status', 'acme/n8n'],
    })
  })

  it('takes names as written when no host could be asked what runs (dry run)', () => {
    const offline: IntentContext = {...context, instances: []}
    expect(parseUtterance('restart n8n', offline)).toMatchObject({kind: 'command', argv: ['plug', 'restart', 'n8n']})
    expect(parseUtterance('scale blog to 2 replicas', offline)).toMatchObject({
      kind: 'command',
      argv: ['plug', 'scale', 'blog', '--replicas', '2'],
    })
    expect(parseUtterance("restart acme's blog", offline)).toMatchObject({
      kind: 'command',
      argv: ['plug', 'restart', 'acme/blog'],
    })
    expect(parseUtterance('start ghost', offline)).toMatchObject({kind: 'command', argv: ['plug', 'start', 'ghost']})
    expect(parseUtterance('decommission the gitea instance', offline)).toMatchObject({
      kind: 'command',
      argv: ['plug', 'down', 'gitea'],
    })
  })
})

describe('completeClarification', () => {
  it('fills the chosen option into the partial command', () => {
    const question = parseUtterance('restart n8n', context)
    expect(question).toMatchObject({kind: 'clarify', options: ['acme/n8n', 'globex/n8n']})
    if (question.kind !== 'clarify') return
    expect(completeClarification(question, 'globex/n8n', context)).toEqual({
      kind: 'command',
      argv: ['plug', 'restart', 'globex/n8n'],
      summary: 'Restart globex/n8n',
      mutates: true,
      destructive: false,
      confidence: 1,
    })
  })

  it('keeps the rest of the command (flags) and its effects', () => {
    const question = parseUtterance('take n8n down but keep the data', context)
    if (question.kind !== 'clarify') throw new Error(`expected a question, got ${question.kind}`)
    expect(completeClarification(question, 'acme/n8n', context)).toMatchObject({
      argv: ['plug', 'down', 'acme/n8n', '--keep-data'],
      destructive: true,
    })
  })

  it('refuses an answer that is not one of the options', () => {
    const question = parseUtterance('restart n8n', context)
    if (question.kind !== 'clarify') throw new Error('expected a question')
    expect(completeClarification(question, 'acme/n8n; rm -rf /', context)).toMatchObject({kind: 'unknown'})
    expect(completeClarification(question, 'initech/redis', context)).toMatchObject({kind: 'unknown'})
  })

  it('accepts any well-formed instance when there was nothing to offer', () => {
    const offline: IntentContext = {...context, instances: []}
    const question = parseUtterance('restart', offline)
    if (question.kind !== 'clarify') throw new Error('expected a question')
    expect(question.options).toEqual([])
    expect(completeClarification(question, 'acme/blog', offline)).toMatchObject({
      kind: 'command',
      argv: ['plug', 'restart', 'acme/blog'],
    })
    expect(completeClarification(question, 'Acme Blog', offline)).toMatchObject({kind: 'unknown'})
  })

  it('parses an option that is a request of its own', () => {
    const question = parseUtterance('scale gitea', context)
    if (question.kind !== 'clarify') throw new Error('expected a question')
    expect(question.partial).toBeUndefined()
    expect(completeClarification(question, question.options[0]!, context)).toMatchObject({
      kind: 'command',
      argv: ['plug', 'scale', 'gitea', '--replicas', '2'],
    })
  })
})
