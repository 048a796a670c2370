/**
 * The offline recognizer's grammar: the sentences of aims' command grammar
 * as people say them, with slots for the names of the moment (catalog plugs,
 * live instances, tenants, hosts, sites, nodes), and every word it may hear
 * with the readings that make up its pronunciations.
 *
 * Names are single tokens ("uptime-kuma", "n8n", "acme"), so what the
 * decoder writes is already what the parser reads ("restart n8n for
 * globex", never "restart n eight n for globe ex"). The parser owns the
 * meaning; the grammar only says which word sequences can be heard.
 *
 * A grammar decoder always answers with some sentence of its grammar: a
 * word that is no live name ("stop the archive") comes out as the nearest
 * one. What is heard is shown and every change is confirmed; telling such
 * a guess from a real match is the recognizer's confidence check.
 */
import {toDecoderToken} from './decoder-output.js'
import {NUMBER_WORDS, nameParts, partReadings} from './vocabulary.js'

export interface GrammarNames {
  catalog: string[]
  instances: string[]
  tenants: string[]
  hosts: string[]
  /** Sites, sandboxes, clusters and nodes. */
  other?: string[]
}

export interface RecognizerGrammar {
  /** token → readings; a reading is a list of dictionary words (or parts to sound out) said in a row. */
  tokens: Map<string, string[][]>
  /** Parts no dictionary has: the adapter sounds them out (espeak-ng). */
  soundOut: string[]
  jsgf: string
}

const TOKEN = /^[a-z0-9][a-z0-9-]*$/

/** The words of the command grammar: each declared command's path and flag names. */
export function commandWords(specs: ReadonlyArray<{path: string; flags?: Record<string, unknown>}>): string[] {
  const words = new Set<string>()
  for (const spec of specs) {
    for (const word of spec.path.split(' ')) words.add(word)
    for (const flag of Object.keys(spec.flags ?? {})) for (const word of flag.split('-')) words.add(word)
  }
  return [...words].filter((word) => /^[a-z]+$/.test(word))
}

/**
 * The sentences, as JSGF rule bodies over words and the slot rules
 * <plug> <inst> <tenant> <num> <host> <site> <node>. New names ("named
 * passwords") are not in it: a command grammar cannot hear a word it does
 * not hold, so such requests are typed.
 */
const SENTENCES = [
  '<deploy> [a | an | the] <plug> [<for> <tenant>]',
  '(start | stop | restart | reboot | pause | resume) <inst>',
  '(take down | remove | delete | destroy | decommission) <inst> [and keep the data]',
  'take <inst> down',
  'scale <inst> [up | down] to <num> [replicas | copies | instances]',
  'give <inst> [instance] <num> (gigs | gig | gigabytes | megs | megabytes) of memory',
  'give <inst> [instance] <num> (cpus | cpu | cores) ',
  '(show | show me | get) [me] [the] logs (of | for) <inst>',
  '(show | list | get) [me] [the] (logs | status | stats) [of | for] <inst>',
  '(list | show) (everything | all instances | instances | [the] instances [<for> <tenant>])',
  "(what is | whats | what's) running [<for> <tenant> | on <host>]",
  'status of <inst>',
  'how is <inst> [doing]',
  'how much (memory | cpu) is <inst> using',
  '(check | show) [me] the health of (everything | <inst>)',
  'show [me] the health history of <inst>',
  'is <inst> healthy',
  'show [me] [the] [recent] events',
  '(install | uninstall | remove) the warden',
  'warden (status | logs)',
  '(list | show) [the] alerts',
  'send a test alert',
  'send alerts to <inst>',
  'autoscale <inst> from <num> to <num> [replicas]',
  'turn (off | on) autoscaling for <inst>',
  'show [me] [the] usage [<for> <tenant>]',
  '(which | what) (instances | plugs) are (out of date | outdated)',
  '(upgrade | update) <inst> [to [version] <num>]',
  'roll back <inst> [to release <num>]',
  'roll back the <site> site',
  'show [me] the releases of <inst>',
  'back up <inst> [every (day | week | hour) [and keep <num>]]',
  '(list | show) [me] the backups of <inst>',
  'restore <inst> [from [the] [last | latest] backup]',
  '(list | show) [the] sites',
  '(start | open) a sandbox [for <num> (hour | hours | minute | minutes | day | days)]',
  '(list | show) [the] cluster nodes',
  'drain <node>',
  '(run a doctor check | run [the] doctor | check the host)',
  'export <inst>',
  'yes',
  'no',
] as const

const LEADS = ['please', 'um', 'uh', 'can you', 'could you', 'i want to', 'now']
const DEPLOY = ['deploy', 'install', 'launch', 'spin up', 'set up', 'start', 'run', 'add', 'create']
const FOR = ['for', 'for tenant']

export function buildGrammar(names: GrammarNames, known: (word: string) => boolean): RecognizerGrammar {
  const tokens = new Map<string, string[][]>()
  const soundOut = new Set<string>()
  const add = (token: string, readings: string[][]) => {
    const existing = tokens.get(token) ?? []
    for (const reading of readings) {
      for (const piece of reading) if (!known(piece) && piece !== "'s") soundOut.add(piece)
      if (!existing.some((other) => other.join(' ') === reading.join(' '))) existing.push(reading)
    }
    tokens.set(token, existing)
  }
  const nameToken = (name: string): string | undefined => {
    const token = name.toLowerCase()
    if (!TOKEN.test(token)) return undefined
    if (!tokens.has(token)) {
      // Every combination of the readings of its parts (bounded: names have few parts).
      let readings: string[][] = [[]]
      for (const part of nameParts(token)) {
        const options = partReadings(part, known)
        readings = readings.flatMap((prefix) => options.map((option) => [...prefix, ...option])).slice(0, 8)
      }
      add(token, readings)
    }
    return token
  }
  const alternatives = (list: readonly string[]) => [...new Set(list.map(nameToken).filter(Boolean))] as string[]
  const tenants = alternatives(names.tenants)
  const possessive = tenants.map((tenant) => {
    add(
      `${tenant}'s`,
      (tokens.get(tenant) ?? [[tenant]]).map((reading) => [...reading, "'s"]),
    )
    return `${tenant}'s`
  })
  const instances = alternatives([...names.instances, ...names.catalog])
  const plugs = alternatives(names.catalog)
  const hosts = alternatives(names.hosts)
  const others = alternatives(names.other ?? [])

  const rule = (items: readonly string[]) => items.map(toDecoderToken).join(' | ')
  const slots: Record<string, string[]> = {
    plug: plugs,
    tenant: tenants,
    name: instances,
    host: hosts,
    site: others,
    node: [...hosts, ...others],
  }
  // A sentence with a slot that has no names cannot be said now: it is left out (JSGF has no empty rule).
  const sayable = (sentence: string) =>
    [...sentence.matchAll(/<(\w+)>/g)].every((match) => !(match[1]! in slots) || slots[match[1]!]!.length > 0)
  const possessives = possessive.length > 0 ? ` | (${rule(possessive)}) <name>` : ''
  const owner = tenants.length > 0 ? ' [<for> <tenant>]' : ''
  const named = instances.length > 0 ? ` | [the] <name> [instance]${owner}${possessives}` : ''
  const body = [
    '#JSGF V1.0;',
    'grammar aims;',
    `public <request> = [${LEADS.join(' | ')}] <sentence>;`,
    `<sentence> = ${SENTENCES.filter(sayable)
      .map((sentence) => `(${sentence})`)
      .join(' | ')};`,
    `<deploy> = ${DEPLOY.join(' | ')};`,
    `<for> = ${FOR.join(' | ')};`,
    ...Object.entries(slots)
      .filter(([, names]) => names.length > 0)
      .map(([slot, names]) => `<${slot}> = ${rule(names)};`),
    `<inst> = it | everything${named};`,
    `<num> = ${NUMBER_WORDS.join(' | ')};`,
    '',
  ]
  // Every plain word the sentences use.
  const text = body.join('\n')
  for (const word of text.replace(/<[^>]+>|\/\d+\//g, ' ').match(/[a-z][a-z']*/g) ?? [])
    if (!tokens.has(word) && !['grammar', 'aims', 'public', 'jsgf'].includes(word)) add(word, [[word]])
  return {tokens, soundOut: [...soundOut].sort(), jsgf: text}
}

/** Pronunciation lines for pocketsphinx's dictionary: `token PH ONES`, variants as `token(2)`. */
export function dictionaryLines(grammar: RecognizerGrammar, phones: (word: string) => string[][]): string[] {
  const lines: string[] = []
  for (const [token, readings] of grammar.tokens) {
    const variants = new Set<string>()
    for (const reading of readings) {
      let prons: string[][] = [[]]
      for (const word of reading)
        prons = prons.flatMap((prefix) => phones(word).map((pron) => [...prefix, ...pron])).slice(0, 4)
      for (const pron of prons) if (pron.length > 0) variants.add(pron.join(' '))
    }
    ;[...variants]
      .slice(0, 6)
      .forEach((pron, index) => lines.push(`${toDecoderToken(token)}${index === 0 ? '' : `(${index + 1})`} ${pron}`))
  }
  return lines
}
