/**
 * The catalog use cases behind `aims catalog ls | search | show | validate`.
 * Options in, typed results out; files and config come in through ports.
 */
import {CATEGORIES, type Plug} from '../core/catalog/schema.js'
import {CatalogValidationError, parsePlug, type CatalogIssue} from '../core/catalog/validate.js'
import {
  estimateMonthlyCost,
  resourceTotals,
  type MonthlyCost,
  type Prices,
  type ResourceTotals,
} from '../core/catalog/cost.js'
import {searchPlugs, type MatchKind} from '../core/catalog/search.js'
import {AimsError, shown} from '../core/errors.js'
import {closest} from '../core/suggest.js'
import type {CatalogEntry, CatalogSource} from './catalog-port.js'

export interface CatalogDeps {
  catalog: CatalogSource
  prices: Prices
}

export interface CatalogSummary {
  id: string
  name: string
  description: string
  category: Plug['category']
  tags: string[]
  size: Plug['size']
  tier: Plug['tier']
  source: CatalogEntry['source']
  resources: ResourceTotals
  monthlyCost: MonthlyCost
}

function summarize(entry: CatalogEntry, prices: Prices): CatalogSummary {
  const {plug} = entry
  const resources = resourceTotals(plug)
  return {
    id: plug.id,
    name: plug.name,
    description: plug.description,
    category: plug.category,
    tags: plug.tags,
    size: plug.size,
    tier: plug.tier,
    source: entry.source,
    resources,
    monthlyCost: estimateMonthlyCost(resources, prices),
  }
}

export interface CatalogListResult {
  plugs: CatalogSummary[]
  category?: string
  /** Files skipped because they are invalid (details: aims catalog validate). */
  skipped: number
}

export async function listCatalog(
  deps: CatalogDeps,
  options: {category?: string | undefined} = {},
): Promise<CatalogListResult> {
  const category = options.category?.trim().toLowerCase()
  if (category !== undefined && !(CATEGORIES as readonly string[]).includes(category)) {
    throw new AimsError('usage', `unknown category ${shown(options.category ?? '')}`, {
      hint: `valid categories: ${CATEGORIES.join(', ')}`,
      details: {categories: [...CATEGORIES]},
    })
  }
  const [entries, issues] = await Promise.all([deps.catalog.list(), deps.catalog.issues()])
  const plugs = entries
    .filter((entry) => category === undefined || entry.plug.category === category)
    .map((entry) => summarize(entry, deps.prices))
  return {plugs, ...(category ? {category} : {}), skipped: new Set(issues.map((issue) => issue.file)).size}
}

export interface CatalogSearchResult {
  query: string
  results: Array<CatalogSummary & {score: number; matched: MatchKind}>
}

export async function searchCatalog(deps: CatalogDeps, options: {query: string}): Promise<CatalogSearchResult> {
  const query = options.query.trim()
  if (query === '')
    throw new AimsError('usage', 'the search query is empty', {hint: 'give a word such as "automation" or a plug name'})
  const entries = await deps.catalog.list()
  const hits = searchPlugs(
    entries.map((entry) => ({...entry.plug, entry})),
    query,
  )
  return {
    query,
    results: hits.map((hit) => ({...summarize(hit.plug.entry, deps.prices), score: hit.score, matched: hit.matched})),
  }
}

export interface CatalogShowResult {
  plug: Plug
  source: CatalogEntry['source']
  file: string
  resources: ResourceTotals
  monthlyCost: MonthlyCost
}

export async function showCatalogPlug(deps: CatalogDeps, options: {id: string}): Promise<CatalogShowResult> {
  const id = options.id.trim()
  const entry = await deps.catalog.find(id)
  if (!entry) {
    const known = (await deps.catalog.list()).map((candidate) => candidate.plug.id)
    const suggestions = closest(id.toLowerCase(), known)
    throw new AimsError('not-found', `no plug named ${shown(id)} in the catalog`, {
      hint:
        suggestions.length > 0
          ? `did you mean ${suggestions.map((name) => `"${name}"`).join(' or ')}? (aims catalog search ${shown(id)})`
          : 'list the plugs with aims catalog ls, or search with aims catalog search WORD',
      details: {suggestions},
    })
  }
  const resources = resourceTotals(entry.plug)
  return {
    plug: redactSecretDefaults(entry.plug),
    source: entry.source,
    file: entry.file,
    resources,
    monthlyCost: estimateMonthlyCost(resources, deps.prices),
  }
}

export const REDACTED = '********'

/** A plug as shown to people and --json: the default of a secret is itself a secret. */
export function redactSecretDefaults(plug: Plug): Plug {
  const env = Object.fromEntries(
    Object.entries(plug.env).map(([key, spec]) => [
      key,
      spec.secret && spec.default !== undefined ? {...spec, default: REDACTED} : spec,
    ]),
  )
  return {...plug, env}
}

/** What `validate` needs from the file system. */
export interface CatalogFileReader {
  kind(path: string): Promise<'file' | 'directory' | 'missing'>
  /** Names of the .yaml/.yml files in a directory, sorted. */
  catalogFiles(dir: string): Promise<string[]>
  read(path: string): Promise<string>
  join(dir: string, name: string): string
}

export interface CatalogValidationResult {
  ok: boolean
  /** Number of catalog files checked. */
  files: number
  issues: CatalogIssue[]
}

export async function validateCatalog(
  files: CatalogFileReader,
  options: {paths: string[]},
): Promise<CatalogValidationResult> {
  const issues: CatalogIssue[] = []
  let checked = 0
  const validateFile = async (path: string, name: string) => {
    checked++
    try {
      parsePlug(await files.read(path), path, name.replace(/\.ya?ml$/i, ''))
    } catch (error) {
      if (error instanceof CatalogValidationError) issues.push(...error.issues)
      else
        issues.push({
          file: path,
          path: '',
          message:
            `cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): ` +
            `check its permissions`,
        })
    }
  }
  for (const path of options.paths) {
    const kind = await files.kind(path)
    if (kind === 'missing') {
      issues.push({file: path, path: '', message: 'no such file or directory: check the path'})
    } else if (kind === 'file') {
      if (!/\.ya?ml$/i.test(path))
        issues.push({file: path, path: '', message: 'catalog files are named <id>.yaml: rename the file'})
      else await validateFile(path, path.split(/[\\/]/).pop() ?? path)
    } else {
      const names = await files.catalogFiles(path)
      if (names.length === 0)
        issues.push({file: path, path: '', message: 'holds no .yaml catalog files: check the path'})
      for (const name of names) await validateFile(files.join(path, name), name)
    }
  }
  return {ok: issues.length === 0, files: checked, issues}
}
