/**
 * Rules for the operations commands of this round: the warden, alert channels, the health history,
 * restores, static sites, sandboxes and cluster nodes. Like round.ts, each rule runs only when its
 * command is declared; a change names only what the request wrote (a node, a site, a sandbox id, an
 * alert channel) and, when the live context lists those, one that exists; otherwise it asks. Every
 * change still passes groundChange.
 */
import type {Flag} from '../commands/argv.js'
import {isCommandPath, type CommandPath} from '../commands/index.js'
import {takeCpus, takeMemory, takeTail, takeTenant} from './slots.js'
import {NUMBER, numberValue} from './text.js'
import type {IntentResult} from './types.js'
import type {Utterance} from './utterance.js'
import type {RoundHelpers} from './round.js'

type OpsRule = (u: Utterance, helpers: RoundHelpers, host: string | undefined) => IntentResult | undefined

const declared = (path: string): path is CommandPath => isCommandPath(path)
const withHost = (flags: Flag[], host: string | undefined): Flag[] => (host ? [...flags, ['--host', host]] : flags)
const onHost = (host: string | undefined) => (host ? ` on host ${host}` : '')

const READ = /\b(?:list|show|see|display|view|which|what|any|are there|do (?:i|we) have|ls|get|give me)\b/
const REMOVE =
  /\b(?:remove|delete|drop|destroy|rm|get rid of|kill|nuke|tear (?:\S+ ){0,3}down|take (?:\S+ ){0,3}down|throw (?:\S+ ){0,3}away|trash)\b/

/**
 * The request's words as said, for the verbs and nouns of these rules: a word a typo fix changed reads as
 * written ("restore" is not "restart"), a loose name match as its word ("post" is not postgres, "warden" not
 * vaultwarden); exact names read "@", consumed words "§".
 */
function plainOf(u: Utterance): string {
  return u.units
    .map((unit, index) =>
      u.consumed[index]
        ? '§'
        : unit.kind === 'word'
          ? unit.corrected
            ? unit.raw.toLowerCase()
            : unit.norm
          : unit.mention && unit.mention.score < 1
            ? unit.norm
            : unit.kind === 'url' || unit.kind === 'env' || unit.kind === 'path'
              ? unit.norm
              : '@',
    )
    .join(' ')
}

const says = (u: Utterance, pattern: RegExp) => pattern.test(plainOf(u))

/** A loose name match that is one of these rules' own words ("warden", "post"): not a guess, no penalty. */
function ownWords(u: Utterance, pattern: RegExp) {
  for (const [index, unit] of u.units.entries()) {
    if (u.consumed[index] || !unit.mention || unit.mention.score >= 1 || !pattern.test(unit.norm)) continue
    u.penalty = Math.max(0, u.penalty - (1 - unit.mention.score) / 2)
    u.consume(index)
  }
}

const ask = (question: string, options: string[] = []): IntentResult => ({kind: 'clarify', question, options})

/** A plain word of the request (not a name of a plug or instance) that is in `known`, consumed. */
function takeKnown(u: Utterance, known: readonly string[] | undefined, shape?: RegExp): string | undefined {
  for (const [index, unit] of u.units.entries()) {
    if (u.consumed[index]) continue
    const word = unit.norm
    if ((known?.includes(word) ?? false) || (shape !== undefined && shape.test(word))) {
      u.consume(index)
      return word
    }
  }
  return undefined
}

// ---- the warden -------------------------------------------------------------------

/** Words an install or uninstall of the warden is said with; any other word makes it a question first. */
const WARDEN_WORDS = new Set(
  `please the a an on host server now me us can could you would will go ahead and i we want to need uh um just our my
this it its again new latest version warden watchdog install installing reinstall set up setup deploy put enable launch
uninstall remove delete get rid of take down tear rm purge history data everything let's lets ok okay so there too all
completely entirely wipe clean files alert channels for only checking check with but keep keeping § @ 's`.split(/\s+/),
)

function unexplained(u: Utterance): boolean {
  return plainOf(u)
    .split(' ')
    .some((word) => word !== '' && !WARDEN_WORDS.has(word) && !/^[.,!?]+$/.test(word))
}

const warden: OpsRule = (u, helpers, host) => {
  if (!says(u, /\bwarden'?s?\b|\bwatchdog\b/)) return undefined
  ownWords(u, /^(?:warden|watchdog)$/)
  // "don't let the warden restart things", "the warden should ask before a rollback": a policy, never an install.
  const action = /\b(restart|recreate|rollback|stop)s?\b|\broll(?:s|ing)? (?:\S+ ){0,2}back\b/.exec(plainOf(u))
  if (action && declared('warden policy')) {
    const key = action[1] ?? 'rollback'
    const plain = plainOf(u)
    const value = /\bask\w*|\bconfirm\w*|\bcheck with (?:me|us)\b|\bpermission\b/.test(plain)
      ? 'ask'
      : /\b(?:not|never|no longer|without|forbid\w*|disallow\w*|prevent\w*|stop (?:it|the warden) from|no)\b/.test(
            plain,
          )
        ? 'no'
        : /\b(?:let|allow\w*|may|can|should|enable|automatically|on its own|by itself)\b/.test(plain)
          ? 'yes'
          : undefined
    if (!value) return ask(`Should the warden ${key} on its own: yes, ask or no?`, ['yes', 'ask', 'no'])
    return helpers.command(u, 'warden policy', [key, value], withHost([], host), `Set warden policy ${key} to ${value}`)
  }
  if (says(u, /\bpolic(?:y|ies)\b|\brules\b/) && declared('warden policy')) {
    const set = u.find(/\bset (?:the )?(?:warden'?s? )?(?:policy )?(\S+) (?:to |= )?(\S+)/)
    if (set && /^[a-z][a-z-]*$/.test(set.match[1]!) && /^[a-z0-9][a-z0-9.:/-]*$/.test(set.match[2]!)) {
      const [key, value] = [set.match[1]!, set.match[2]!]
      if (!['policy', 'warden', 'the'].includes(key))
        return helpers.command(
          u,
          'warden policy',
          [key, value],
          withHost([], host),
          `Set warden policy ${key} to ${value}`,
        )
    }
    return helpers.command(u, 'warden policy', [], withHost([], host), `Show the warden policy${onHost(host)}`)
  }
  if (says(u, /\blogs?\b|\blog lines\b|\boutput\b/) && declared('warden logs')) {
    const tail = takeTail(u)
    const flags: Flag[] = tail ? [['--tail', tail]] : []
    return helpers.command(
      u,
      'warden logs',
      [],
      withHost(flags, host),
      `Show the warden's ${tail ? `last ${tail} ` : ''}log lines${onHost(host)}`,
    )
  }
  if (says(u, /\b(?:uninstall|remove|delete|get rid of|take (?:\S+ ){0,3}down|tear (?:\S+ ){0,3}down|rm)\b/)) {
    if (!declared('warden uninstall')) return undefined
    if (unexplained(u)) u.penalty += 0.4
    const purge =
      says(
        u,
        /\bpurg\w*|\bwip\w*|\bclean\w*|\bcompletely\b|\bentirely\b|\beverything\b|\btraces?\b|\b(?:history|data|files|alert channels)\b/,
      ) && !says(u, /\bkeep\w*|\bleave (?:\S+ ){0,3}(?:history|data|files)\b|\bbut not\b/)
    return helpers.command(
      u,
      'warden uninstall',
      [],
      withHost(purge ? [['--purge']] : [], host),
      `Remove the warden${purge ? ', its history and alert channels' : ''}${onHost(host)}`,
    )
  }
  if (
    says(u, /\b(?:install\w*|reinstall|set (?:\S+ ){0,3}up|setup|deploy|put (?:\S+ ){0,3}on|enable|launch)\b/) &&
    !says(u, /\b(?:is|are|does|did|has|was|whether|if)\b (?:\S+ ){0,3}(?:running|installed|up|started|there)\b/) &&
    !says(u, /\b(?:not|never|don't|do not|no)\b/)
  ) {
    if (!declared('warden install')) return undefined
    // Policy said with the install: "only for acme" (tenants), "checking every 15 seconds" (interval).
    const policy: Flag[] = []
    const every = u.find(new RegExp(String.raw`\bevery (${NUMBER}) ?(?:s|secs?|seconds?)\b`))
    const seconds = every ? numberValue(every.match[1]!) : undefined
    if (every && seconds !== undefined && Number.isInteger(seconds) && seconds >= 1) {
      u.consume(...(every.groups[0] ?? []))
      policy.push(['--policy', `interval=${seconds}`])
    }
    const tenant = takeTenant(u)
    if (tenant) policy.push(['--policy', `tenants=${tenant}`])
    if (unexplained(u)) u.penalty += 0.4
    if (says(u, /\bevery\b|\bonly\b|\bexcept\b|\bbut\b/) && policy.length === 0)
      return ask('How should the warden be set up? Say its policy too (e.g. "only for acme", "every 15 seconds").')
    return helpers.command(
      u,
      'warden install',
      [],
      withHost(policy, host),
      `Install the warden${policy.length > 0 ? ` (${policy.map(([, v]) => v).join(', ')})` : ''}${onHost(host)}`,
    )
  }
  if (!declared('warden status')) return undefined
  return helpers.command(u, 'warden status', [], withHost([], host), `Show the warden's status${onHost(host)}`)
}

// ---- alerts -----------------------------------------------------------------------

const EMAIL = /^[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}$/

const alerts: OpsRule = (u, helpers, host) => {
  if (!says(u, /\balert\w*|\bnotif\w*|\b(?:ping|page|email|mail|text|tell|warn) (?:me|us)\b/)) return undefined
  const channel = () => {
    const found = u.find(new RegExp(String.raw`\b(?:channel|alert|number|id|#) ?(?:number )?(${NUMBER})\b`))
    const value = found ? numberValue(found.match[1]!) : undefined
    if (found && value !== undefined && Number.isInteger(value) && value >= 1) {
      u.consume(...(found.groups[1] ?? []))
      return String(value)
    }
    return takeKnown(u, u.context.alerts)
  }
  if (says(u, /\btest\w*\b|\btry\b|\bcheck (?:that )?(?:\S+ ){0,2}(?:alerts?|channels?) work\b/)) {
    if (!declared('alerts test')) return undefined
    const id = channel()
    return helpers.command(
      u,
      'alerts test',
      id ? [id] : [],
      withHost([], host),
      `Send a test alert through ${id ? `channel ${id}` : 'every channel'}${onHost(host)}`,
    )
  }
  if (says(u, REMOVE) || says(u, /\bstop (?:sending|alerting|notifying)\b|\bno more alerts\b/)) {
    if (!declared('alerts rm')) return undefined
    const id = channel()
    if (!id)
      return ask(
        'Which alert channel should I remove? (aims alerts ls lists them)',
        (u.context.alerts ?? []).map((known) => `remove alert channel ${known}`),
      )
    if (u.context.alerts && !u.context.alerts.includes(id))
      return ask(
        `There is no alert channel ${id}. Which one should I remove?`,
        u.context.alerts.map((known) => `remove alert channel ${known}`),
      )
    return helpers.command(u, 'alerts rm', [id], withHost([], host), `Remove alert channel ${id}${onHost(host)}`)
  }
  const adding = says(
    u,
    /\b(?:add|send|set up|setup|create|new|route|forward|deliver|post|push|hook|wire|connect|notify|ping|page|email|mail|text|warn|tell|alert (?:me|us))\b/,
  )
  ownWords(u, /^(?:post|send|push|alerts?|ping|page|text|mail|email)$/)
  if (adding && declared('alerts add')) {
    const added = addAlert(u, helpers, host)
    if (added) return added
  }
  if (!declared('alerts ls')) return undefined
  if (adding && !says(u, READ))
    return ask('Where should alerts go? A webhook, ntfy or Slack URL, an n8n instance, or an email address?', [
      'send alerts to https://ntfy.sh/TOPIC',
      'send alerts to acme/n8n',
    ])
  return helpers.command(u, 'alerts ls', [], withHost([], host), `List the alert channels${onHost(host)}`)
}

function addAlert(u: Utterance, helpers: RoundHelpers, host: string | undefined): IntentResult | undefined {
  const url = u.live('url')[0]
  if (url !== undefined) {
    const raw = u.unit(url).raw.replace(/[.,;!?]+$/, '')
    u.consume(url)
    const kind = /^https?:\/\/hooks\.slack\.com\//i.test(raw)
      ? 'slack'
      : /^https?:\/\/(?:[^/]*\.)?ntfy\b/i.test(raw) || says(u, /\bntfy\b/)
        ? 'ntfy'
        : says(u, /\bslack\b/)
          ? 'slack'
          : 'webhook'
    return helpers.command(u, 'alerts add', [kind, raw], withHost([], host), `Send alerts to the ${kind} ${raw}`)
  }
  const email = u.units.findIndex((unit, index) => !u.consumed[index] && EMAIL.test(unit.norm))
  if (email >= 0 || says(u, /\be-?mail\b/)) {
    const address = email >= 0 ? u.unit(email).norm : 'ADDRESS'
    // The SMTP server that sends the mail is not something to guess.
    return ask(
      `Which SMTP server should send the alert mail to ${address}? Give it as ` +
        `smtp://[user:pass@]host[:port]?to=${address}.`,
      [`send alerts by email through smtp://mail.example.com:587?to=${address}`],
    )
  }
  const n8nNamed = u.units.some((unit) => unit.norm === 'n8n') || u.live('inst', 'both', 'ref').length > 0
  if (!n8nNamed) return undefined
  const found = helpers.instanceOrAsk(
    u,
    'alerts add',
    'send alerts to',
    withHost([], host),
    (t) => `Send alerts to ${t}`,
  )
  if ('result' in found) return found.result
  const target = found.target.includes('/') ? found.target : `${u.context.defaultTenant}/${found.target}`
  const runs = u.context.instances.find((instance) => `${instance.tenant}/${instance.instance}` === target)
  if (u.context.instances.length > 0 && runs?.plug !== 'n8n')
    return ask(`${found.target} is not an n8n instance. Which n8n should receive the alerts?`, [
      ...u.context.instances
        .filter((instance) => instance.plug === 'n8n')
        .map((instance) => `send alerts to ${instance.tenant}/${instance.instance}`),
    ])
  return helpers.command(
    u,
    'alerts add',
    ['n8n', target],
    withHost([], host),
    `Send alerts to the n8n instance ${target}${onHost(host)}`,
  )
}

// ---- health history ------------------------------------------------------------------

const healthHistory: OpsRule = (u, helpers, host) => {
  if (
    !says(
      u,
      /\bhealth (?:\S+ ){0,2}(?:history|timeline|log)\b|\bhistory of (?:\S+ ){0,3}health\b|\bwhat (?:did|has) the warden (?:see|seen|do|done|notice\w*)\b|\b(?:past|previous|recent) (?:health|incidents|outages)\b|\bincidents?\b|\boutages?\b/,
    ) ||
    !declared('health')
  )
    return undefined
  const limit = u.find(
    new RegExp(String.raw`\b(?:last|latest|recent) (${NUMBER}) (?:events|entries|changes|incidents)\b`),
  )
  const count = limit ? numberValue(limit.match[1]!) : undefined
  const flags: Flag[] = [['--history']]
  if (count !== undefined && Number.isInteger(count) && count >= 1 && count <= 1000) {
    u.consume(...(limit!.groups[1] ?? []))
    flags.push(['--limit', String(count)])
  }
  if (!helpers.namesInstance(u))
    return helpers.command(
      u,
      'health',
      [],
      withHost(flags, host),
      `Show the health history of every instance${onHost(host)}`,
    )
  const found = helpers.instanceOrAsk(
    u,
    'health',
    'show the health history of',
    flags,
    (t) => `Show the health history of ${t}`,
  )
  if ('result' in found) return found.result
  return helpers.command(
    u,
    'health',
    [found.target],
    withHost(flags, host),
    `Show the health history of ${found.target}${onHost(host)}`,
  )
}

// ---- restore ----------------------------------------------------------------------

const BACKUP_ID = /^\d{8}t\d{6}z(?:-[a-z0-9]+)?$/

const restore: OpsRule = (u, helpers, host) => {
  if (!says(u, /\brestor\w*|\bbring back (?:the )?(?:data|volumes?) (?:from|of)\b/) || !declared('plug restore'))
    return undefined
  const idIndex = u.units.findIndex(
    (unit, index) => !u.consumed[index] && (BACKUP_ID.test(unit.norm) || unit.kind === 'path'),
  )
  const from = idIndex >= 0 ? u.unit(idIndex).raw : undefined
  if (idIndex >= 0) u.consume(idIndex)
  const found = helpers.instanceOrAsk(
    u,
    'plug restore',
    'restore',
    withHost([], host),
    (t) => `Restore ${t} from ${from ?? '{}'}`,
  )
  if ('result' in found) return found.result
  if (!from)
    return ask(
      `Which backup should I restore ${found.target} from? Give its id (aims plug backups ${found.target} ` +
        'lists them) or a file.',
      [`list the backups of ${found.target}`],
    )
  return helpers.command(
    u,
    'plug restore',
    [found.target, from],
    withHost([], host),
    `Restore ${found.target} from ${from} (its volumes are replaced)${onHost(host)}`,
  )
}

// ---- static sites -------------------------------------------------------------------

const site: OpsRule = (u, helpers, host) => {
  const named = (u.context.sites ?? []).some((name) =>
    u.units.some((unit) => unit.kind === 'word' && unit.norm === name),
  )
  if (
    !says(u, /\b(?:static )?sites?\b|\bwebsites?\b/) &&
    !(named && says(u, /\brolls? (?:\S+ ){0,3}back\b|\brollback\b/))
  )
    return undefined
  const rollback = says(u, /\brolls? (?:\S+ ){0,3}back\b|\brollback\b|\brevert\w*|\bprevious (?:release|version)\b/)
  const remove = !rollback && says(u, REMOVE)
  if (!rollback && !remove) {
    if (!declared('site ls') || !(says(u, READ) || /^(?:the |my |our )?(?:static )?sites$/.test(u.masked)))
      return undefined
    const tenant = takeTenant(u)
    return helpers.command(
      u,
      'site ls',
      [],
      withHost(tenant ? [['--tenant', tenant]] : [], host),
      `List the static sites${tenant ? ` of tenant ${tenant}` : ''}${onHost(host)}`,
    )
  }
  const path = rollback ? 'site rollback' : 'site rm'
  if (!declared(path)) return undefined
  // The site: a known site's name, else the word next to "site" ("the docs site", "site docs").
  let name = takeKnown(u, u.context.sites)
  if (!name) {
    const next = u.find(
      /\bsite (?:called |named )?([a-z0-9][a-z0-9-]*)\b|(?:^|\s)(?!the\b|a\b|my\b|our\b|static\b)([a-z0-9][a-z0-9-]*) (?:static )?site\b/,
    )
    const index = next?.groups[1]?.[0] ?? next?.groups[2]?.[0]
    if (index !== undefined && u.unit(index).kind === 'word') {
      name = u.unit(index).norm
      u.consume(index)
    }
  }
  const verb = rollback ? 'roll back' : 'remove'
  if (!name || (u.context.sites && !u.context.sites.includes(name)))
    return ask(
      `${name ? `There is no site "${name}". ` : ''}Which site should I ${verb}?`,
      (u.context.sites ?? []).map((known) => `${verb} the ${known} site`),
    )
  const tenant = takeTenant(u)
  const ref = tenant && tenant !== u.context.defaultTenant ? `${tenant}/${name}` : name
  return helpers.command(
    u,
    path,
    [ref],
    withHost([], host),
    rollback ? `Serve the previous release of the site ${ref}${onHost(host)}` : `Remove the site ${ref}${onHost(host)}`,
  )
}

// ---- sandboxes -------------------------------------------------------------------

const SANDBOX_ID = /^sbx?-[a-z0-9]+$/

const UNIT_WORDS: Array<[RegExp, string]> = [
  [/^(?:s|secs?|seconds?)$/, 's'],
  [/^(?:m|mins?|minutes?)$/, 'm'],
  [/^(?:h|hrs?|hours?)$/, 'h'],
  [/^(?:d|days?)$/, 'd'],
]

/** "for one hour", "for 30 minutes", "for half an hour", "2h", "ttl 2d": the sandbox's TTL (5s..7d). */
function takeTtl(u: Utterance): string | undefined {
  const half = u.find(/\b(?:for )?half an hour\b/)
  if (half) {
    u.consume(...(half.groups[0] ?? []))
    return '30m'
  }
  const spelled = u.find(
    new RegExp(
      String.raw`\b(?:for |ttl |lasting |that lasts |expir\w* in |of )?(${NUMBER}) ?(seconds?|secs?|minutes?|mins?|hours?|hrs?|days?)\b`,
    ),
  )
  if (spelled) {
    const value = numberValue(spelled.match[1]!)
    const unit = UNIT_WORDS.find(([pattern]) => pattern.test(spelled.match[2]!))?.[1]
    if (value !== undefined && Number.isInteger(value) && value >= 1 && unit) {
      u.consume(...(spelled.groups[0] ?? []))
      return `${value}${unit}`
    }
  }
  const short = u.find(/\b(?:for |ttl )?(\d+)(s|m|h|d)\b/)
  if (short) {
    u.consume(...(short.groups[0] ?? []))
    return `${short.match[1]}${short.match[2]}`
  }
  return undefined
}

const TTL_SECONDS: Record<string, number> = {s: 1, m: 60, h: 3600, d: 86_400}

const sandbox: OpsRule = (u, helpers, host) => {
  if (!says(u, /\bsand ?box\w*|\bscratch (?:box|container)\b|\bthrowaway (?:box|container)\b|\bsbx?-[a-z0-9]+\b/))
    return undefined
  const id = () => takeKnown(u, u.context.sandboxes, SANDBOX_ID)
  if (says(u, /\bshell\b|\bterminal\b|\bconsole\b|\bssh\b/) && declared('sandbox shell')) {
    const which = id()
    if (!which)
      return ask('Which sandbox should I open a shell in? (aims sandbox ls lists them)', u.context.sandboxes ?? [])
    return helpers.command(u, 'sandbox shell', [which], withHost([], host), `Open a shell in ${which}${onHost(host)}`)
  }
  if (says(u, REMOVE) || says(u, /\b(?:stop|end|expire|close)\b/)) {
    if (!declared('sandbox rm')) return undefined
    const which = id()
    if (!which || (u.context.sandboxes && !u.context.sandboxes.includes(which)))
      return ask(
        `${which ? `There is no sandbox ${which}. ` : ''}Which sandbox should I remove?`,
        (u.context.sandboxes ?? []).map((known) => `remove sandbox ${known}`),
      )
    return helpers.command(u, 'sandbox rm', [which], withHost([], host), `Remove the sandbox ${which}${onHost(host)}`)
  }
  if (says(u, /\bsandboxes\b/) || (says(u, READ) && !says(u, /\b(?:give me|get me)\b/))) {
    if (!declared('sandbox ls')) return undefined
    const tenant = takeTenant(u)
    return helpers.command(
      u,
      'sandbox ls',
      [],
      withHost(tenant ? [['--tenant', tenant]] : [], host),
      `List the sandboxes${tenant ? ` of tenant ${tenant}` : ''}${onHost(host)}`,
    )
  }
  if (!declared('sandbox')) return undefined
  if (!says(u, /\b(?:start|create|spin|open|launch|new|make|need|want|give|get|fire|boot|set up|provision)\b/))
    return undefined
  const named = id()
  if (named)
    return ask(`What should I do with the sandbox ${named}? I can open a shell in it or remove it.`, [
      `open a shell in ${named}`,
      `remove sandbox ${named}`,
    ])
  const language = /\b(python|node|nodejs|ruby|golang|go|rust|alpine|ubuntu|debian|java|php|perl)\b/.exec(plainOf(u))
  if (language && !u.units.some((unit) => /^[a-z0-9][a-z0-9._/-]*:[a-z0-9._-]+$/.test(unit.norm)))
    return ask(`Which ${language[1]} image should the sandbox run? (e.g. ${language[1]}:latest)`, [
      `start a sandbox with ${language[1]}:latest`,
    ])
  const flags: Flag[] = []
  const image = u.units.findIndex(
    (unit, index) =>
      !u.consumed[index] && unit.kind === 'word' && /^[a-z0-9][a-z0-9._/-]*:[a-z0-9._-]+$/.test(unit.norm),
  )
  if (image >= 0) {
    flags.push(['--image', u.unit(image).norm])
    u.consume(image)
  }
  const ttl = takeTtl(u)
  if (ttl) {
    const seconds = Number(ttl.slice(0, -1)) * TTL_SECONDS[ttl.at(-1)!]!
    if (seconds < 5 || seconds > 7 * 86_400)
      return ask(`A sandbox lives 5 seconds to 7 days; how long should this one live?`)
    flags.push(['--ttl', ttl])
  }
  const cpus = takeCpus(u)
  if (cpus) flags.push(['--cpus', cpus])
  const memory = takeMemory(u)
  if (memory) flags.push(['--memory', memory])
  const tenant = takeTenant(u)
  if (tenant && tenant !== u.context.defaultTenant) flags.push(['--tenant', tenant])
  return helpers.command(
    u,
    'sandbox',
    [],
    withHost(flags, host),
    `Start a sandbox${ttl ? ` for ${ttl}` : ''}${tenant ? ` for tenant ${tenant}` : ''}${onHost(host)}`,
  )
}

// ---- cluster nodes ------------------------------------------------------------------

/** The node a request names: a known node (or host), else, with none known, the word after "node". */
function takeNode(u: Utterance): string | undefined {
  const known = u.context.nodes ?? u.context.hosts
  const found = takeKnown(u, known)
  if (found) return found
  for (const next of [
    ...u.findAll(/\bnode (?:called |named )?([a-z0-9][a-z0-9._-]*)\b/),
    ...u.findAll(/\bdrain (?:the )?([a-z0-9][a-z0-9._-]*)\b/),
  ]) {
    const index = next.groups[1]?.[0]
    if (index === undefined || u.unit(index).kind !== 'word' || ['the', 'a', 'node', 'it'].includes(u.unit(index).norm))
      continue
    u.consume(index)
    return u.unit(index).norm
  }
  return undefined
}

const cluster: OpsRule = (u, helpers, host) => {
  const drain = says(u, /\bdrain\w*|\bundrain\w*|\bun-drain\w*/)
  const label = u.live('env').length > 0 && says(u, /\blabel\w*|\btag\b|\bnode\b/)
  const leave = says(
    u,
    /\b(?:leave|leaves)\b|\b(?:take|remove|kick|drop) (?:\S+ ){0,3}(?:out of|from) (?:the )?(?:cluster|swarm)\b/,
  )
  if (!drain && !label && !leave) return undefined
  const known = u.context.nodes ?? u.context.hosts
  const which = (verb: string) =>
    ask(
      `Which node should I ${verb}?`,
      (u.context.nodes ?? []).map((node) => `${verb} ${node}`),
    )
  if (label && declared('cluster label')) {
    const env = u.live('env')[0]!
    const value = u.unit(env).raw
    u.consume(env)
    const node = takeNode(u)
    if (!node || (known && !known.includes(node))) return which(`label (${value})`)
    return helpers.command(
      u,
      'cluster label',
      [node, value],
      withHost([], host),
      `Label node ${node} ${value}${onHost(host)}`,
    )
  }
  if (!drain && !says(u, /\b(?:leave|leaves)\b/)) {
    // "take staging out of the cluster": for good, or only its tasks? Asked, never guessed (leave destroys).
    const node = takeNode(u)
    return ask(`Should ${node ?? 'the node'} leave the cluster for good, or only be drained (it stays a member)?`, [
      `${node ?? 'NODE'} leaves the cluster`,
      `drain ${node ?? 'NODE'}`,
    ])
  }
  const path = drain ? 'cluster drain' : 'cluster leave'
  if (!declared(path)) return undefined
  const undo =
    drain &&
    says(
      u,
      /\bundrain\w*|\bun-drain\w*|\bundo\w*|\bstop draining\b|\b(?:re-?)?activat\w*|\bactive\b|\bback\b|\bresume\b|\bno longer\b|\bcancel\w*|\bdrained\b/,
    )
  const node = takeNode(u)
  const verb = drain ? (undo ? 'make active again' : 'drain') : 'take out of its cluster'
  if (!node || (known && !known.includes(node)))
    return which(drain ? (undo ? 'undrain' : 'drain') : 'remove from the cluster')
  return helpers.command(
    u,
    path,
    [node],
    withHost(undo ? [['--undo']] : [], host),
    `${verb[0]!.toUpperCase()}${verb.slice(1)} node ${node}${onHost(host)}`.replace(/^Drain node/, 'Drain node'),
  )
}

const clusterList: OpsRule = (u, helpers, host) => {
  if (!declared('cluster ls')) return undefined
  if (
    !says(u, /\b(?:cluster|swarm) (?:status|nodes?|members?|overview)\b|\b(?:nodes|cluster members)\b/) ||
    !(
      says(u, READ) ||
      /^(?:the )?(?:cluster|swarm)? ?(?:status|nodes|members)$/.test(u.masked) ||
      says(u, /\bstatus\b/)
    )
  )
    return undefined
  return helpers.command(u, 'cluster ls', [], withHost([], host), `List the cluster's nodes${onHost(host)}`)
}

/** The first rule of the operations commands that recognises the request. */
export function opsCommand(u: Utterance, helpers: RoundHelpers, host: string | undefined): IntentResult | undefined {
  for (const rule of [healthHistory, alerts, warden, restore, site, sandbox, cluster, clusterList]) {
    const result = rule(u, helpers, host)
    if (result) return result
  }
  return undefined
}
