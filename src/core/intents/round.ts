/**
 * Rules for the commands of this round that act on one instance or list
 * something: releases, rollback, upgrade, outdated, backups and backup, the
 * cluster, site and sandbox lists. Each rule runs only when its command is
 * declared (src/core/commands), so the parser never proposes a command line
 * the CLI does not have; a change it yields still passes groundChange (its
 * instance must run). What has no rule here is said, never guessed
 * (NOT_OFFLINE in parse.ts).
 */
import type {Flag} from '../commands/argv.js'
import {isCommandPath, type CommandPath} from '../commands/index.js'
import {NUMBER, numberValue} from './text.js'
import type {IntentResult} from './types.js'
import type {Utterance} from './utterance.js'

export interface RoundHelpers {
  command(u: Utterance, path: CommandPath, positionals: string[], flags: Flag[], summary: string): IntentResult
  /** The instance of the request, or the question that asks for it (the same as plug restart's). */
  instanceOrAsk(
    u: Utterance,
    path: CommandPath,
    verbPhrase: string,
    flags: Flag[],
    summary: (target: string) => string,
  ): {target: string} | {result: IntentResult}
  /** Any instance named at all (for an optional INSTANCE argument). */
  namesInstance(u: Utterance): boolean
}

type RoundRule = (u: Utterance, helpers: RoundHelpers) => IntentResult | undefined

const declared = (path: string): path is CommandPath => isCommandPath(path)

/** A rule for a command on one instance: its flags first, then the instance (or the question). */
function onInstance(
  u: Utterance,
  helpers: RoundHelpers,
  path: string,
  verbPhrase: string,
  flags: Flag[],
  summary: (target: string) => string,
): IntentResult | undefined {
  if (!declared(path)) return undefined
  const found = helpers.instanceOrAsk(u, path, verbPhrase, flags, summary)
  if ('result' in found) return found.result
  return helpers.command(u, path, [found.target], flags, summary(found.target))
}

const READ_VERB = /\b(?:list|show|see|display|view|which|what|any|are there|do (?:i|we) have)\b/

const releases: RoundRule = (u, helpers) => {
  if (!u.test(/\breleases\b|\brelease history\b|\bversion history\b|\bdeployed versions\b/)) return undefined
  return onInstance(u, helpers, 'plug releases', 'list the releases of', [], (t) => `List the releases of ${t}`)
}

const rollback: RoundRule = (u, helpers) => {
  if (
    !u.test(
      /\brolls? (?:\S+ ){0,3}back\b|\brollback\b|\brevert\w*|\bdowngrad\w*|\bgo back to (?:the )?(?:previous|last|release)\b/,
    )
  )
    return undefined
  const to = u.find(new RegExp(String.raw`\b(?:release|version|to) (?:number )?(${NUMBER})\b`))
  const value = to ? numberValue(to.match[1]!) : undefined
  const flags: Flag[] = []
  if (value !== undefined && Number.isInteger(value) && value >= 1) {
    u.consume(...(to!.groups[0] ?? []))
    flags.push(['--to', String(value)])
  }
  const which = flags.length > 0 ? `release ${flags[0]![1]}` : 'its previous release'
  // The parser does not see an instance's releases, so the release is never grounded: asked first.
  u.penalty += 0.4
  return onInstance(u, helpers, 'plug rollback', 'roll back', flags, (t) => `Roll ${t} back to ${which}`)
}

const outdated: RoundRule = (u, helpers) => {
  if (
    !u.test(
      /\boutdated\b|\bout of date\b|\b(?:any|are there|is there an?) (?:\S+ ){0,2}(?:updates?|upgrades?|newer versions?)\b|\bupdates? available\b|\bnewer (?:versions?|images?|tags?)\b/,
    )
  )
    return undefined
  if (helpers.namesInstance(u) && declared('plug outdated'))
    return onInstance(u, helpers, 'plug outdated', 'check for updates of', [], (t) => `Check ${t} for newer images`)
  if (u.test(/\b(?:catalog|plugs?)\b/) && declared('catalog outdated'))
    return helpers.command(u, 'catalog outdated', [], [], 'List the catalog images with newer tags')
  if (declared('plug outdated'))
    return helpers.command(u, 'plug outdated', [], [], 'Check every instance for newer images')
  return undefined
}

const upgrade: RoundRule = (u, helpers) => {
  if (
    !u.test(
      /\bupgrad\w*|\bupdate (?:\S+ ){0,3}to (?:the )?(?:latest|newest|version|v?\d)|\bto the (?:latest|newest) version\b/,
    )
  )
    return undefined
  const to = u.find(/\bto (?:version |tag )?(v?\d+(?:\.\d+)*(?:-[a-z0-9.]+)?)(?:\s|$)/)
  const flags: Flag[] = []
  if (to) {
    u.consume(...(to.groups[0] ?? []))
    flags.push(['--to', to.match[1]!])
    // A tag the parser cannot check against the registry: asked first.
    u.penalty += 0.4
  }
  const where = flags.length > 0 ? ` to ${flags[0]![1]}` : ''
  return onInstance(u, helpers, 'plug upgrade', 'upgrade', flags, (t) => `Upgrade ${t}${where}`)
}

const DURATIONS: Array<[RegExp, string]> = [
  [/\b(?:every ?day|daily|nightly|every night|once a day)\b/, '1d'],
  [/\b(?:every hour|hourly|once an hour)\b/, '1h'],
  [/\b(?:every week|weekly|once a week)\b/, '7d'],
]

const backups: RoundRule = (u, helpers) => {
  if (!u.test(/\bbackups\b/) || (!READ_VERB.test(u.masked) && u.test(/\bkeep\b/))) return undefined
  return onInstance(u, helpers, 'plug backups', 'list the backups of', [], (t) => `List the backups of ${t}`)
}

const backup: RoundRule = (u, helpers) => {
  if (!u.test(/(?:^|\s)back (?:\S+ ){0,3}up\b|\bbackup\b|\bsnapshot\b|\bbackups\b/)) return undefined
  const flags: Flag[] = []
  const numbered = u.find(/\bevery (\d+) ?(m|min|minutes?|h|hours?|d|days?)\b/)
  const every = numbered
    ? `${numbered.match[1]}${numbered.match[2]![0]}`
    : DURATIONS.find(([pattern]) => u.test(pattern))?.[1]
  if (numbered) u.consume(...(numbered.groups[0] ?? []))
  if (every) flags.push(['--every', every])
  const keep = u.find(new RegExp(String.raw`\bkeep(?:ing)? (?:the )?(?:last )?(${NUMBER})\b`))
  const kept = keep ? numberValue(keep.match[1]!) : undefined
  if (every && kept !== undefined && Number.isInteger(kept) && kept >= 1) {
    u.consume(...(keep!.groups[0] ?? []))
    flags.push(['--keep', String(kept)])
  }
  const how = every ? ` every ${every}${flags.length > 1 ? `, keeping ${flags[1]![1]}` : ''}` : ''
  return onInstance(u, helpers, 'plug backup', 'back up', flags, (t) => `Back up ${t}${how}`)
}

const lists: RoundRule = (u, helpers) => {
  if (!READ_VERB.test(u.masked) && !/^(?:the )?(?:clusters?|sites|sandboxes)$/.test(u.masked)) return undefined
  if (u.test(/\bclusters?\b|\bswarm\b|\bnodes\b/) && declared('cluster ls'))
    return helpers.command(u, 'cluster ls', [], [], 'List the clusters and their nodes')
  if (u.test(/\b(?:static )?sites\b/) && declared('site ls'))
    return helpers.command(u, 'site ls', [], [], 'List the sites')
  if (u.test(/\bsandboxes\b/) && declared('sandbox ls'))
    return helpers.command(u, 'sandbox ls', [], [], 'List the sandboxes')
  return undefined
}

/** The first rule of this round's commands that recognises the request. */
export function roundCommand(u: Utterance, helpers: RoundHelpers): IntentResult | undefined {
  for (const rule of [lists, releases, rollback, outdated, upgrade, backups, backup]) {
    const result = rule(u, helpers)
    if (result) return result
  }
  return undefined
}
