/**
 * A request as units the rules can match on: words, plus typed placeholders
 * for the things recognised in it (a plug, a running instance, TENANT/NAME,
 * a domain, a path, KEY=VALUE). Rules run regular expressions over the
 * "masked" text ("restart @inst for acme") and consume the units they use,
 * so one word never fills two slots.
 */
import {isDomainName} from '../names.js'
import {compact, tokenize, typoAllowance, typoDistance, type Token} from './text.js'
import type {IntentContext} from './types.js'
import {CATEGORY_SYNONYMS, COMMAND_WORDS, isFunctionWord, isKnownWord} from './vocabulary.js'

export type UnitKind = 'word' | 'poss' | 'env' | 'path' | 'ref' | 'domain' | 'url' | 'plug' | 'inst' | 'both'

/** What a span of words was recognised as. */
export interface Mention {
  /** Catalog ids it may name (best matches only). */
  plugs: string[]
  /** Running instance names it may name (best matches only). */
  instances: string[]
  /** 1 exact, 0.8 a typo away, 0.5-0.6 part of a name. */
  score: number
}

export interface Unit {
  kind: UnitKind
  /** Normalised text (for a plug or instance mention: the words as typed, lower-case). */
  norm: string
  raw: string
  mention?: Mention
  corrected?: boolean | undefined
}

export interface UnitMatch {
  match: RegExpExecArray
  /** Index of the first unit of the whole match. */
  start: number
  /** Units of each capture group (undefined when the group did not take part). */
  groups: Array<number[] | undefined>
}

const PLACEHOLDER: Partial<Record<UnitKind, string>> = {
  env: '@env',
  path: '@path',
  ref: '@ref',
  domain: '@dom',
  url: '@url',
  plug: '@plug',
  inst: '@inst',
  both: '@both',
}
const CONSUMED = '§'

const CONFIG_KEY_TOKEN = /^ai\.(?:provider|model|base-url)$/

function classify(token: Token): UnitKind {
  const {raw, norm} = token
  if (norm === "'s") return 'poss'
  if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(raw)) return 'env'
  if (/^(?:\.{1,2}(?:\/|$)|\/|~(?:\/|$))/.test(norm)) return 'path'
  if (/^https?:\/\//.test(norm))
    return isDomainName(norm.replace(/^https?:\/\//, '').replace(/\/$/, '')) ? 'domain' : 'url'
  if (/^[^/]+\/[^/]+$/.test(norm) && !norm.includes('=')) return 'ref'
  if (CONFIG_KEY_TOKEN.test(norm)) return 'word'
  if (norm.includes('.') && isDomainName(norm) && /\.[a-z]{2,}$/.test(norm)) return 'domain'
  return 'word'
}

interface Forms {
  /** compact form → catalog ids */
  plugExact: Map<string, string[]>
  /** compact form → instance names */
  instanceExact: Map<string, string[]>
  /** whole-word parts of names ("kuma", "flow" of "DeerFlow") → ids / names */
  plugParts: Map<string, string[]>
  instanceParts: Map<string, string[]>
  tenants: Set<string>
  /** Category and tag words ("database", "blog"): topics, never a typo of a name ("database" is not metabase). */
  topics: Set<string>
}

function add(map: Map<string, string[]>, key: string, value: string) {
  if (key === '') return
  const list = map.get(key) ?? []
  if (!list.includes(value)) list.push(value)
  map.set(key, list)
}

/** Words of a display name, splitting "DeerFlow" and "WebUI" too. */
function nameParts(text: string): string[] {
  return text
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((part) => part.length >= 4)
}

function buildForms(context: IntentContext): Forms {
  const forms: Forms = {
    plugExact: new Map(),
    instanceExact: new Map(),
    plugParts: new Map(),
    instanceParts: new Map(),
    tenants: new Set(),
    topics: new Set(Object.keys(CATEGORY_SYNONYMS)),
  }
  for (const plug of context.catalog) {
    add(forms.plugExact, compact(plug.id), plug.id)
    add(forms.plugExact, compact(plug.name), plug.id)
    forms.topics.add(plug.category)
    for (const tag of plug.tags) for (const word of tag.split('-')) forms.topics.add(word)
    for (const part of [...plug.id.split('-').filter((p) => p.length >= 4), ...nameParts(plug.name)])
      add(forms.plugParts, part, plug.id)
  }
  for (const {tenant, instance} of context.instances) {
    forms.tenants.add(tenant)
    add(forms.instanceExact, compact(instance), instance)
    for (const part of instance.split('-').filter((p) => p.length >= 4)) add(forms.instanceParts, part, instance)
  }
  return forms
}

/** Closest names within the typo allowance of the name's length. */
function fuzzy(word: string, table: Map<string, string[]>): {names: string[]; distance: number} {
  let best = Number.POSITIVE_INFINITY
  let names: string[] = []
  for (const [form, values] of table) {
    const allowance = typoAllowance(form.length)
    if (Math.abs(form.length - word.length) > allowance) continue
    // Three-character names ("n8n") only forgive one wrong character, never the first.
    if (form.length <= 3 && (word.length !== form.length || word[0] !== form[0])) continue
    const distance = typoDistance(word, form)
    if (distance > allowance || distance === 0) continue
    if (distance < best) {
      best = distance
      names = [...values]
    } else if (distance === best) for (const value of values) if (!names.includes(value)) names.push(value)
  }
  return {names, distance: best}
}

/** Names this word is a part, a prefix or a suffix of ("kuma", "flow", "cloud"). */
function partial(
  word: string,
  parts: Map<string, string[]>,
  exact: Map<string, string[]>,
): {names: string[]; score: number} {
  const whole = parts.get(word) ?? []
  const names: string[] = [...whole]
  for (const [form, values] of exact) {
    if (form.length >= word.length + 2 && (form.startsWith(word) || form.endsWith(word)))
      for (const value of values) if (!names.includes(value)) names.push(value)
  }
  return {names, score: whole.length > 0 ? 0.6 : 0.5}
}

export class Utterance {
  readonly units: Unit[]
  readonly consumed: boolean[]
  readonly context: IntentContext
  readonly tenants: Set<string>
  /** Confidence lost to guessing (typos, partial names, names taken as written). */
  penalty = 0
  /** The tenant, once a rule has looked for it (it is looked for once). */
  tenant?: {value: string | undefined}

  private constructor(units: Unit[], context: IntentContext, tenants: Set<string>) {
    this.units = units
    this.consumed = units.map(() => false)
    this.context = context
    this.tenants = tenants
    this.penalty = units.reduce(
      (sum, unit) => sum + (unit.corrected ? 0.1 : 0) + (unit.mention ? (1 - unit.mention.score) / 2 : 0),
      0,
    )
  }

  static from(text: string, context: IntentContext): Utterance {
    const forms = buildForms(context)
    const typed = soundsLike(rewriteLiteralFlags(tokenize(text)), forms)
    // A word where a name goes ("for stark", "called stap") is a name, not a typo.
    const tokens = typed.map((token, index) =>
      NAME_POSITION.has(typed[index - 1]?.norm ?? '') ? token : correctTypo(token, forms),
    )
    const kinds = tokens.map(classify)
    const units: Unit[] = []
    const spans = findMentions(tokens, kinds, forms)
    for (let index = 0; index < tokens.length;) {
      const span = spans.get(index)
      if (span) {
        const words = tokens.slice(index, span.end)
        const kind: UnitKind =
          span.mention.plugs.length > 0 && span.mention.instances.length > 0
            ? 'both'
            : span.mention.plugs.length > 0
              ? 'plug'
              : 'inst'
        units.push({
          kind,
          norm: words.map((t) => t.norm).join(' '),
          raw: words.map((t) => t.raw).join(' '),
          mention: span.mention,
          corrected: words.some((t) => t.corrected),
        })
        index = span.end
        continue
      }
      const token = tokens[index]!
      units.push({kind: kinds[index]!, norm: token.norm, raw: token.raw, corrected: token.corrected})
      index++
    }
    return new Utterance(units, context, forms.tenants)
  }

  /** The text the rules match on; consumed units read "§". */
  get masked(): string {
    return this.units
      .map((unit, index) => (this.consumed[index] ? CONSUMED : (PLACEHOLDER[unit.kind] ?? unit.norm)))
      .join(' ')
  }

  test(pattern: RegExp): boolean {
    return new RegExp(pattern.source, pattern.flags.replace('g', '')).test(this.masked)
  }

  /** First match of `pattern` on the masked text, with the units each group covers. */
  find(pattern: RegExp): UnitMatch | undefined {
    return this.findAll(pattern)[0]
  }

  findAll(pattern: RegExp): UnitMatch[] {
    const masked = this.masked
    const starts: number[] = []
    let offset = 0
    for (const index of this.units.keys()) {
      starts.push(offset)
      offset +=
        (this.consumed[index] ? CONSUMED : (PLACEHOLDER[this.units[index]!.kind] ?? this.units[index]!.norm)).length + 1
    }
    const unitAt = (char: number) => {
      let found = 0
      for (let index = 0; index < starts.length; index++) if (starts[index]! <= char) found = index
      return found
    }
    const unitsIn = (from: number, to: number) => {
      const covered: number[] = []
      for (let index = 0; index < starts.length; index++) {
        const unitStart = starts[index]!
        const unitEnd =
          unitStart + (index + 1 < starts.length ? starts[index + 1]! - 1 - unitStart : masked.length - unitStart)
        if (unitStart < to && unitEnd > from) covered.push(index)
      }
      return covered
    }
    const flags = pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`
    const regex = new RegExp(pattern.source, flags.includes('d') ? flags : `${flags}d`)
    const results: UnitMatch[] = []
    for (const match of masked.matchAll(regex)) {
      const indices = match.indices!
      results.push({
        match,
        start: unitAt(match.index),
        groups: indices.map((span) => (span ? unitsIn(span[0], span[1]) : undefined)),
      })
      if (match[0] === '') break
    }
    return results
  }

  consume(...indexes: Array<number | undefined>) {
    for (const index of indexes) if (index !== undefined) this.consumed[index] = true
  }

  release(index: number) {
    this.consumed[index] = false
  }

  /** Live (not consumed) units of the given kinds, in order. */
  live(...kinds: UnitKind[]): number[] {
    return this.units.flatMap((unit, index) => (!this.consumed[index] && kinds.includes(unit.kind) ? [index] : []))
  }

  unit(index: number): Unit {
    return this.units[index]!
  }
}

/** What a recognizer writes for a name it does not know ("get tea"), to the name, when that name is live. */
const SOUNDS_LIKE: Array<[words: string[], name: string]> = [
  [['get', 'tea'], 'gitea'],
  [['git', 'tea'], 'gitea'],
  [['get', 'tee'], 'gitea'],
  [['graph', 'ana'], 'grafana'],
  [['graf', 'ana'], 'grafana'],
  [['n', 'eight', 'n'], 'n8n'],
  [['mini', 'oh'], 'minio'],
  [['meta', 'base'], 'metabase'],
  [['flow', 'wise'], 'flowise'],
  [['lang', 'flow'], 'langflow'],
  [['next', 'cloud'], 'nextcloud'],
  [['post', 'gres'], 'postgres'],
  [['postgres', 'sql'], 'postgres'],
]

function soundsLike(tokens: Token[], forms: Forms): Token[] {
  const out: Token[] = []
  for (let index = 0; index < tokens.length; index++) {
    const hit = SOUNDS_LIKE.find(
      ([words, name]) =>
        (forms.plugExact.has(name) || forms.instanceExact.has(name)) &&
        words.every((word, offset) => tokens[index + offset]?.norm === word),
    )
    if (!hit) {
      out.push(tokens[index]!)
      continue
    }
    const raw = tokens
      .slice(index, index + hit[0].length)
      .map((token) => token.raw)
      .join(' ')
    out.push({raw, norm: hit[1], corrected: true})
    index += hit[0].length - 1
  }
  return out
}

const NAME_POSITION = new Set([
  'for',
  'of',
  'tenant',
  'client',
  'customer',
  'called',
  'named',
  'as',
  'to',
  'in',
  'under',
  'host',
  'server',
  'on',
  'at',
  'by',
  'service',
])

/**
 * A pasted aims command line ("aims plug logs acme/n8n --tail 100") read as
 * words the rules know, so it is validated and put in canonical order like
 * any other request.
 */
function rewriteLiteralFlags(tokens: Token[]): Token[] {
  const word = (norm: string): Token => ({raw: norm, norm})
  const out: Token[] = []
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index]!
    const next = tokens[index + 1]
    if (index === 0 && token.norm === 'aims') continue
    const flag = /^--?([a-z][a-z-]*)$/.exec(token.norm)?.[1]
    if (!flag) {
      out.push(token)
      continue
    }
    switch (flag) {
      case 'tenant':
      case 't':
        out.push(word('tenant'))
        break
      case 'name':
        out.push(word('named'))
        break
      // The value says what it is (KEY=VALUE, a domain, a size, a category).
      case 'env':
      case 'domain':
      case 'memory':
      case 'category':
      case 'dry-run':
      case 'yes':
      case 'y':
      case 'json':
        break
      case 'cpus':
      case 'replicas':
        if (next) out.push(next, word(flag))
        index++
        break
      case 'tail':
      case 'n':
        if (next) out.push(word('last'), next, word('lines'))
        index++
        break
      case 'follow':
      case 'f':
        out.push(word('follow'))
        break
      case 'expose':
        out.push(word('expose'))
        break
      case 'keep-data':
        out.push(word('keep'), word('data'))
        break
      case 'link':
        out.push(word('link'))
        break
      case 'service':
        out.push(word('service'))
        break
      case 'out':
        out.push(word('into'), word('folder'))
        break
      case 'host':
        out.push(word('on'), word('host'))
        break
      default:
        out.push(token)
    }
  }
  return out
}

/**
 * Fixes a typo in a command word ("restrat", "lgos", "deplyo"), unless the
 * word is known, is a name in the catalog or on the host, or is as close to
 * such a name as to the command word (names win ties: "gost" is Ghost).
 */
function correctTypo(token: Token, forms: Forms): Token {
  const word = token.norm
  if (word.length < 4 || !/^[a-z]+$/.test(word) || isKnownWord(word) || forms.tenants.has(word)) return token
  if (forms.plugExact.has(word) || forms.instanceExact.has(word)) return token
  let best: {word: string; distance: number} | undefined
  for (const candidate of COMMAND_WORDS) {
    const distance = typoDistance(word, candidate)
    if (distance <= typoAllowance(candidate.length) && (!best || distance < best.distance))
      best = {word: candidate, distance}
  }
  if (!best) return token
  const nameDistance = Math.min(fuzzy(word, forms.plugExact).distance, fuzzy(word, forms.instanceExact).distance)
  if (nameDistance <= best.distance) return token
  return {...token, norm: best.word, corrected: true}
}

/** Spans of tokens that name a plug or a running instance: exact n-grams first, then typos, then parts. */
function findMentions(tokens: Token[], kinds: UnitKind[], forms: Forms): Map<number, {end: number; mention: Mention}> {
  const spans = new Map<number, {end: number; mention: Mention}>()
  const claimed = tokens.map(() => false)
  const free = (from: number, to: number) => {
    for (let index = from; index < to; index++)
      if (index >= tokens.length || claimed[index] || kinds[index] !== 'word') return false
    return true
  }
  const claim = (from: number, to: number, mention: Mention) => {
    for (let index = from; index < to; index++) claimed[index] = true
    spans.set(from, {end: to, mention})
  }
  const nameLike = (index: number) => {
    const word = tokens[index]!.norm
    return (
      !isKnownWord(word) &&
      !forms.tenants.has(word) &&
      !forms.topics.has(word) &&
      /[a-z]/.test(word) &&
      !/^\d/.test(word)
    )
  }

  for (let size = 3; size >= 1; size--) {
    for (let from = 0; from + size <= tokens.length; from++) {
      if (!free(from, from + size)) continue
      // A lone known word ("data", "test") is never a plug's name; "open web ui" as a whole is. A running
      // instance may be called by one ("files"): instances are matched before anything else.
      const known = size === 1 && isKnownWord(tokens[from]!.norm)
      if (known && (isFunctionWord(tokens[from]!.norm) || !forms.instanceExact.has(tokens[from]!.norm))) continue
      const key = compact(
        tokens
          .slice(from, from + size)
          .map((t) => t.norm)
          .join(''),
      )
      const plugs = known ? [] : (forms.plugExact.get(key) ?? [])
      const instances = forms.instanceExact.get(key) ?? []
      if (plugs.length > 0 || instances.length > 0)
        claim(from, from + size, {plugs: [...plugs], instances: [...instances], score: 1})
    }
  }
  for (let size = 2; size >= 1; size--) {
    for (let from = 0; from + size <= tokens.length; from++) {
      if (!free(from, from + size)) continue
      let allNameLike = true
      for (let index = from; index < from + size; index++) if (!nameLike(index)) allNameLike = false
      if (!allNameLike) continue
      const key = compact(
        tokens
          .slice(from, from + size)
          .map((t) => t.norm)
          .join(''),
      )
      if (key.length < 3) continue
      const plugs = fuzzy(key, forms.plugExact)
      const instances = fuzzy(key, forms.instanceExact)
      const distance = Math.min(plugs.distance, instances.distance)
      if (!Number.isFinite(distance)) continue
      claim(from, from + size, {
        plugs: plugs.distance === distance ? plugs.names : [],
        instances: instances.distance === distance ? instances.names : [],
        score: 0.8,
      })
    }
  }
  for (let from = 0; from < tokens.length; from++) {
    if (!free(from, from + 1) || !nameLike(from) || tokens[from]!.norm.length < 4) continue
    const word = compact(tokens[from]!.norm)
    const plugs = partial(word, forms.plugParts, forms.plugExact)
    const instances = partial(word, forms.instanceParts, forms.instanceExact)
    if (plugs.names.length === 0 && instances.names.length === 0) continue
    const score = Math.max(plugs.names.length > 0 ? plugs.score : 0, instances.names.length > 0 ? instances.score : 0)
    claim(from, from + 1, {
      plugs: plugs.names.length > 0 && plugs.score === score ? plugs.names : [],
      instances: instances.names.length > 0 && instances.score === score ? instances.names : [],
      score,
    })
  }
  return spans
}
