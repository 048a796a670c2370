/**
 * Filling the values of a command from a request: tenants, instances,
 * numbers, sizes. Every value is validated with the same rules the CLI
 * applies (names.ts) before it can reach an argv; a value that fails is a
 * Refusal carrying the reason, never a guess.
 */
import {isAimsError} from '../errors.js'
import {checkResourceName, parseCpus, parseMemorySize} from '../names.js'
import {compact, NUMBER, numberValue, typoDistance} from './text.js'
import type {IntentInstance} from './types.js'
import type {Utterance} from './utterance.js'
import {CATEGORY_SYNONYMS, isKnownWord} from './vocabulary.js'

/** A value the user gave that aims would refuse: the message says why. */
export class Refusal extends Error {}

/** Runs a names.ts check and turns its error into a Refusal with the same wording. */
export function validated<T>(check: () => T): T {
  try {
    return check()
  } catch (error) {
    if (isAimsError(error)) throw new Refusal(error.line)
    throw error
  }
}

const NUMERIC = /^\d+(\.\d+)?(?:k|kb|kib|m|mb|mib|g|gb|gib|t|tb|tib|x|s|h|min)?$/

/** Words that are categories or tags ("monitoring", "blog") are topics, not tenant names. */
function isTopicWord(u: Utterance, word: string): boolean {
  if (word in CATEGORY_SYNONYMS) return true
  return u.context.catalog.some((plug) => plug.category === word || plug.tags.includes(word))
}

/** A unit that may be a name the user made up (a tenant, an instance, a service). */
export function isNameCandidate(u: Utterance, index: number | undefined): boolean {
  if (index === undefined || u.consumed[index]) return false
  const unit = u.unit(index)
  return unit.kind === 'word' && !isKnownWord(unit.norm) && !NUMERIC.test(unit.norm) && /[a-z0-9]/.test(unit.norm)
}

const TENANT_NOUN = String.raw`(?:tenant|client|customer|team|org|organi[sz]ation|account|workspace|company)`

/**
 * The tenant a request names, consumed so no other slot takes it:
 * "for tenant acme", "the acme tenant", "acme's", "for/of/in acme", or a
 * known tenant's name anywhere.
 */
export function takeTenant(u: Utterance): string | undefined {
  u.tenant ??= {value: findTenant(u)}
  return u.tenant.value
}

function findTenant(u: Utterance): string | undefined {
  const strong = [
    new RegExp(String.raw`\b${TENANT_NOUN}s? (?:called |named )?(\S+)`),
    new RegExp(String.raw`(?:^|\s)(\S+) ${TENANT_NOUN}\b`),
    /(?:^|\s)(\S+) 's\b/,
    // "give hooli a postgres", "get umbrella an n8n", "umbrella needs grafana"
    /(?:^|\s)(\S+) (?:needs?|wants?) (?:a |an |new |another )?@(?:plug|both)/,
    /\b(?:give|get|set) (\S+) (?:up with )?(?:a|an|another|their own|its own) /,
  ]
  for (const pattern of strong) {
    for (const found of u.findAll(pattern)) {
      const index = found.groups[1]?.[0]
      if (!isNameCandidate(u, index)) continue
      const tenant = validated(() => checkResourceName('tenant', u.unit(index!).norm))
      u.consume(index)
      if (pattern.source.includes("'s")) u.consume(index! + 1)
      return tenant
    }
  }
  const weak = /(?<=\b(?:for|of|in|from|under|on|to|at|within|inside|into|belonging to|owned by|by) (?:the )?)(\S+)/
  for (const found of u.findAll(weak)) {
    const index = found.groups[1]?.[0]
    if (!isNameCandidate(u, index)) continue
    const word = u.unit(index!).norm
    if (isTopicWord(u, word) && !u.tenants.has(word)) continue
    const tenant = validated(() => checkResourceName('tenant', word))
    u.consume(index)
    return tenant
  }
  for (const index of u.live('word')) {
    if (u.tenants.has(u.unit(index).norm)) {
      u.consume(index)
      return u.unit(index).norm
    }
  }
  return undefined
}

/** How an instance is written in an argv: bare in the default tenant, TENANT/NAME elsewhere. */
export function refOf(u: Utterance, instance: IntentInstance): string {
  return instance.tenant === u.context.defaultTenant ? instance.instance : `${instance.tenant}/${instance.instance}`
}

export type Target = {kind: 'one'; value: string} | {kind: 'choose'; options: string[]; what: string}

/** TENANT/NAME as typed, validated, with a typo in NAME fixed when that tenant runs one close name. */
export function explicitRef(u: Utterance, text: string): string {
  const [tenantPart = '', namePart = ''] = text.split('/')
  const tenant = validated(() => checkResourceName('tenant', tenantPart))
  let name = validated(() => checkResourceName('instance', namePart))
  const inTenant = u.context.instances.filter((instance) => instance.tenant === tenant)
  if (inTenant.length > 0 && !inTenant.some((instance) => instance.instance === name)) {
    const close = inTenant.filter((instance) => typoDistance(compact(name), compact(instance.instance)) <= 1)
    if (close.length === 1) {
      name = close[0]!.instance
      u.penalty += 0.1
    } else {
      u.penalty += 0.15
    }
  }
  return tenant === u.context.defaultTenant ? name : `${tenant}/${name}`
}

/**
 * Which running instance a request is about. Order: TENANT/NAME as typed;
 * a mention of an instance (or of a plug, meaning its instances); "it"
 * (the conversation's focus); and, when allowed, the first unknown word
 * (taken as written, for hosts not reachable in a dry run).
 */
export function takeInstanceTarget(
  u: Utterance,
  tenant: string | undefined,
  options: {allowObject: boolean},
): Target | undefined {
  const instances = u.context.instances
  const refs = u.live('ref')
  const mentions = u.live('inst', 'both', 'plug')
  if (refs.length > 0) {
    u.consume(refs[0])
    return {kind: 'one', value: explicitRef(u, u.unit(refs[0]!).norm)}
  }
  if (mentions.length > 0) {
    const index = mentions[0]!
    u.consume(index)
    const mention = u.unit(index).mention!
    const byName = instances.filter(
      (instance) => mention.instances.includes(instance.instance) && (!tenant || instance.tenant === tenant),
    )
    const byPlug = instances.filter(
      (instance) => mention.plugs.includes(instance.plug) && (!tenant || instance.tenant === tenant),
    )
    const found = byName.length > 0 ? byName : byPlug
    if (found.length === 1) {
      // The word names an instance elsewhere ("postgres" of acme) but only a plug here: which one is meant?
      if (byName.length === 0 && mention.instances.length > 0) u.penalty += 0.4
      return {kind: 'one', value: refOf(u, found[0]!)}
    }
    if (found.length > 1)
      return {kind: 'choose', options: found.map((item) => refOf(u, item)), what: u.unit(index).norm}
    // Not running (or no host to ask): the name as written.
    const names = mention.instances.length > 0 ? mention.instances : mention.plugs
    if (instances.length > 0) u.penalty += 0.2
    if (names.length > 1)
      return {
        kind: 'choose',
        options: names.map((name) => (tenant ? `${tenant}/${name}` : name)),
        what: u.unit(index).norm,
      }
    return {kind: 'one', value: tenant && tenant !== u.context.defaultTenant ? `${tenant}/${names[0]}` : names[0]!}
  }
  if (u.context.focus && u.test(/\b(?:it|its|this|that|them|this one|that one|the same one)\b/)) {
    const focus = u.context.focus
    return {
      kind: 'one',
      value: focus.includes('/') ? explicitRef(u, focus) : validated(() => checkResourceName('instance', focus)),
    }
  }
  if (options.allowObject) {
    const index = u.units.findIndex((_, unitIndex) => isNameCandidate(u, unitIndex))
    if (index >= 0) {
      const name = validated(() => checkResourceName('instance', u.unit(index).norm))
      u.consume(index)
      u.penalty += instances.length > 0 ? 0.25 : 0.1
      return {kind: 'one', value: tenant && tenant !== u.context.defaultTenant ? `${tenant}/${name}` : name}
    }
  }
  return undefined
}

/** True when more than one distinct thing to act on is named ("restart n8n and gitea"). */
export function severalTargets(u: Utterance): boolean {
  const named = [...u.live('ref', 'inst', 'both'), ...u.live('plug')]
  if (named.length !== 2) return named.length > 1
  // "the ghost blog", "the flowise flow": a plug and a running instance of it are one target.
  const [plugIndex, instanceIndex] = named.map((index) => u.unit(index)).every((unit) => unit.kind !== 'ref')
    ? [named.find((index) => u.unit(index).kind === 'plug'), named.find((index) => u.unit(index).kind !== 'plug')]
    : [undefined, undefined]
  if (plugIndex === undefined || instanceIndex === undefined) return true
  const plugs = u.unit(plugIndex).mention!.plugs
  const names = u.unit(instanceIndex).mention!.instances
  const same = u.context.instances.some(
    (instance) => names.includes(instance.instance) && plugs.includes(instance.plug),
  )
  if (same) u.consume(plugIndex)
  return !same
}

// ---- numbers and sizes -------------------------------------------------------

const UNIT = String.raw`(k|kb|kib|kilobytes?|m|mb|mib|megs?|megabytes?|g|gb|gib|gigs?|gigabytes?|t|tb|tib|terabytes?)`

/** "4g", "4 gb", "2 gigs of ram", "512 megabytes" → "4g", "512m" (validated with parseMemorySize). */
export function takeMemory(u: Utterance): string | undefined {
  const found = u.find(new RegExp(String.raw`(?:^|\s)(${NUMBER}) ?${UNIT}\b`))
  if (!found) return undefined
  const value = numberValue(found.match[1]!)
  if (value === undefined) throw new Refusal(`I could not read a size in "${found.match[0].trim()}"`)
  const unit = found.match[2]![0]!
  // "half a gig" is 512m: a size is a whole number of its unit.
  const size = Number.isInteger(value)
    ? `${value}${unit}`
    : unit === 'g'
      ? `${Math.round(value * 1024)}m`
      : `${value}${unit}`
  validated(() => parseMemorySize(size))
  for (const group of found.groups.slice(1)) u.consume(...(group ?? []))
  return size
}

/** "2 cpus", "half a core", "cpus to 1.5" → "2", "0.5", "1.5" (validated with parseCpus). */
export function takeCpus(u: Utterance): string | undefined {
  const found =
    u.find(new RegExp(String.raw`(?:^|\s)(${NUMBER}) ?(?:v?cpus?|cores?|vcores?|processors?|cpu cores?)\b`)) ??
    u.find(new RegExp(String.raw`\b(?:v?cpus?|cores?)(?: count)? (?:to |= |of |at )?(\d+(?:\.\d+)?)\b`))
  if (!found) return undefined
  const value = numberValue(found.match[1]!)
  if (value === undefined) throw new Refusal(`I could not read a CPU count in "${found.match[0].trim()}"`)
  const cpus = validated(() => parseCpus(String(value)))
  u.consume(...(found.groups[0] ?? []))
  return String(cpus)
}

/** "3 replicas", "replicas to 3", and for scale alone a bare "to 3". */
export function takeReplicas(u: Utterance, bareTo: boolean): string | undefined {
  const found =
    u.find(
      new RegExp(
        String.raw`(?:^|\s)(${NUMBER}) ?(?:more )?(?:replicas?|copies|copy|containers?|workers?|nodes?|instances)\b`,
      ),
    ) ??
    u.find(/\b(?:replicas?|copies|replica count)(?: count)? (?:to |= |of |at )?(\d+)\b/) ??
    (bareTo
      ? u.find(/\bto (\d+)(?! ?(?:\.|v?cpus?|cores?|k|kb|kib|m|mb|mib|megs?|g|gb|gib|gigs?|t|tb|lines)\b)(?:\s|$)/)
      : undefined)
  if (!found) return undefined
  const value = numberValue(found.match[1]!)
  if (value === undefined || !Number.isInteger(value) || value < 0 || value > 100) {
    throw new Refusal(`"${found.match[0].trim()}" is not a replica count I can use — give a whole number from 0 to 100`)
  }
  u.consume(...(found.groups[0] ?? []))
  return String(value)
}

/** A positive whole number of log lines. */
export function takeTail(u: Utterance): string | undefined {
  const found =
    u.find(new RegExp(String.raw`\b(?:last|latest|recent|final|most recent|tail|previous|past|first) (${NUMBER})\b`)) ??
    u.find(new RegExp(String.raw`(?:^|\s)(${NUMBER}) (?:log |more )?(?:lines?|entries|messages|log lines)\b`))
  if (!found) return undefined
  const value = numberValue(found.match[1]!)
  if (value === undefined || !Number.isInteger(value) || value < 1 || value > 1_000_000) {
    throw new Refusal(`"${found.match[0].trim()}" is not a number of lines I can use — give a whole number such as 100`)
  }
  u.consume(...(found.groups[0] ?? []))
  return String(value)
}

/** A free-form name (service, host) as typed: validated, else a Refusal naming the problem. */
export function checkedName(kind: 'service' | 'host' | 'instance' | 'tenant', word: string): string {
  return validated(() => checkResourceName(kind, word))
}
