/**
 * Reads catalog directories: the built-in plugs-catalog/, then extra
 * directories from config (catalog.paths) and AIMS_CATALOG_PATH
 * (colon-separated). A plug in a later directory overrides one of the same id.
 */
import {readdir, readFile} from 'node:fs/promises'
import {basename, join} from 'node:path'
import {CatalogValidationError, parsePlug, type CatalogIssue} from '../core/catalog/validate.js'
import type {CatalogEntry, CatalogSource} from '../services/catalog-port.js'

export async function readCatalogDir(dir: string, source: CatalogEntry['source']): Promise<{entries: CatalogEntry[]; issues: CatalogIssue[]}> {
  let names: string[]
  try {
    names = (await readdir(dir)).filter((name) => /\.ya?ml$/.test(name)).sort()
  } catch (error) {
    return {entries: [], issues: [{file: dir, path: '', message: `cannot read the catalog directory (${(error as NodeJS.ErrnoException).code ?? 'error'}): fix the path in AIMS_CATALOG_PATH or catalog.paths`}]}
  }
  const entries: CatalogEntry[] = []
  const issues: CatalogIssue[] = []
  await Promise.all(
    names.map(async (name) => {
      const file = join(dir, name)
      try {
        const plug = parsePlug(await readFile(file, 'utf8'), file, basename(name).replace(/\.ya?ml$/, ''))
        entries.push({plug, file, source})
      } catch (error) {
        if (error instanceof CatalogValidationError) issues.push(...error.issues)
        else issues.push({file, path: '', message: (error as Error).message})
      }
    }),
  )
  entries.sort((a, b) => a.plug.id.localeCompare(b.plug.id))
  return {entries, issues}
}

export class FileCatalog implements CatalogSource {
  private loaded?: Promise<{entries: Map<string, CatalogEntry>; issues: CatalogIssue[]}>

  constructor(private readonly dirs: Array<{dir: string; source: CatalogEntry['source']}>) {}

  private load() {
    this.loaded ??= (async () => {
      const results = await Promise.all(this.dirs.map(({dir, source}) => readCatalogDir(dir, source)))
      const entries = new Map<string, CatalogEntry>()
      for (const result of results) for (const entry of result.entries) entries.set(entry.plug.id, entry)
      return {entries, issues: results.flatMap((result) => result.issues)}
    })()
    return this.loaded
  }

  async list(): Promise<CatalogEntry[]> {
    return [...(await this.load()).entries.values()].sort((a, b) => a.plug.id.localeCompare(b.plug.id))
  }

  async find(id: string): Promise<CatalogEntry | undefined> {
    return (await this.load()).entries.get(id)
  }

  async issues(): Promise<CatalogIssue[]> {
    return (await this.load()).issues
  }
}
