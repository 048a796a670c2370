/**
 * "Never a wrong change" as properties (issue 19): for random requests built
 * from the grammar, live and unknown names and the noise people add (fillers,
 * no punctuation, politeness), a proposed change only names instances that
 * run (or, with no host to ask, that the request wrote), plugs of the
 * catalog, tenants and names the request wrote; and perturbing a request
 * never turns a read into a change, nor a change onto another target.
 * Seeded (mulberry32), so a failure is reproducible from its seed.
 */
import {describe, expect, it} from 'vitest'
import {parseUtterance, type IntentContext, type IntentResult} from '../../../../src/core/intents/index.js'
import {CHANGE_CONFIDENCE, wordsOf} from '../../../../src/core/intents/ground.js'
import {commandPathOf} from '../../../../src/core/commands/argv.js'
import {context} from './fixture.js'
import {utterances} from './utterances.js'

function random(seed: number) {
  let state = seed
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const pick = <T>(next: () => number, items: readonly T[]): T => items[Math.floor(next() * items.length)]!

const VERBS = [
  'restart',
  'stop',
  'start',
  'take down',
  'decommission',
  'scale',
  'deploy',
  'spin up',
  'switch off',
  'power down',
  'shut down',
  'kill',
  'bounce',
  'reboot',
  'install',
  'show logs of',
  'status of',
  'stats for',
  'how is',
  'is healthy',
]
const NOISE = ['um', 'uh', 'please', 'like', 'so', 'hey', 'ok', 'now', 'quickly', 'er', 'just', 'you know']
const UNKNOWN_NAMES = ['q-7', 'archive', 'billing', 'kuma2', 'fl', 'graf', 'ghost-two', 'web-b', 'n8', 'post', 'red']
const TENANT_PHRASES = (tenant: string) => [
  `for ${tenant}`,
  `for the ${tenant} tenant`,
  `in ${tenant}`,
  `from ${tenant}`,
  `tenant ${tenant}`,
  `of ${tenant}`,
]
const QUANTITIES = ['to 3 replicas', 'to three replicas', 'with 2 cpus', 'with two gigs of memory', 'to 2', '']

/** Catalog ids as people write them ("uptime kuma", "open web ui"). */
function plugWords(id: string): string[] {
  const plug = context.catalog.find((item) => item.id === id)!
  return [id, plug.name.toLowerCase(), id.replace(/-/g, ' ')]
}

function utterance(next: () => number, ctx: IntentContext): string {
  const live = ctx.instances
  const name =
    next() < 0.4 && live.length > 0
      ? pick(next, live).instance
      : next() < 0.5
        ? pick(next, UNKNOWN_NAMES)
        : pick(next, plugWords(pick(next, ctx.catalog).id))
  const tenant = pick(next, [...new Set([...live.map((item) => item.tenant), 'umbrella', 'hooli'])])
  const parts = [pick(next, VERBS)]
  if (next() < 0.3) parts.push('the')
  parts.push(next() < 0.2 ? `${tenant}/${name}` : name)
  if (next() < 0.5) parts.push(pick(next, TENANT_PHRASES(tenant)))
  if (next() < 0.3) parts.push(pick(next, QUANTITIES))
  if (next() < 0.2) parts.push(pick(next, ['called', 'named', 'call it', 'as']), pick(next, UNKNOWN_NAMES))
  const words = parts.join(' ').split(' ')
  const noisy: string[] = []
  for (const word of words) {
    if (next() < 0.25) noisy.push(pick(next, NOISE))
    noisy.push(word)
  }
  if (next() < 0.2) noisy.push(pick(next, NOISE))
  return noisy.filter(Boolean).join(' ')
}

/** Why a proposed change is not grounded in the request and the live list (empty: it is). */
function ungrounded(result: IntentResult, text: string, ctx: IntentContext): string[] {
  if (result.kind !== 'command' || !result.mutates) return []
  const problems: string[] = []
  const words = wordsOf(text)
  const noise = new Set(NOISE.flatMap((word) => word.split(' ')))
  const compactText = text
    .toLowerCase()
    .split(' ')
    .filter((word) => !noise.has(word))
    .join('')
    .replace(/[^a-z0-9]/g, '')
  const liveRefs = new Set(ctx.instances.map((item) => `${item.tenant}/${item.instance}`))
  const path = commandPathOf(result.argv)!
  const base = path.split(' ').length
  const positional = result.argv[base]
  const full = (value: string) => (value.includes('/') ? value : `${ctx.defaultTenant}/${value}`)
  if (['plug start', 'plug stop', 'plug restart', 'plug scale', 'plug down'].includes(path)) {
    const ok =
      ctx.instances.length > 0 ? liveRefs.has(full(positional!)) : positional!.split('/').every((p) => words.has(p))
    if (!ok) problems.push(`instance ${positional} is neither live nor written`)
  }
  if (path === 'plug up') {
    const plug = ctx.catalog.find((item) => item.id === positional)
    if (!plug) problems.push(`plug ${positional} is not in the catalog`)
    const forms = plug ? [plug.id, plug.name].map((form) => form.toLowerCase().replace(/[^a-z0-9]/g, '')) : []
    if (!forms.some((form) => compactText.includes(form))) problems.push(`plug ${positional} is not in the request`)
  }
  const flags = result.argv.slice(base)
  for (const flag of ['--tenant', '--name']) {
    const at = flags.indexOf(flag)
    if (at >= 0 && !words.has(flags[at + 1]!)) problems.push(`${flag} ${flags[at + 1]} is not in the request`)
  }
  if (result.confidence < CHANGE_CONFIDENCE) problems.push(`a change at confidence ${result.confidence}`)
  return problems
}

describe('grounding: random requests from the grammar and noise', () => {
  const offline: IntentContext = {...context, instances: []}
  it.each([
    ['a reachable host', context, 11],
    ['no host to ask', offline, 29],
  ] as const)('with %s, every change names only what runs or was written', (_, ctx, seed) => {
    const next = random(seed)
    const failures: string[] = []
    let changes = 0
    for (let round = 0; round < 2000; round++) {
      const text = utterance(next, ctx)
      const result = parseUtterance(text, ctx)
      if (result.kind === 'command' && result.mutates) changes++
      for (const problem of ungrounded(result, text, ctx)) failures.push(`${JSON.stringify(text)}: ${problem}`)
    }
    expect(failures.slice(0, 10)).toEqual([])
    // The property is about changes: enough of them must be proposed for it to mean something.
    expect(changes).toBeGreaterThan(200)
  })
})

/** The same request as said aloud or typed in a hurry: fillers, no punctuation, lower case, politeness. */
function perturb(text: string, next: () => number): string {
  let words = text.split(' ')
  if (next() < 0.5) words = words.map((word) => word.replace(/[?.!,]+$/, ''))
  if (next() < 0.5) words = words.map((word) => word.toLowerCase())
  const out: string[] = []
  if (next() < 0.3) out.push(pick(next, ['um', 'uh', 'hey', 'ok so', 'please']))
  for (const word of words) {
    out.push(word)
    if (next() < 0.15) out.push(pick(next, ['um', 'uh', 'like', 'please', 'you know']))
  }
  if (next() < 0.3) out.push(pick(next, ['please', 'thanks', 'now', 'quickly']))
  return out.join(' ')
}

describe('grounding: perturbations never turn a read into a change or move a change', () => {
  const rows = utterances.filter((row) => row.argv)
  it('holds for 5 perturbations of every table row', () => {
    const next = random(5)
    const failures: string[] = []
    for (const row of rows) {
      const original = parseUtterance(row.text, context)
      for (let round = 0; round < 5; round++) {
        const text = perturb(row.text, next)
        const result = parseUtterance(text, context)
        if (result.kind !== 'command' || !result.mutates) continue
        if (original.kind !== 'command' || !original.mutates)
          failures.push(`${JSON.stringify(text)}: a read became ${result.argv.join(' ')}`)
        else if (JSON.stringify(result.argv.slice(0, 3)) !== JSON.stringify(original.argv.slice(0, 3)))
          failures.push(`${JSON.stringify(text)}: ${original.argv.join(' ')} became ${result.argv.join(' ')}`)
      }
    }
    expect(failures).toEqual([])
  })
})

describe("this round's commands (when declared)", () => {
  it('reads run at once; a change on a running instance is proposed; an ungrounded one is asked', () => {
    expect(parseUtterance('show the releases of acme/n8n', context)).toMatchObject({
      kind: 'command',
      argv: ['plug', 'releases', 'acme/n8n'],
      mutates: false,
    })
    expect(parseUtterance('back up acme/postgres', context)).toMatchObject({
      kind: 'command',
      argv: ['plug', 'backup', 'acme/postgres'],
      mutates: true,
    })
    expect(parseUtterance('back up acme/postgres every night', context)).toMatchObject({
      argv: ['plug', 'backup', 'acme/postgres', '--every', '1d'],
    })
    expect(parseUtterance('list the backups of acme/postgres', context)).toMatchObject({
      argv: ['plug', 'backups', 'acme/postgres'],
    })
    // Not running: a question, never a backup of a name nobody has.
    expect(parseUtterance('back up the archive', context)).toMatchObject({kind: 'clarify'})
    // The releases are not known to the parser: a rollback is asked about first.
    expect(parseUtterance('roll back acme/n8n to release 3', context)).toMatchObject({
      kind: 'clarify',
      question: expect.stringMatching(/Did you mean: Roll acme\/n8n back to release 3\?/),
    })
    expect(parseUtterance('upgrade gitea', context)).toMatchObject({
      kind: 'command',
      argv: ['plug', 'upgrade', 'gitea'],
    })
    expect(parseUtterance('list the clusters', context)).toMatchObject({argv: ['cluster', 'ls']})
  })
})
