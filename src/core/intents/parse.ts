/**
 * The offline provider's parser: a request in English to one aims command
 * line, deterministically (same text and context, same answer), with no
 * network and no model. It recognises the grammar of the declared commands
 * (src/core/commands) in many phrasings, asks one question when a name is
 * ambiguous, and says what it can do when it does not understand.
 *
 * How it decides: the request is screened (shell syntax and control
 * characters are refused), tokenised, typos in command words are fixed, and
 * names of plugs and running instances are recognised (exact, a typo away,
 * or a distinctive part). Rules then look for the command in a fixed order:
 * configuration and audit words; doctor; hosts; the dock by name; the lifecycle verbs (deploy,
 * start, stop, restart, scale, take down, export: the earliest in the sentence
 * wins, so "restart n8n and show me its logs" restarts); then read commands
 * (logs, events, dock, stats, health, status, catalog, list). Each command's
 * builder takes its flags first, then the tenant, then its target, and every
 * value is validated as the CLI would validate it.
 */
import {closest} from '../suggest.js'
import {checkDomain, checkEnvKey, HOST_ENTRY_NAME} from '../names.js'
import {canonicalArgv, type Flag} from '../commands/argv.js'
import {COMMAND_EFFECTS, type CommandPath} from '../commands/index.js'
import {
  checkedName,
  isNameCandidate,
  Refusal,
  severalTargets,
  takeCpus,
  takeInstanceTarget,
  takeMemory,
  takeReplicas,
  takeTail,
  takeTenant,
  validated,
  type Target,
} from './slots.js'
import {groundChange} from './ground.js'
import {opsCommand} from './ops.js'
import {roundCommand, type RoundHelpers} from './round.js'
import {screenUtterance} from './text.js'
import type {IntentContext, IntentResult} from './types.js'
import {Utterance} from './utterance.js'
import {CATEGORY_SYNONYMS, CONFIG_KEYS, HOST_NOUN, isFunctionWord, isKnownWord} from './vocabulary.js'

export const CAPABILITIES = [
  'deploy a plug ("deploy n8n for acme", "spin up ghost called blog on blog.acme.com")',
  'see what runs ("what\'s running?", "status of acme/n8n", "is gitea healthy?", "stats for n8n")',
  'read logs ("last 100 lines of logs for acme/n8n", "follow gitea\'s logs")',
  'start, stop, restart or scale an instance ("restart acme/n8n", "scale acme\'s n8n to 3 replicas")',
  'take an instance down ("decommission the gitea instance", "remove acme/blog but keep the data")',
  'export a self-host bundle ("export uptime kuma for the client")',
  'browse the catalog ("find me something for monitoring", "list ai plugs", "tell me about flowise")',
  'events, the live dock, the audit log, doctor, hosts and settings ("show events", "open the dock", "switch ' +
    'to host prod")',
]

export function capabilitiesMessage(prefix: string): string {
  return `${prefix} I can: ${CAPABILITIES.join('; ')}.`
}

const P = '@(?:plug|both)'
const E = '@(?:plug|inst|both|ref)'
/** Not a question: the request does not open (after "ok", "so", "hey") with a question word. */
const NOT_QUESTION =
  /^(?!(?:(?:ok|okay|so|hey|well|and|oh|alright|now|then|acheevy|quick question) )*(?:is|are|was|were|why|how|did|does|do|has|have|will|when|where) )/

// ---- results -------------------------------------------------------------------

function command(
  u: Utterance,
  path: CommandPath,
  positionals: string[],
  flags: Flag[],
  summary: string,
  base = 0.95,
): IntentResult {
  const confidence = Math.max(0.05, Math.min(1, Math.round((base - u.penalty) * 100) / 100))
  return {kind: 'command', argv: canonicalArgv(path, positionals, flags), summary, ...COMMAND_EFFECTS[path], confidence}
}

/** One question whose answer is the value at `positionals[slot]`. */
function choose(
  path: CommandPath,
  question: string,
  options: string[],
  positionals: string[],
  slot: number,
  flags: Flag[],
  summary: string,
): IntentResult {
  const filled = [...positionals]
  filled[slot] = ''
  const argv = canonicalArgv(path, filled, flags)
  return {
    kind: 'clarify',
    question,
    options,
    partial: {argv, slot: path.split(' ').length + slot, summary, ...COMMAND_EFFECTS[path]},
  }
}

const unknown = (message: string): IntentResult => ({kind: 'unknown', message})

const orList = (items: string[]) =>
  items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`

// ---- entry point ----------------------------------------------------------------

export function parseUtterance(text: string, context: IntentContext): IntentResult {
  const refusal = screenUtterance(text)
  if (refusal) return unknown(`I did not act on that: ${refusal}.`)
  const corrected = selfCorrected(text, context)
  const u = Utterance.from(corrected, context)
  if (u.units.length === 0) return unknown(capabilitiesMessage('Tell me what to do.'))
  try {
    return groundChange(route(u), context, text)
  } catch (error) {
    if (error instanceof Refusal) return unknown(`I did not act on that: ${error.message}.`)
    throw error
  }
}

type Rule = (u: Utterance) => IntentResult | undefined

/** Where a speaker corrects themselves: "…, no, …", "no wait", "sorry", "i mean", "make that". */
const CORRECTION = new RegExp(
  [
    String.raw`\s*[,.;!?]\s*(?:no|nope)\b[\s,.;!?]*(?:wait\b[\s,.;!?]*)?`,
    String.raw`\s+(?:no|nope)\s*[,.;!?]\s*`,
    String.raw`\s+no\s+wait\b[\s,.;!?]*`,
    String.raw`\s+no\s+(?=(?:just|only|i mean|make|for|\d+|one|two|three|four|five|six|seven|eight|nine|ten)\b)`,
    String.raw`[\s,.;!?]*\b(?:sorry|i mean|make (?:it|that)|correction|oops)\b[\s,.;!?]+`,
  ].join('|'),
  'gi',
)
const NUMBER_WORD = /^(?:\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty)$/

/**
 * A request with a self-correction, said as the speaker meant it: "scale grafana to 3 replicas, sorry, 2"
 * → "scale grafana to 2 replicas"; "deploy grafana for hooli, no, for umbrella" → "… for umbrella";
 * "restart vault no wait the blog" → "restart the blog"; "stop gitea, no, stop wiki" → "stop wiki".
 */
function selfCorrected(text: string, context: IntentContext): string {
  const marks = [...text.matchAll(CORRECTION)]
  const mark = marks.at(-1)
  if (!mark || mark.index === 0) return text
  const head = text.slice(0, mark.index).replace(/[?!.,]+$/, '')
  const tail = text
    .slice(mark.index + mark[0].length)
    .replace(/^(?:just|only|actually)\s+/i, '')
    .replace(/[.!?]+$/, '')
    .trim()
  if (tail === '') return head
  const headWords = head.split(/\s+/)
  const tailWords = tail.split(/\s+/)
  // A whole request of its own.
  const alone = parseUtterance(tail, context)
  if (alone.kind === 'command' && alone.confidence >= 0.8 && tailWords.length > 1) return tail
  // A number: it replaces the last number of the request.
  if (tailWords.length === 1 && NUMBER_WORD.test(tailWords[0]!.toLowerCase())) {
    const at = headWords.findLastIndex((word) => NUMBER_WORD.test(word.toLowerCase()))
    if (at >= 0) return [...headWords.slice(0, at), tail, ...headWords.slice(at + 1)].join(' ')
  }
  // "for umbrella", "in globex": it replaces the same kind of phrase.
  const preposition = /^(for|in|from|of|to|on|with|called|named|as)$/i.exec(tailWords[0] ?? '')?.[1]?.toLowerCase()
  if (preposition) {
    const at = headWords.findLastIndex((word) => word.toLowerCase() === preposition)
    if (at >= 0) {
      const end = Math.min(headWords.length, at + tailWords.length)
      return [...headWords.slice(0, at), ...tailWords, ...headWords.slice(end)].join(' ')
    }
    return `${head} ${tail}`
  }
  // Another target: the verb of the request, then the new target ("restart vault no wait the blog").
  const verbEnd = headWords.findIndex((word, index) => index > 0 && !/^(?:the|a|an|my|our)$/i.test(word))
  return `${headWords.slice(0, verbEnd > 0 ? verbEnd : 1).join(' ')} ${tail}`
}

function route(u: Utterance): IntentResult {
  const hostFlag = takeHostFlag(u)
  for (const rule of [
    help,
    withdrawn,
    notOffline(hostFlag),
    secrets,
    config,
    audit,
    doctor(hostFlag),
    hosts,
    dockByName(hostFlag),
  ]) {
    const result = rule(u)
    if (result) return result
  }
  const lifecycle = lifecycleCommand(u, hostFlag)
  if (lifecycle) return lifecycle
  for (const rule of [logs, events, dock, stats, health, status, catalogSearch, catalogShow, catalogList, plugList]) {
    const result = rule(u, hostFlag)
    if (result) return result
  }
  return fallback(u, hostFlag)
}

// ---- small rules -----------------------------------------------------------------

const help: Rule = (u) => {
  if (
    !u.test(
      /^(?:help|\?|commands|menu|hi|hello|hey|yo|what can you do|what do you do|how does this work|what are your commands|who are you)(?: (?:me|please|there|acheevy))*$/,
    )
  )
    return undefined
  return unknown(capabilitiesMessage('Hi, I am ACHEEVY.'))
}

/**
 * Requests for what the offline parser has no rules for (upgrades, rollbacks, backups, autoscaling,
 * builds, sites, sandboxes, clusters, the warden, alerts): said so, never read as the nearest
 * command it knows ("roll back n8n" is not a restart, "autoscale n8n" not a scale).
 */
const NOT_OFFLINE: Array<{pattern: RegExp; what: string}> = [
  {pattern: /\bupgrad\w*|\bupdate (?:\S+ ){0,3}to\b|\boutdated\b|\bnewer (?:version|release)s?\b/, what: 'upgrades'},
  {
    pattern: /\brolls? (?:\S+ ){0,3}back\b|\brollback\w*|\brevert\w*|\bdowngrad\w*|\breleases?\b/,
    what: 'releases and rollbacks',
  },
  {
    pattern:
      /\bbackups?\b|\bsnapshots?\b|\brestor\w*|(?<!\b(?:bring|brought|get|got|come|comes|start|power|boot|turn|put)\b.*)\bback up\b/,
    what: 'backups and restores',
  },
  {pattern: /\bauto-?scal\w*|\bscale (?:\S+ ){0,3}automatically\b/, what: 'autoscaling'},
  {pattern: /\bbuild\w*|\bdockerfile\b|\bfrom (?:the )?(?:source|repo\w*)\b/, what: 'builds'},
  {pattern: /\b(?:static )?sites?\b/, what: 'static sites'},
  {pattern: /\bsand ?box\w*|\b(?:scratch|throwaway) (?:box|container)\b|\bsbx?-[a-z0-9]+\b/, what: 'sandboxes'},
  {
    pattern:
      /\bclusters?\b|\bswarm\b|\b(?:un-?)?drain\w*|\blabel\w* (?:the )?(?:node )?\S+ (?:with |as |to )?@|\bnodes? (?:label|join|leave)\b|\blabel (?:\S+ ){0,3}nodes?\b/,
    what: 'clusters',
  },
  {
    pattern:
      /\bhealth (?:\S+ ){0,2}(?:history|timeline|log)\b|\bhistory of (?:\S+ ){0,3}health\b|\b(?:past|previous|recent) (?:health|incidents|outages)\b|\bincidents?\b|\boutages?\b/,
    what: 'health histories',
  },
  {pattern: /(?<!vault )\bwarden\b|\bwatchdog\b|\b(?:auto|self)-?heal\w*|\bpolicy\b|\bpolicies\b/, what: 'the warden'},
  {
    pattern:
      /\balerts? (?:me|us|when|if|to|on|channels?|rules?)\b|\b(?:add|set up|create|remove|delete|list|show|test|send) (?:an? |the |my |all |our )?(?:test )?alerts?\b|\bnotif\w*|\b(?:ping|page|email|mail|text) (?:me|us)\b/,
    what: 'alerts',
  },
]

/** "restart gitea, actually never mind": withdrawn, so nothing is proposed. */
const withdrawn: Rule = (u) =>
  u.test(
    /\b(?:never ?mind|forget (?:it|that|about it)|cancel (?:it|that)|scratch that|do not do (?:it|that)|ignore (?:that|me))\b/,
  )
    ? unknown('Understood: nothing done. Tell me what you want instead.')
    : undefined

const ROUND_HELPERS: RoundHelpers = {
  command: (u, path, positionals, flags, summary) => command(u, path, positionals, flags, summary),
  instanceOrAsk: (u, path, verbPhrase, flags, summary) => instanceOrAsk(u, path, verbPhrase, flags, summary),
  namesInstance: (u) =>
    u.live('ref', 'inst', 'both').length > 0 || (u.context.focus !== undefined && u.test(/\b(?:it|its)\b/)),
}

function notOffline(hostFlag: string | undefined): Rule {
  return (u) => {
    // On the words as written ("warden" must not hide inside a mention of vaultwarden), never inside a name
    // ("acme/site" is an instance, not a static site).
    const plain = u.units
      .map((unit) =>
        unit.kind === 'word' && unit.corrected
          ? unit.raw.toLowerCase() // "restore" is not the "restart" a typo fix made of it
          : unit.kind === 'word' || (unit.mention && unit.mention.score < 1)
            ? unit.norm
            : '@',
      )
      .join(' ')
    const found = NOT_OFFLINE.find(({pattern}) => pattern.test(plain))
    if (!found) return undefined
    const round = opsCommand(u, ROUND_HELPERS, hostFlag) ?? roundCommand(u, ROUND_HELPERS)
    if (round) return round
    return unknown(
      `I did not act on that: ${found.what} are not something I can do from this chat without a model. Run the ` +
        `command yourself (see aims --help), or configure a model with aims login.`,
    )
  }
}

const secrets: Rule = (u) => {
  if (
    !u.test(/\b(?:api ?key|token|secret|password)\b/) ||
    !u.test(/\b(?:set|config\w*|settings?|use|store|save|change)\b/) ||
    u.live('env').length > 0
  )
    return undefined
  return unknown(
    'I do not put keys or passwords on a command line. Set ANTHROPIC_API_KEY or OPENAI_API_KEY in your ' +
      "environment, or pass a plug's secret with --env-file.",
  )
}

/** "on host prod", "on the prod server": --host, taken before anything else looks at host words. */
function takeHostFlag(u: Utterance): string | undefined {
  const found = u.find(
    new RegExp(
      String.raw`\b(?:on|using|via|against|at) (?:the )?(?:${HOST_NOUN} (?:called |named )?(\S+)|(\S+) ${HOST_NOUN}\b)`,
    ),
  )
  if (!found) return knownHostFlag(u)
  const index = found.groups[1]?.[0] ?? found.groups[2]?.[0]
  if (index === undefined || u.consumed[index] || u.unit(index).kind !== 'word' || isKnownWord(u.unit(index).norm))
    return undefined
  const name = u.unit(index).norm
  if (!HOST_ENTRY_NAME.test(name))
    throw new Refusal(`invalid host name "${name.slice(0, 40)}": use 1-32 of a-z, 0-9, ".", "_" and "-"`)
  u.consume(...(found.groups[0] ?? []))
  return name
}

/**
 * "on staging", "at edge": a host aims knows (context.hosts) named without a host noun. The current host
 * needs no flag; a word that is also a tenant or an instance is left to them.
 */
function knownHostFlag(u: Utterance): string | undefined {
  const known = new Set(u.context.hosts ?? [])
  if (known.size === 0) return undefined
  for (const found of u.findAll(/\b(?:on|at|against|via) (?:the )?(\S+)(?= |$)/)) {
    const index = found.groups[1]?.[0]
    if (index === undefined || u.consumed[index] || u.unit(index).kind !== 'word') continue
    const name = u.unit(index).norm
    if (!known.has(name) || u.tenants.has(name) || !HOST_ENTRY_NAME.test(name)) continue
    u.consume(...(found.groups[0] ?? []))
    return name === u.context.host ? undefined : name
  }
  return undefined
}

const withHost = (flags: Flag[], host: string | undefined): Flag[] => (host ? [...flags, ['--host', host]] : flags)
const onHost = (host: string | undefined) => (host ? ` on host ${host}` : '')

// ---- config, audit, doctor, hosts ------------------------------------------------

const CONFIG_WORDS = /\b(?:config\w*|settings?|preferences?|prefs)\b/

const config: Rule = (u) => {
  const keyed = CONFIG_KEYS.flatMap((entry) => entry.phrases.map((phrase) => ({entry, phrase}))).sort(
    (a, b) => b.phrase.length - a.phrase.length,
  )
  const specific = keyed.filter(({phrase}) => !['model', 'endpoint'].includes(phrase))
  const masked = u.masked
  const hasPhrase = (phrase: string) =>
    new RegExp(String.raw`(?:^|\s)${phrase.replace(/\./g, '\\.')}(?=\s|$)`).test(masked)
  if (!CONFIG_WORDS.test(masked) && !specific.some(({phrase}) => hasPhrase(phrase))) return undefined
  const hit = keyed.find(({phrase}) => hasPhrase(phrase))
  const setWords = /\b(?:set|change|switch|update|make|put|use|configure)\b/
  if (!hit) {
    const keys = CONFIG_KEYS.map((entry) => entry.key)
    return setWords.test(masked)
      ? {
          kind: 'clarify',
          question: 'Which setting should I change, and to what?',
          options: keys.map((key) => `set ${key} to …`),
        }
      : choose(
          'config get',
          `Which setting do you want to see: ${orList(keys)}?`,
          keys,
          [''],
          0,
          [],
          'Show the setting {}',
        )
  }
  const {entry, phrase} = hit
  const key = entry.key
  const phraseRe = phrase.replace(/\./g, '\\.')
  const usable = (index: number | undefined) =>
    index !== undefined && !(u.unit(index).kind === 'word' && isKnownWord(u.unit(index).norm))
  const valueIndex = [
    new RegExp(String.raw`(?:^|\s)${phraseRe}(?: (?:to|=|as|be|is|should be|becomes?))+ (?:the )?(\S+)`),
    new RegExp(String.raw`\b(?:make|use|set|pick|choose) (\S+) (?:as )?(?:the |my |our )?${phraseRe}(?=\s|$)`),
    new RegExp(String.raw`\b(?:make|set|switch|change) (?:the |my |our )?${phraseRe} (?!to\b|is\b|as\b)(\S+)`),
  ]
    .map((pattern) => u.find(pattern)?.groups[1]?.[0])
    .find(usable)
  const valueUnit = valueIndex === undefined ? undefined : u.unit(valueIndex)
  if (!valueUnit || !setWords.test(masked)) {
    return command(u, 'config get', [key], [], `Show the setting ${key}`)
  }
  const raw = valueUnit.kind === 'word' ? valueUnit.norm : valueUnit.raw
  if (entry.kind === 'tenant') validated(() => checkedName('tenant', raw))
  else if (
    entry.kind === 'url'
      ? !/^https?:\/\/[A-Za-z0-9.:/_%~-]+$/.test(raw)
      : !/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}$/.test(raw)
  ) {
    const how = entry.kind === 'url' ? ' (give an http:// or https:// URL)' : ''
    throw new Refusal(`"${raw.slice(0, 40)}" is not a value I can put in ${key}${how}`)
  }
  return command(u, 'config set', [key, raw], [], `Set ${key} to ${raw}`)
}

const audit: Rule = (u) => {
  if (
    !u.test(
      /\baudit\w*|\bwho (?:did|has|changed|deployed|removed|ran|made|touched|started|stopped|restarted|scaled|deleted)\b|\bwhat (?:did you|have you|has aims|has acheevy|was|were|has been|have been) (?:do|did|done|change|changed|appl\w*|run|ran|execut\w*)\b|\bchange ?log\b|\bhistory\b|\bwhat changes\b|\bchanges (?:were |have been )?(?:made|applied)\b|\bapplied (?:actions|changes|commands)\b|\btrail\b|\bwho changed\b/,
    )
  )
    return undefined
  return command(u, 'audit', [], [], 'Show the audit log of applied changes')
}

function doctor(hostFlag: string | undefined): Rule {
  return (u) => {
    const hostWord = `(?:setup|connection|installation|install|environment|docker|engine|ssh|${HOST_NOUN})`
    const pattern = new RegExp(
      String.raw`\bdoctor\b|\bdiagnos\w*|\btroubleshoot\w*|\bsanity check\b|\bpreflight\b|\bcheckup\b|\bcheck (?:that |if |whether |on |up on )?(?:my |the |our )?${hostWord}\b|\b(?:is|are|does) (?:the |my |our )?${hostWord}(?: \S+)? (?:ok|okay|fine|alright|reachable|working|up|healthy|online|ready|connected|responding|alive|configured)\b|\bcan (?:you|aims|we|i) (?:reach|connect to|talk to|see|access) (?:the |my |our )?${HOST_NOUN}\b|\b(?:ok|okay|fine|wrong|right) with (?:the |my |our )?${hostWord}\b|\bwhat is wrong with (?:the |my |our )?${hostWord}\b`,
    )
    if (!pattern.test(u.masked)) return undefined
    let host = hostFlag
    const index = [
      ...u.findAll(new RegExp(String.raw`\b${HOST_NOUN} (?:called |named )?(\S+)`)),
      ...u.findAll(new RegExp(String.raw`(?:^|\s)(\S+) ${HOST_NOUN}\b`)),
    ]
      .map((found) => found.groups[1]?.[0])
      .find((candidate) => isNameCandidate(u, candidate))
    if (!host && index !== undefined) host = hostName(u.unit(index).norm)
    return command(
      u,
      'doctor',
      [],
      withHost([], host),
      `Check the ${host ? `host ${host}` : 'current host'}: connection, Docker engine and proxy`,
    )
  }
}

function hostName(word: string): string {
  if (!HOST_ENTRY_NAME.test(word))
    throw new Refusal(`invalid host name "${word.slice(0, 40)}": use 1-32 of a-z, 0-9, ".", "_" and "-"`)
  return word
}

/** The host name next to a host noun ("host prod", "the prod server"), when there is one. */
function namedHost(u: Utterance, pattern: RegExp): string | undefined {
  const found = u.find(pattern)
  if (!found) return undefined
  for (const group of found.groups.slice(1)) {
    const index = group?.[0]
    if (isNameCandidate(u, index) || (index !== undefined && u.unit(index).kind === 'domain'))
      return hostName(u.unit(index!).norm)
  }
  return undefined
}

const hosts: Rule = (u) => {
  if (!new RegExp(String.raw`\b${HOST_NOUN}\b`).test(u.masked) || u.live('plug', 'inst', 'both', 'ref').length > 0)
    return undefined
  const target = String.raw`(?:the )?(?:${HOST_NOUN} (?:called |named )?(\S+)|(\S+) ${HOST_NOUN}\b)`
  if (u.test(new RegExp(String.raw`\b(?:remove|delete|forget|drop|unregister|rm|get rid of|deregister)\b`))) {
    const name =
      namedHost(
        u,
        new RegExp(String.raw`\b(?:remove|delete|forget|drop|unregister|rm|get rid of|deregister) ${target}`),
      ) ?? namedHost(u, /\bhost rm (\S+)/)
    if (!name)
      return {
        kind: 'clarify',
        question: "Which host should I remove from aims' list? (the server itself is not touched)",
        options: [],
      }
    return command(u, 'host rm', [name], [], `Remove host ${name} from aims' list of hosts (the server is not touched)`)
  }
  const use =
    namedHost(u, /\bhost use (\S+)/) ??
    namedHost(
      u,
      new RegExp(
        String.raw`\b(?:use|switch(?: over)? to|change to|select|pick|target|work on|go to|connect to|point (?:aims )?(?:at|to)|move to|default to) ${target}`,
      ),
    ) ??
    namedHost(
      u,
      new RegExp(String.raw`\bmake (\S+) (?:the |my |our )?(?:default|current|active|main) ${HOST_NOUN}\b`),
    ) ??
    namedHost(
      u,
      new RegExp(String.raw`\b(?:default|current|active|main) ${HOST_NOUN} (?:to |= |is |should be |be )+(\S+)`),
    )
  if (use) return command(u, 'host use', [use], [], `Make ${use} the default host`)
  if (u.test(new RegExp(String.raw`\b(?:add|register|set up|new|configure|connect)\b`))) {
    return unknown(
      'Adding a host needs its SSH details, which I do not take from chat: run `aims host add NAME ' +
        'user@host` (or `aims init` for a guided setup).',
    )
  }
  if (
    u.test(
      new RegExp(
        String.raw`\b(?:list|show|ls|see|display|view)\b (?:\S+ ){0,3}${HOST_NOUN}\b|\b(?:which|what|my|all|our|configured|available|known) (?:\S+ )?${HOST_NOUN}\b|${HOST_NOUN} (?:do|does|did) (?:i|we|you|aims) (?:have|know)|^(?:the )?${HOST_NOUN}$`,
      ),
    )
  ) {
    return command(u, 'host ls', [], [], 'List the hosts aims knows')
  }
  return undefined
}

// ---- lifecycle (earliest verb wins) ---------------------------------------------

type Lifecycle = 'down' | 'restart' | 'stop' | 'start' | 'up' | 'scale' | 'export'

const LIFECYCLE: Array<{verb: Lifecycle; pattern: RegExp}> = [
  {
    verb: 'down',
    pattern:
      /\b(?:decommission\w*|tear (?:\S+ ){0,4}down|teardown|take (?:\S+ ){0,4}down|bring (?:\S+ ){0,4}down|destroy|delete|remove|uninstall|deprovision|get rid of|nuke|wipe(?: out)?|trash|terminate|kill off|rm|purge|dispose of|retire|deinstall|plug down)\b/g,
  },
  {
    verb: 'restart',
    pattern:
      /\b(?:restart\w*|re-start\w*|reboot\w*|bounce|recycle|power ?cycle|cycle|kick|reload|relaunch|start (?:\S+ ){0,4}over|turn (?:\S+ ){0,4}off and (?:back )?on(?: again)?|stop and (?:re)?start)\b/g,
  },
  {
    verb: 'stop',
    pattern:
      /\b(?:stop|halt|pause|shut (?:\S+ ){0,4}(?:down|off)|shutdown|turn (?:\S+ ){0,4}off|switch (?:\S+ ){0,4}off|power (?:\S+ ){0,3}(?:off|down)|suspend|kill|freeze|put (?:\S+ ){0,4}to sleep|disable|take (?:\S+ ){0,4}offline)\b/g,
  },
  {
    verb: 'start',
    pattern:
      /\b(?:start(?:ed)?(?! (?:up )?(?:a |an )?(?:new|another|fresh|second)\b)|resume|unpause|turn (?:\S+ ){0,4}on|switch (?:\S+ ){0,4}on|power (?:\S+ ){0,3}on|boot(?: up)?|wake (?:\S+ ){0,4}up|bring (?:\S+ ){0,4}back|get (?:\S+ ){0,4}(?:running|going) again|enable)\b/g,
  },
  {
    verb: 'scale',
    pattern: new RegExp(
      String.raw`\b(?:scale\w*|resize\w*|upsize|downsize|bump|increase|decrease|reduce|raise|lower|grow|shrink|more (?:memory|ram|cpus?|cores?|replicas|copies|power|resources)|less (?:memory|ram|cpus?|cores?|replicas|copies)|limit|cap|allocate|replicas?|copies|give (?:\S+ ){1,3}(?:more|less|extra|\d+(?:\.\d+)? ?(?:v?cpus?|cores?|replicas?|copies|kb?|mb?|gb?|gigs?|megs?|gib|mib)|(?:one|two|three|four|five|six|eight|half(?: a)?) (?:v?cpus?|cores?|replicas?|copies|gigs?|megs?))|set (?:\S+ ){0,3}(?:memory|ram|cpus?|cores?|replicas)|^(?:\d+(?:\.\d+)?|one|two|three|four|five|six|eight|half(?: a)?) (?:v?cpus?|cores?|replicas?|copies|gigs?|megs?) (?:for|to)\b)\b`,
      'g',
    ),
  },
  {
    verb: 'up',
    pattern: new RegExp(
      String.raw`\b(?:deploy(?:ing)?|spin (?:\S+ ){0,4}up|spin|install(?:ing)?|launch(?:ing)?|set (?:\S+ ){0,3}up|setup|provision(?:ing)?|bring (?:\S+ ){0,4}up|fire (?:\S+ ){0,4}up|stand (?:\S+ ){0,4}up|create|roll (?:\S+ ){0,3}out|start (?:up )?(?:a |an )?(?:new|another|fresh|second)|add (?:a |an |the |another )?(?:new |fresh )?${P}|run (?:a |an |the |me |us |another )?(?:new |fresh )?${P}|put (?:\S+ ){0,4}on|plug up)\b|${P} up\b`,
      'g',
    ),
  },
  {
    verb: 'export',
    pattern:
      /\b(?:export\w*|selfhost\w*|bundle\w*|package (?:\S+ ){0,4}(?:up|for)|hand (?:over|off)|compose file|portable|takeout)\b/g,
  },
]

/** "I need/want …", "get me a …", "give acme an n8n": a deploy only when nothing more specific is asked. */
const SOFT_UP = new RegExp(
  String.raw`\b(?:(?:i|we) (?:want|need|would like)|can (?:i|we|you) (?:have|get)|get (?:me |us |them |\S+ )?(?:a |an )|\S+ needs? (?:a |an |new )?${P}|give (?:\S+ ){0,2}(?:a |an |new )|(?:a |an )?new ${P})|^${P}(?: for| in| on| to)`,
)
const READ_WORDS =
  /\b(?:logs?|status|stats|health\w*|events?|usage|metrics|catalog|search|find|look for|details?|about|describe|info|running|deployed)\b/

function lifecycleCommand(u: Utterance, hostFlag: string | undefined): IntentResult | undefined {
  const masked = u.masked
  let best: {verb: Lifecycle; index: number; text?: string} | undefined
  let negated: Lifecycle | undefined
  for (const {verb, pattern} of LIFECYCLE) {
    for (const match of masked.matchAll(pattern)) {
      // "don't delete n8n", "never restart gitea": the verb is refused, not acted on.
      if (/\b(?:not|never|no|without)(?: \S+)?\s*$/.test(masked.slice(0, match.index))) {
        negated ??= verb
        continue
      }
      if (
        verb === 'up' &&
        /\bwhat (?:\S+ ){0,2}(?:can|could|should|would|do|may) (?:i|we|you)(?: \S+)?\s*$/.test(
          masked.slice(0, match.index),
        )
      )
        continue
      if (
        verb === 'up' &&
        /\bup\b$/.test(match[0]) &&
        !/^(?:spin|bring|fire|stand|set|plug)/.test(match[0]) &&
        !NOT_QUESTION.test(masked)
      )
        continue
      if (!best || match.index < best.index) best = {verb, index: match.index, text: match[0]}
      break
    }
  }
  // "n8n down", "acme/n8n down for good": terse, and never a question ("is gitea down?").
  const terse = new RegExp(String.raw`^(?:please )?(?:\S+ 's )?${E} down\b`)
  if (!best && NOT_QUESTION.test(masked) && terse.test(masked)) best = {verb: 'down', index: 0}
  // "I need gitea running for umbrella": a deploy, said as the state wanted.
  if (
    !best &&
    NOT_QUESTION.test(masked) &&
    new RegExp(
      String.raw`\b(?:i|we) (?:need|want|would like) (?:a |an |the |some |one )?(?:new |fresh )?${P} (?:\S+ ){0,3}(?:running|up|deployed|installed|going)\b`,
    ).test(masked)
  )
    best = {verb: 'up', index: 0}
  if (
    !best &&
    !READ_WORDS.test(masked) &&
    SOFT_UP.test(masked) &&
    (u.live('plug', 'both').length > 0 || topicPlugs(u).length > 0) &&
    !/\b(?:something|anything|a tool|an app|a plug|some\w*) (?:for|to|that)\b/.test(masked)
  ) {
    u.penalty += 0.15
    best = {verb: 'up', index: 0}
  }
  if (!best) {
    if (negated)
      return unknown(
        `Understood: I will not ` +
          `${negated === 'up' ? 'deploy' : negated === 'down' ? 'take anything down' : negated} anything. Tell ` +
          `me what you want done instead.`,
      )
    return undefined
  }
  consumeVerb(u, best)
  switch (best.verb) {
    case 'up':
      return plugUp(u, hostFlag)
    case 'down':
      return plugDown(u, hostFlag)
    case 'scale':
      return plugScale(u, hostFlag)
    case 'export':
      return exportBundle(u, hostFlag)
    default:
      return startStopRestart(u, best.verb, hostFlag)
  }
}

/**
 * The words of the verb phrase ("switch … off", "power … down") are the verb's: never a name. Only plain
 * words the verb's pattern spells out are taken, so "turn gitea off" keeps gitea.
 */
function consumeVerb(u: Utterance, best: {verb: Lifecycle; index: number; text?: string}) {
  if (!best.text || !['down', 'restart', 'stop', 'start'].includes(best.verb)) return
  const source = LIFECYCLE.find((entry) => entry.verb === best.verb)!.pattern.source
  const found = u.find(new RegExp(best.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
  if (!found) return
  for (const index of found.groups[0] ?? []) {
    const unit = u.unit(index)
    if (unit.kind === 'word' && /^[a-z]+$/.test(unit.norm) && new RegExp(String.raw`\b${unit.norm}\b`).test(source))
      u.consume(index)
  }
}

/** Target of a command on one running instance, or the question to ask. */
function instanceOrAsk(
  u: Utterance,
  path: CommandPath,
  verbPhrase: string,
  flags: Flag[],
  summary: (target: string) => string,
  hostFlag?: string,
): {target: string} | {result: IntentResult} {
  const tenant = takeTenant(u)
  if (COMMAND_EFFECTS[path].mutates && severalTargets(u)) {
    const named = [...u.live('ref', 'inst', 'both', 'plug')].map((index) => u.unit(index).norm)
    return {
      result: {
        kind: 'clarify',
        question: `I ${verbPhrase} one instance at a time. Which first: ${orList(named)}?`,
        options: named.map((name) => `${verbPhrase} ${name}`),
      },
    }
  }
  const target = takeInstanceTarget(u, tenant, {allowObject: true})
  const fullFlags = withHost(flags, hostFlag)
  if (!target) {
    const options = u.context.instances.slice(0, 12).map((instance) => `${instance.tenant}/${instance.instance}`)
    return {
      result: choose(
        path,
        `Which instance should I ${verbPhrase}?${options.length === 0 ? ' (e.g. acme/n8n)' : ''}`,
        options,
        [''],
        0,
        fullFlags,
        summary('{}'),
      ),
    }
  }
  if (target.kind === 'choose') return {result: ambiguous(path, target, verbPhrase, fullFlags, summary)}
  return {target: target.value}
}

function ambiguous(
  path: CommandPath,
  target: Extract<Target, {kind: 'choose'}>,
  verbPhrase: string,
  flags: Flag[],
  summary: (target: string) => string,
): IntentResult {
  return choose(
    path,
    `Which ${target.what} should I ${verbPhrase}: ${orList(target.options)}?`,
    target.options,
    [''],
    0,
    flags,
    summary('{}'),
  )
}

function startStopRestart(
  u: Utterance,
  verb: 'start' | 'stop' | 'restart',
  hostFlag: string | undefined,
): IntentResult {
  const path = `plug ${verb}` as CommandPath
  // "start ghost" when no ghost runs anywhere: the user wants one deployed.
  if (
    verb === 'start' &&
    u.context.instances.length > 0 &&
    u.live('ref').length === 0 &&
    u.live('plug', 'both').length > 0
  ) {
    const mention = u.unit(u.live('plug', 'both')[0]!).mention!
    const tenant = takeTenant(u)
    const running = u.context.instances.some(
      (instance) =>
        (mention.plugs.includes(instance.plug) || mention.instances.includes(instance.instance)) &&
        (!tenant || instance.tenant === tenant),
    )
    if (!running) {
      // "start agent zero" when none runs: a deploy, but only once the user says so.
      u.penalty += 0.4
      return plugUp(u, hostFlag)
    }
  }
  const label = {start: 'Start', stop: 'Stop', restart: 'Restart'}[verb]
  const summary = (target: string) => `${label} ${target}${onHost(hostFlag)}`
  const found = instanceOrAsk(u, path, verb, [], summary, hostFlag)
  if ('result' in found) return found.result
  return command(u, path, [found.target], withHost([], hostFlag), summary(found.target))
}

function plugDown(u: Utterance, hostFlag: string | undefined): IntentResult {
  const keep = u.find(
    /\b(?:keep(?:ing)?|preserv\w*|retain\w*|save|saving|leave|leaving) (?:the |its |all |my |their |our )?(?:data|volumes?|files|database)|\b(?:without|not) (?:deleting|removing|losing|wiping|touching|destroying) (?:the |its |any |my )?(?:data|volumes?|files)|\bdata (?:kept|intact|preserved|safe)\b|\bkeep-data\b/,
  )
  if (keep) u.consume(...(keep.groups[0] ?? []))
  if (
    u.test(/\b(?:everything|all (?:of )?(?:them|instances|plugs|apps))\b/) &&
    u.live('ref', 'inst', 'both', 'plug').length === 0
  ) {
    return unknown(
      'I take instances down one at a time, and only when you name the instance (e.g. "decommission acme/n8n").',
    )
  }
  const flags: Flag[] = keep ? [['--keep-data']] : []
  const summary = (target: string) =>
    `Decommission ${target} (${keep ? 'keeps its data volumes' : 'deletes its data'})${onHost(hostFlag)}`
  const found = instanceOrAsk(u, 'plug down', 'take down', flags, summary, hostFlag)
  if ('result' in found) return found.result
  return command(u, 'plug down', [found.target], withHost(flags, hostFlag), summary(found.target))
}

function plugScale(u: Utterance, hostFlag: string | undefined): IntentResult {
  const replicas = takeReplicas(u, false)
  const cpus = takeCpus(u)
  const memory = takeMemory(u)
  const bare = (replicas ?? cpus ?? memory) ? undefined : takeReplicas(u, true)
  const flags: Flag[] = []
  if (replicas ?? bare) flags.push(['--replicas', (replicas ?? bare)!])
  if (cpus) flags.push(['--cpus', cpus])
  if (memory) flags.push(['--memory', memory])
  const parts = [
    (replicas ?? bare) ? `${replicas ?? bare} replica${(replicas ?? bare) === '1' ? '' : 's'}` : '',
    cpus ? `${cpus} CPU${cpus === '1' ? '' : 's'}` : '',
    memory ? `${memory} memory` : '',
  ].filter(Boolean)
  const summary = (target: string) => `Scale ${target} to ${parts.join(', ')}${onHost(hostFlag)}`
  const found = instanceOrAsk(u, 'plug scale', 'scale', flags, summary, hostFlag)
  if ('result' in found) return found.result
  if (flags.length === 0) {
    const target = found.target
    return {
      kind: 'clarify',
      question: `How should I scale ${target}: replicas, CPUs or memory?`,
      options: [
        `scale ${target} to 2 replicas`,
        `scale ${target} to 3 replicas`,
        `give ${target} 2 cpus`,
        `give ${target} 2g of memory`,
      ],
    }
  }
  return command(u, 'plug scale', [found.target], withHost(flags, hostFlag), summary(found.target))
}

function exportBundle(u: Utterance, hostFlag: string | undefined): IntentResult {
  const flags: Flag[] = []
  const out = u.find(
    /\b(?:to|into|in|under|at|inside) (?:the |a )?(?:(?:folder|directory|dir) )?(@path)|\b(?:folder|directory|dir) (?:called |named )?(\S+)/,
  )
  const outIndex = out?.groups[1]?.[0] ?? out?.groups[2]?.[0]
  if (
    out &&
    outIndex !== undefined &&
    !u.consumed[outIndex] &&
    ['path', 'word', 'ref'].includes(u.unit(outIndex).kind)
  ) {
    const dir = u.unit(outIndex).raw
    if (!/^[A-Za-z0-9_./~+-]{1,255}$/.test(dir))
      throw new Refusal(
        `"${dir.slice(0, 40)}" is not a directory name I can pass on; use letters, digits, ".", "_", "-" and "/"`,
      )
    // From chat, a bundle goes below the current or home directory; anything else is typed as a command.
    if (dir.split('/').includes('..') || dir.startsWith('-'))
      throw new Refusal(
        `I do not write bundles to "${dir.slice(0, 40)}" from chat; run \`aims export … --out DIR\` yourself ` +
          `for a path outside this directory`,
      )
    u.consume(...(out.groups[0] ?? []))
    flags.push(['--out', dir])
  }
  const summary = (target: string) =>
    `Export ${target} as a self-host bundle${flags.length > 0 ? ` into ${flags[0]![1]}` : ''}`
  const tenant = takeTenant(u)
  const refs = u.live('ref')
  let target: Target | undefined
  // A plug named without a tenant exports the plug; with a tenant (or as TENANT/NAME), that instance.
  if (refs.length === 0 && !tenant) {
    const plugMention = u.live('plug', 'both')[0]
    if (plugMention !== undefined && u.unit(plugMention).mention!.plugs.length > 0) {
      const plugs = u.unit(plugMention).mention!.plugs
      u.consume(plugMention)
      target =
        plugs.length === 1
          ? {kind: 'one', value: plugs[0]!}
          : {kind: 'choose', options: plugs, what: u.unit(plugMention).norm}
    }
  }
  target ??= takeInstanceTarget(u, tenant, {allowObject: true})
  const fullFlags = withHost(flags, hostFlag)
  if (!target)
    return choose(
      'export',
      'Which plug or instance should I export?',
      u.context.catalog.map((plug) => plug.id),
      [''],
      0,
      fullFlags,
      summary('{}'),
    )
  if (target.kind === 'choose') return ambiguous('export', target, 'export', fullFlags, summary)
  return command(u, 'export', [target.value], fullFlags, summary(target.value))
}

// ---- plug up ---------------------------------------------------------------------

function plugUp(u: Utterance, hostFlag: string | undefined): IntentResult {
  const flags: Flag[] = []
  const notes: string[] = []

  for (const index of u.live('env')) {
    const raw = u.unit(index).raw
    const [key = '', ...rest] = raw.split('=')
    const value = rest.join('=')
    validated(() => checkEnvKey(key))
    if (!/^[A-Za-z0-9_@%+=:,./~-]*$/.test(value))
      throw new Refusal(
        `the value of ${key} holds characters I do not pass on from chat; put it in a file and use --env-file`,
      )
    u.consume(index)
    flags.push(['--env', `${key}=${value}`])
  }
  const envSet = u.find(
    /\b(?:set|with|and)? ?(?:env(?:ironment)?(?: var(?:iable)?)?|variable|var) (\S+) (?:to|=|as) (\S+)/,
  )
  if (envSet) {
    const keyUnit = u.unit(envSet.groups[1]![0]!)
    const valueUnit = u.unit(envSet.groups[2]![0]!)
    const key = validated(() => checkEnvKey(keyUnit.raw))
    if (!/^[A-Za-z0-9_@%+=:,./~-]*$/.test(valueUnit.raw))
      throw new Refusal(
        `the value of ${key} holds characters I do not pass on from chat; put it in a file and use --env-file`,
      )
    u.consume(...(envSet.groups[0] ?? []))
    flags.push(['--env', `${key}=${valueUnit.raw}`])
  }

  const link = u.find(
    /\b(?:link(?:ed|ing)?|connect(?:ed|ing)?|attach(?:ed|ing)?|wire(?:d)?|hook(?:ed)?(?: up)?|plug(?:ged)? in)(?: it| them| this)?(?: up)? (?:to|with|into|against)? ?(?:the )?(?:(\S+) 's )?(@ref|@inst|@both|@plug)/,
  )
  if (link) {
    const index = link.groups[2]![0]!
    const ownerIndex = link.groups[1]?.[0]
    const owner =
      ownerIndex !== undefined && isNameCandidate(u, ownerIndex)
        ? checkedName('tenant', u.unit(ownerIndex).norm)
        : undefined
    u.consume(...(link.groups[0] ?? []))
    u.release(index)
    const linked = linkTarget(u, index, owner)
    if (linked.kind === 'choose') {
      return {
        kind: 'clarify',
        question: `Which ${linked.what} should it be linked to: ${orList(linked.options)}?`,
        options: linked.options.map((option) => `link it to ${option}`),
      }
    }
    flags.push(['--link', linked.value])
  }

  // "as acme/flows", "called acme/flows": the tenant and the instance name at once.
  let tenant: string | undefined
  const asRef = u.find(/\b(?:as|called|named|name it|call it|name)(?: of)? (@ref)/)
  const asRefIndex = asRef?.groups[1]?.[0]
  if (asRef && asRefIndex !== undefined) {
    const [owner = '', instance = ''] = u.unit(asRefIndex).norm.split('/')
    tenant = checkedName('tenant', owner)
    flags.push(['--name', checkedName('instance', instance)])
    u.consume(...(asRef.groups[0] ?? []))
  }
  const named = asRef
    ? undefined
    : u.find(
        /\b(?:called|named|name it|call it|call this|call the (?:instance|new one|thing)|name|as|with (?:the )?name|instance name)(?: of)? "?(\S+)/,
      )
  const nameIndex = named?.groups[1]?.[0]
  if (
    named &&
    nameIndex !== undefined &&
    (isNameCandidate(u, nameIndex) || ['inst', 'plug', 'both'].includes(u.unit(nameIndex).kind))
  ) {
    const name = checkedName('instance', u.unit(nameIndex).norm)
    u.consume(...(named.groups[0] ?? []))
    flags.push(['--name', name])
  }

  const domainUnit = u.live('domain')[0]
  if (domainUnit !== undefined) {
    const domain = validated(() =>
      checkDomain(
        u
          .unit(domainUnit)
          .norm.replace(/^https?:\/\//, '')
          .replace(/\/$/, ''),
      ),
    )
    u.consume(domainUnit)
    flags.push(['--domain', domain])
    notes.push(`on ${domain}`)
  } else {
    const bad = u.find(/\b(?:domain|subdomain|url|hostname) (?:of |to |at |is |=)?(\S+)/)
    const index = bad?.groups[1]?.[0]
    if (
      index !== undefined &&
      !u.consumed[index] &&
      !(u.unit(index).kind === 'word' && isFunctionWord(u.unit(index).norm))
    )
      throw new Refusal(`"${u.unit(index!).norm.slice(0, 40)}" is not a domain name; give one such as blog.example.com`)
  }

  const replicas = takeReplicas(u, false)
  const cpus = takeCpus(u)
  const memory = takeMemory(u)
  if (replicas !== undefined && replicas !== '1') {
    return unknown(
      `A deploy starts one replica: ask me to deploy it, then to "scale it to ${replicas} replicas" once it runs.`,
    )
  }
  if (cpus) flags.push(['--cpus', cpus])
  if (memory) flags.push(['--memory', memory])
  if (cpus || memory)
    notes.push(
      `with ${[cpus ? `${cpus} CPU${cpus === '1' ? '' : 's'}` : '', memory ? `${memory} memory` : '']
        .filter(Boolean)
        .join(' and ')}`,
    )

  const privately =
    /\b(?:not|don't|do not|never|without) (?:be )?(?:\S+ )?(?:expos\w*|public\w*)|\bprivate(?:ly)?\b|\binternal(?:ly)?(?: only)?\b/
  if (
    !u.test(privately) &&
    u.test(
      /\b(?:expos\w*|public(?:ly)?|to the (?:internet|world|outside)|internet[- ]facing|world[- ]reachable|open to (?:the )?(?:internet|world|public))\b/,
    )
  ) {
    flags.push(['--expose'])
    notes.push('exposed on all interfaces')
  }

  // "deploy acme/n8n": TENANT/PLUG.
  let refPlug: string | undefined
  const ref = u.live('ref')[0]
  if (
    !tenant &&
    ref !== undefined &&
    u.live('plug', 'both', 'inst').every((index) => u.unit(index).mention!.plugs.length === 0)
  ) {
    const [owner = '', name = ''] = u.unit(ref).norm.split('/')
    if (u.context.catalog.some((item) => item.id === name)) {
      tenant = checkedName('tenant', owner)
      refPlug = name
      u.consume(ref)
    }
  }
  tenant ??= takeTenant(u)
  if (tenant) flags.push(['--tenant', tenant])

  const plug = refPlug ? {id: refPlug} : pickPlug(u)
  if ('result' in plug) return plug.result
  // Implied values stay out of the argv: the plug id as the name, the default tenant.
  for (let index = flags.length - 1; index >= 0; index--) {
    const [name, value] = flags[index]!
    if ((name === '--name' && value === plug.id) || (name === '--tenant' && value === u.context.defaultTenant))
      flags.splice(index, 1)
  }

  for (const [name, value] of flags) {
    if (name === '--link') notes.push(`linked to ${value}`)
    if (name === '--name') notes.unshift(`as ${value}`)
  }
  const envKeys = flags.filter(([name]) => name === '--env').map(([, value]) => value!.split('=')[0])
  if (envKeys.length > 0) notes.push(`with env ${envKeys.join(', ')}`)
  const allFlags = withHost(flags, hostFlag)
  const summary = (id: string) =>
    `Deploy ${id} for tenant ` +
    `${tenant ?? u.context.defaultTenant}${notes.length > 0 ? ` ${notes.join(', ')}` : ''}${onHost(hostFlag)}`
  if (plug.choose)
    return choose(
      'plug up',
      `Which plug should I deploy: ${orList(plug.choose)}?`,
      plug.choose,
      [''],
      0,
      allFlags,
      summary('{}'),
    )
  return command(u, 'plug up', [plug.id!], allFlags, summary(plug.id!))
}

function linkTarget(u: Utterance, index: number, owner: string | undefined): Target {
  const unit = u.unit(index)
  if (unit.kind === 'ref') {
    u.consume(index)
    const [tenant = '', name = ''] = unit.norm.split('/')
    checkedName('tenant', tenant)
    checkedName('instance', name)
    return {kind: 'one', value: unit.norm}
  }
  // Others than this one are hidden while resolving, so the link takes its own mention.
  const hidden = u.live('ref', 'inst', 'both', 'plug').filter((other) => other !== index)
  u.consume(...hidden)
  const target = takeInstanceTarget(u, owner, {allowObject: false})
  for (const other of hidden) u.release(other)
  if (!target)
    throw new Refusal('I could not tell which instance to link to; write it as TENANT/INSTANCE, e.g. acme/postgres')
  if (target.kind === 'choose') return target
  // --link always takes TENANT/INSTANCE.
  return {kind: 'one', value: target.value.includes('/') ? target.value : `${u.context.defaultTenant}/${target.value}`}
}

/** The plug to deploy: a mention, TENANT/PLUG, a tag or category word ("a blog"), or the question. */
function pickPlug(u: Utterance): {id?: string; choose?: string[]} | {result: IntentResult} {
  const mentions = u.live('plug', 'both', 'inst').filter((index) => u.unit(index).mention!.plugs.length > 0)
  const distinct = [...new Set(mentions.flatMap((index) => u.unit(index).mention!.plugs))]
  if (
    mentions.length > 1 &&
    distinct.length > 1 &&
    mentions.every((index) => u.unit(index).mention!.plugs.length === 1)
  ) {
    return {
      result: {
        kind: 'clarify',
        question: `I deploy one plug at a time. Which first: ${orList(distinct)}?`,
        options: distinct.map((id) => `deploy ${id}`),
      },
    }
  }
  if (mentions.length > 0) {
    const {plugs, score} = u.unit(mentions[0]!).mention!
    // Part of a name ("graf", "kuma"): a guess, so a deploy of it is asked about first.
    if (score < 0.8) u.penalty += 0.2
    u.consume(mentions[0])
    return plugs.length === 1 ? {id: plugs[0]!} : {choose: plugs}
  }
  const topics = topicPlugs(u)
  if (topics.length === 1) {
    u.penalty += 0.25
    return {id: topics[0]!}
  }
  if (topics.length > 1) return {choose: topics}
  const asked = u.units.findIndex((_, index) => isNameCandidate(u, index))
  if (asked >= 0) {
    const word = u.unit(asked).norm
    const near = closest(
      word,
      u.context.catalog.map((plug) => plug.id),
    )
    return {
      result: unknown(
        `There is no plug called "${word.slice(0, 40)}" in the catalog.` +
          (near.length > 0
            ? ` Did you mean ${orList(near.map((id) => `"${id}"`))}?`
            : ' Ask me to search the catalog (e.g. "find something for monitoring").'),
      ),
    }
  }
  return {choose: u.context.catalog.map((plug) => plug.id)}
}

/** Plugs whose tags or category a word of the request names ("a blog" → ghost). */
function topicPlugs(u: Utterance): string[] {
  const live = u.live('word')
  const singular = (word: string) => word.replace(/(?<=[a-z]{3})s$/, '')
  const tagged = (phrase: string) =>
    u.context.catalog
      .filter((plug) => plug.tags.some((tag) => tag === phrase || singular(tag) === singular(phrase)))
      .map((plug) => plug.id)
  // "password manager" names one tag better than "password" and "manager" do apart.
  const pairs = live
    .slice(1)
    .flatMap((index, position) =>
      index === live[position]! + 1 ? [`${u.unit(live[position]!).norm}-${u.unit(index).norm}`] : [],
    )
  const byPair = [...new Set(pairs.flatMap(tagged))]
  if (byPair.length > 0) return byPair
  const found = new Set<string>()
  for (const index of live) {
    const word = u.unit(index).norm
    if (isKnownWord(word) || word.length < 2) continue
    const category = CATEGORY_SYNONYMS[word] ?? word
    for (const id of tagged(word)) found.add(id)
    for (const plug of u.context.catalog) if (plug.category === category) found.add(plug.id)
  }
  return [...found]
}

// ---- reads -----------------------------------------------------------------------

type ReadRule = (u: Utterance, hostFlag: string | undefined) => IntentResult | undefined

const logs: ReadRule = (u, hostFlag) => {
  if (
    !u.test(
      new RegExp(
        String.raw`\blogs?\b|\blogging\b|\blogged\b|\btail\w*\b|\bstdout\b|\bstderr\b|\boutput\b|\blines\b|\bsaying\b|\bprinting\b|\bplug logs\b`,
      ),
    ) ||
    u.test(/\bevent ?logs?\b|\baudit logs?\b/)
  )
    return undefined
  const flags: Flag[] = []
  const follow =
    /\b(?:follow\w*|stream\w*|live|tail -f|-f|keep (?:watching|following|streaming|tailing)|real ?time|as (?:they|it) (?:come|comes|happen|happens|arrive)|watch\w*)\b/
  const tail = takeTail(u)
  if (u.test(follow) || u.test(/^tail (?!\d)/)) flags.push(['--follow'])
  if (tail) flags.push(['--tail', tail])
  const serviceIndex = [
    ...u.findAll(/\b(?:service|container) (?:called |named )?(\S+)/),
    ...u.findAll(/(?:^|\s)(\S+) (?:service|container)\b/),
  ]
    .map((found) => found.groups[1]?.[0])
    .find(
      (index) =>
        index !== undefined &&
        !u.consumed[index] &&
        (u.unit(index).kind !== 'word' || !isFunctionWord(u.unit(index).norm)),
    )
  let serviceName: string | undefined
  if (serviceIndex !== undefined) {
    const unit = u.unit(serviceIndex)
    const word =
      unit.kind === 'word'
        ? unit.norm
        : ['inst', 'plug', 'both'].includes(unit.kind) && !unit.norm.includes(' ')
          ? unit.norm
          : undefined
    // A service only when something else names the instance ("the db service of acme/n8n").
    const others = u.live('ref', 'inst', 'both', 'plug').filter((index) => index !== serviceIndex)
    if (word && !isFunctionWord(word) && (others.length > 0 || u.context.focus)) {
      serviceName = checkedName('service', word)
      u.consume(serviceIndex)
      flags.push(['--service', serviceName])
    }
  }
  const parts = [
    flags.some(([f]) => f === '--follow') ? 'Follow' : 'Show',
    tail ? `the last ${tail} log lines of` : 'the logs of',
  ]
  const summary = (target: string) =>
    `${parts.join(' ')} ${target}${serviceName ? ` (service ${serviceName})` : ''}${onHost(hostFlag)}`
  const found = instanceOrAsk(u, 'plug logs', 'show the logs of', flags, summary, hostFlag)
  if ('result' in found) return found.result
  return command(u, 'plug logs', [found.target], withHost(flags, hostFlag), summary(found.target))
}

const FOLLOW =
  /\b(?:follow\w*|stream\w*|live|keep (?:watching|following|streaming)|real ?time|as (?:they|it) (?:come|comes|happen|happens)|watch\w*|tail)\b/

const events: ReadRule = (u, hostFlag) => {
  if (
    !u.test(/\bevents?\b|\bwhat (?:has |is )?(?:happen\w*|going on)\b|\bactivity\b|\bwhat is new\b/) ||
    u.live('ref', 'inst', 'both').length > 0
  )
    return undefined
  const follow = u.test(FOLLOW)
  return command(
    u,
    'events',
    [],
    withHost(follow ? [['--follow']] : [], hostFlag),
    `${follow ? 'Follow' : 'Show recent'} engine events${onHost(hostFlag)}`,
  )
}

/** "open the dock", "launch the tui": before the lifecycle verbs, which would read "launch" as a deploy. */
function dockByName(hostFlag: string | undefined): Rule {
  return (u) =>
    u.test(/\b(?:dock|tui|live view|control panel|mission control|cockpit)\b/) ? dock(u, hostFlag) : undefined
}

const dock: ReadRule = (u, hostFlag) => {
  if (
    !u.test(
      /\bdock\b|\btui\b|\blive (?:view|dashboard|board|screen|overview|monitor)\b|\bdashboard\b|\bcontrol (?:panel|center|centre)\b|\bmission control\b|\bcockpit\b/,
    ) ||
    u.live('plug', 'inst', 'both', 'ref').length > 0
  )
    return undefined
  const tenant = takeTenant(u)
  return command(
    u,
    'dock',
    [],
    withHost(tenant ? [['--tenant', tenant]] : [], hostFlag),
    `Open the live dock${tenant ? ` for tenant ${tenant}` : ''}${onHost(hostFlag)}`,
  )
}

/** A plug is named and instances of it run ("how is the ghost doing" when acme/blog is a Ghost). */
function runningPlugMentioned(u: Utterance): boolean {
  return u
    .live('plug')
    .some((index) => u.context.instances.some((instance) => u.unit(index).mention!.plugs.includes(instance.plug)))
}

/** Optional instance for stats and health: only a named one (never a guessed word). */
function optionalInstance(
  u: Utterance,
  path: CommandPath,
  verbPhrase: string,
  hostFlag: string | undefined,
  summary: (target?: string) => string,
): IntentResult {
  const hasTarget =
    u.live('ref', 'inst', 'both', 'plug').length > 0 ||
    (u.context.focus !== undefined && u.test(/\b(?:it|its|this|that)\b/))
  if (!hasTarget) return command(u, path, [], withHost([], hostFlag), summary())
  const tenant = takeTenant(u)
  const target = takeInstanceTarget(u, tenant, {allowObject: false})
  if (!target) return command(u, path, [], withHost([], hostFlag), summary())
  if (target.kind === 'choose') return ambiguous(path, target, verbPhrase, withHost([], hostFlag), (t) => summary(t))
  return command(u, path, [target.value], withHost([], hostFlag), summary(target.value))
}

const stats: ReadRule = (u, hostFlag) => {
  if (
    !u.test(
      /\bstats?\b|\bstatistics\b|\busage\b|\bhow much (?:cpu|memory|ram|resources|disk|power|does)\b|\b(?:cpu|memory|ram|resource|disk) (?:usage|use|consumption|load)\b|\b(?:cpu|memory|ram|mem)\b|\busing\b|\bconsum\w*|\bmetrics\b|\bload\b|\bcosts?\b|\bspend\w*|\bhungry\b|\bresources\b/,
    )
  )
    return undefined
  return optionalInstance(
    u,
    'stats',
    'show stats for',
    hostFlag,
    (target) => `Show resource usage${target ? ` of ${target}` : ' of all instances'}${onHost(hostFlag)}`,
  )
}

const health: ReadRule = (u, hostFlag) => {
  if (
    !u.test(
      /\bhealth\w*|\b(?:anything|everything|something|all|any) (?:\S+ )?(?:down|dead|stopped|crashed)\b|\bunhealthy\b|\bsick\b|\bbroken\b|\bfailing\b|\bproblems?\b|\bissues?\b|\bok\b|\bokay\b|\bfine\b|\balright\b|\bwrong\b|\bcrash\w*/,
    )
  )
    return undefined
  return optionalInstance(
    u,
    'health',
    'check the health of',
    hostFlag,
    (target) => `Check the health of ${target ?? 'all instances'}${onHost(hostFlag)}`,
  )
}

const status: ReadRule = (u, hostFlag) => {
  const instanceNamed = u.live('ref', 'inst', 'both').length > 0 || runningPlugMentioned(u)
  const asked =
    /\bstatus\b|\bstate\b|\bhow (?:is|are)\b|\bdoing\b|\bgoing\b|\b(?:up|running|down|alive|working|online|offline|stopped|started)\b|\bcheck on\b|\bwhat about\b|\bdetails? (?:of|for|on)\b|\bshow\b|\bplug status\b/
  if (!u.test(asked)) return undefined
  // "status", "what's running?": the overview, not one instance.
  if (!instanceNamed && !(u.context.focus && u.test(/\b(?:it|its|this|that)\b/))) return undefined
  const summary = (target: string) => `Show the status of ${target}${onHost(hostFlag)}`
  const found = instanceOrAsk(u, 'plug status', 'show the status of', [], summary, hostFlag)
  if ('result' in found) return found.result
  return command(u, 'plug status', [found.target], withHost([], hostFlag), summary(found.target))
}

const QUERY_FILLER = new Set(
  `a an the some something anything any me us i we you for to that which who can could would will should do does is are
be please plug plugs app apps application applications tool tools software service services thing things stuff option
options solution solutions catalog catalogue in with of on find search look looking browse recommend suggest have has
got there there's need want like good nice best self-hosted selfhosted open source handle handles handling deal manage
my our your offer offers available alternative alternatives help related kind sort type types self hosted around about
let see show what`.split(/\s+/),
)

const catalogSearch: ReadRule = (u) => {
  const trigger = u.find(
    /\b(?:search(?:ing)?|find|look(?:ing)? for|browse for|recommend|suggest|is there (?:a|an|any)(?:thing)?|are there any|do (?:you|we) have (?:a|an|any)(?:thing)?|something (?:for|to|that)|anything (?:for|to|that)|\b(?:any|a|an|some) (?:plugs?|apps?|tools?) (?:for|to|that)|alternatives? to|what (?:can|should|could) (?:i|we) (?:use|deploy|install|run) (?:for|to)|catalog search)\b/,
  )
  if (!trigger) return undefined
  const after = u.units
    .map((unit, index) => ({unit, index}))
    .filter(({index}) => index >= trigger.start && !u.consumed[index])
  const words = after
    .map(({unit}) => (unit.kind === 'word' || unit.mention ? unit.norm : ''))
    .flatMap((text) => text.split(' '))
    .filter((word) => word !== '' && !QUERY_FILLER.has(word) && /^[a-z0-9][a-z0-9+.-]*$/.test(word))
  const query = words.join(' ')
  if (query === '') return command(u, 'catalog ls', [], [], 'List the plugs in the catalog', 0.8)
  return command(u, 'catalog search', [query], [], `Search the catalog for "${query}"`)
}

const catalogShow: ReadRule = (u) => {
  const plugs = u.live('plug', 'both').filter((index) => u.unit(index).mention!.plugs.length > 0)
  const asked =
    /\b(?:tell (?:me|us) (?:more )?about|about|describe|details?|info(?:rmation)?|what (?:is|are|does)|explain|more on|learn|docs|documentation|readme|requirements?|specs?|catalog show|how (?:does|do) \S+ work)\b/
  if (!u.test(asked)) return undefined
  if (plugs.length === 0) {
    if (!u.test(/\b(?:describe|tell (?:me|us) (?:more )?about|catalog show|info(?:rmation)? (?:on|about))\b/))
      return undefined
    const asking = u.units.findIndex((_, index) => isNameCandidate(u, index))
    if (asking < 0) return undefined
    const word = u.unit(asking).norm
    const near = closest(
      word,
      u.context.catalog.map((plug) => plug.id),
    )
    if (near.length > 0)
      return choose(
        'catalog show',
        `There is no plug called "${word.slice(0, 40)}". Did you mean ${orList(near)}?`,
        near,
        [''],
        0,
        [],
        'Show the catalog entry of {}',
      )
    return unknown(
      `There is no plug called "${word.slice(0, 40)}" in the catalog. Ask me to search it (e.g. "find ` +
        `something for monitoring").`,
    )
  }
  // "show n8n" about something that runs is a status question; "what is n8n" asks about the plug.
  const candidates = u.unit(plugs[0]!).mention!.plugs
  u.consume(plugs[0])
  if (candidates.length > 1)
    return choose(
      'catalog show',
      `Which plug do you mean: ${orList(candidates)}?`,
      candidates,
      [''],
      0,
      [],
      'Show the catalog entry of {}',
    )
  return command(u, 'catalog show', [candidates[0]!], [], `Show the catalog entry of ${candidates[0]}`)
}

/** Category a request names, when the catalog has it. */
function takeCategory(u: Utterance): string | undefined {
  const categories = new Set(u.context.catalog.map((plug) => plug.category))
  const phrases = Object.keys(CATEGORY_SYNONYMS).sort((a, b) => b.length - a.length)
  for (const phrase of phrases) {
    const found = u.find(new RegExp(String.raw`(?:^|\s)(${phrase})(?=\s|$)`))
    const category = CATEGORY_SYNONYMS[phrase]!
    if (found && categories.has(category)) {
      u.consume(...(found.groups[1] ?? []))
      return category
    }
  }
  for (const category of categories) {
    const found = u.find(new RegExp(String.raw`(?:^|\s)(${category}s?)(?=\s|$)`))
    if (found) {
      u.consume(...(found.groups[1] ?? []))
      return category
    }
  }
  return undefined
}

const catalogList: ReadRule = (u) => {
  const listing =
    /\bcatalog(?:ue)?\b|\b(?:what|which) (?:\S+ ){0,3}(?:plugs?|apps?|applications|tools|software|options) (?:\S+ ){0,4}(?:available|offer|there|have|exist|can|could|do|support)\b|\bavailable\b|\bwhat (?:can|could) (?:i|we|you) (?:deploy|install|run|add|offer|set up)\b|\bwhat do you (?:have|offer|support)\b|\bcatalog ls\b/
  const categorised = /\b(?:list|show|which|what|any|all|browse|see|display)\b/
  const before = u.masked
  const category = takeCategory(u)
  const listed =
    listing.test(before) ||
    (category !== undefined && categorised.test(before) && u.live('inst', 'both', 'ref', 'plug').length === 0)
  if (!listed) return undefined
  if (category)
    return command(u, 'catalog ls', [], [['--category', category]], `List the ${category} plugs in the catalog`)
  return command(u, 'catalog ls', [], [], 'List the plugs in the catalog')
}

const plugList: ReadRule = (u, hostFlag) => {
  const asked =
    /\b(?:running|deployed|installed|live|up|active|online)\b|\b(?:list|show|see|display|view|get|give)\b (?:\S+ ){0,4}(?:instances|plugs|apps|applications|services|containers|deployments|everything|stuff|all)\b|\bps\b|\bls\b|\binstances\b|\bdeployments\b|\bwhat (?:do|does) (?:\S+ ){0,2}(?:have|run)\b|\bwhat (?:runs|is up)\b|\bwhat (?:\S+ ){0,2}(?:has|have)$|\bstatus\b|\boverview\b|\beverything\b|\bwhat is there\b|\bplug (?:ls|list)\b/
  if (!u.test(asked)) return undefined
  const tenant = takeTenant(u)
  return command(
    u,
    'plug ls',
    [],
    withHost(tenant ? [['--tenant', tenant]] : [], hostFlag),
    `List running instances${tenant ? ` of tenant ${tenant}` : ''}${onHost(hostFlag)}`,
  )
}

/** No verb: a bare name. An instance → its status; a plug → its catalog entry (or a deploy, with a tenant). */
function fallback(u: Utterance, hostFlag: string | undefined): IntentResult {
  const meaningful = u.units.filter(
    (unit, index) => !u.consumed[index] && (unit.kind !== 'word' || !isKnownWord(unit.norm)),
  )
  const entities = u.live('ref', 'inst', 'both', 'plug')
  if (entities.length === 1 && meaningful.length <= 2) {
    const unit = u.unit(entities[0]!)
    u.penalty += 0.4
    if (unit.kind === 'plug' && meaningful.length === 2) return plugUp(u, hostFlag)
    if (unit.kind === 'plug')
      return (
        catalogShow(u, hostFlag) ??
        command(u, 'catalog show', [unit.mention!.plugs[0]!], [], `Show the catalog entry of ${unit.mention!.plugs[0]}`)
      )
    const summary = (target: string) => `Show the status of ${target}`
    const found = instanceOrAsk(u, 'plug status', 'show the status of', [], summary, hostFlag)
    if ('result' in found) return found.result
    return command(u, 'plug status', [found.target], withHost([], hostFlag), summary(found.target))
  }
  return unknown(capabilitiesMessage('I did not understand that.'))
}
