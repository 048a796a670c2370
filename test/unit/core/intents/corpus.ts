/**
 * Scoring the parser on a corpus file (test/fixtures/utterances/*.yaml): the
 * file's `live:` host becomes the parser's context (its catalog ids read from
 * the real catalog in plugs-catalog/), each item is parsed, and the outcome is
 * scored by the table of test/fixtures/utterances/README.md: right, miss, or
 * wrong change (a changing command where the item expects another command or
 * a question).
 */
import {readFileSync, readdirSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {parse} from 'yaml'
import {parseUtterance, type IntentContext, type IntentResult} from '../../../../src/core/intents/index.js'

const root = fileURLToPath(new URL('../../../../', import.meta.url))

export interface CorpusItem {
  id: string
  text: string
  via?: 'typed' | 'voice'
  focus?: string
  argv?: string[]
  ask?: true
}

export interface CorpusLive {
  host: string
  hosts: string[]
  default_tenant: string
  tenants: string[]
  catalog: string[]
  instances: Array<{tenant: string; name: string; plug: string}>
  alerts?: Array<{id: string}>
  sites?: string[]
  sandboxes?: string[]
  clusters?: Array<{name: string; nodes: string[]}>
}

export interface CorpusFile {
  live: CorpusLive
  items: CorpusItem[]
}

export function loadCorpus(path: string): CorpusFile {
  const data = parse(readFileSync(root + path, 'utf8')) as {live: CorpusLive; items: Array<CorpusItem & {say?: string}>}
  return {live: data.live, items: data.items.map((item) => ({...item, text: item.text ?? item.say ?? ''}))}
}

/** The real catalog's entries (plugs-catalog/*.yaml), as the agent gives them to the parser. */
function realCatalog(): IntentContext['catalog'] {
  const dir = `${root}plugs-catalog/`
  return readdirSync(dir)
    .filter((file) => file.endsWith('.yaml'))
    .map((file) => {
      const plug = parse(readFileSync(dir + file, 'utf8')) as {
        id: string
        name: string
        tags?: string[]
        category: string
        description?: string
      }
      return {
        id: plug.id,
        name: plug.name,
        tags: plug.tags ?? [],
        category: plug.category,
        ...(plug.description ? {description: plug.description} : {}),
      }
    })
}

export function contextOf(live: CorpusLive, focus?: string): IntentContext {
  const ids = new Set(live.catalog)
  return {
    catalog: realCatalog().filter((plug) => ids.has(plug.id)),
    instances: live.instances.map((item) => ({tenant: item.tenant, instance: item.name, plug: item.plug})),
    defaultTenant: live.default_tenant,
    ...(focus ? {focus} : {}),
    hosts: live.hosts,
    host: live.host,
    ...(live.clusters ? {nodes: live.clusters.flatMap((cluster) => cluster.nodes)} : {}),
    ...(live.sites ? {sites: live.sites} : {}),
    ...(live.sandboxes ? {sandboxes: live.sandboxes} : {}),
    ...(live.alerts ? {alerts: live.alerts.map((alert) => alert.id)} : {}),
  }
}

export type Verdict = 'right' | 'miss' | 'wrong-change'

export function verdict(item: CorpusItem, result: IntentResult): Verdict {
  if (result.kind !== 'command') return item.ask ? 'right' : 'miss'
  if (item.argv && JSON.stringify(result.argv) === JSON.stringify(item.argv)) return 'right'
  return result.mutates ? 'wrong-change' : 'miss'
}

export interface Score {
  total: number
  right: number
  wrongChanges: number
  byVia: Record<string, {total: number; right: number}>
  verdicts: Array<{item: CorpusItem; verdict: Verdict; result: IntentResult}>
}

export function scoreCorpus(file: CorpusFile): Score {
  const score: Score = {total: 0, right: 0, wrongChanges: 0, byVia: {}, verdicts: []}
  for (const item of file.items) {
    const result = parseUtterance(item.text, contextOf(file.live, item.focus))
    const outcome = verdict(item, result)
    score.total++
    if (outcome === 'right') score.right++
    if (outcome === 'wrong-change') score.wrongChanges++
    const via = (score.byVia[item.via ?? 'typed'] ??= {total: 0, right: 0})
    via.total++
    if (outcome === 'right') via.right++
    score.verdicts.push({item, verdict: outcome, result})
  }
  return score
}

export const percentOf = (right: number, total: number) => `${((100 * right) / Math.max(1, total)).toFixed(1)} %`
