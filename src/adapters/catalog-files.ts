/**
 * Reads catalog directories: the built-in plugs-catalog/, then extra
 * directories from config (catalog.paths) and AIMS_CATALOG_PATH
 * (colon-separated). A plug in a later directory overrides one of the same id.
 */
import {createHash} from 'node:crypto'
import {statSync} from 'node:fs'
import {mkdir, readdir, readFile, stat, writeFile} from 'node:fs/promises'
import {basename, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import type {Plug} from '../core/catalog/schema.js'
import type {CatalogIssue} from '../core/catalog/validate.js'
import type {CatalogEntry, CatalogSource} from '../services/catalog-port.js'

// The YAML parser and the zod schema load only when a file must be (re)validated.
const validation = () => import('../core/catalog/validate.js')

/** Changes whenever aims is rebuilt, so cached validations never outlive the schema that made them. */
function schemaStamp(): number {
  try {
    return statSync(fileURLToPath(new URL('../core/catalog/schema.js', import.meta.url))).mtimeMs
  } catch {
    return 0
  }
}

export async function readCatalogDir(
  dir: string,
  source: CatalogEntry['source'],
): Promise<{entries: CatalogEntry[]; issues: CatalogIssue[]}> {
  let names: string[]
  try {
    names = (await readdir(dir)).filter((name) => /\.ya?ml$/.test(name)).sort()
  } catch (error) {
    return {
      entries: [],
      issues: [
        {
          file: dir,
          path: '',
          message:
            `cannot read the catalog directory (${(error as NodeJS.ErrnoException).code ?? 'error'}): fix the ` +
            `path in AIMS_CATALOG_PATH or catalog.paths`,
        },
      ],
    }
  }
  const entries: CatalogEntry[] = []
  const issues: CatalogIssue[] = []
  const {CatalogValidationError, parsePlug} = await validation()
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

interface CachedPlug {
  file: string
  mtimeMs: number
  size: number
  stamp: number
  plug: Plug
}

export class FileCatalog implements CatalogSource {
  private loaded?: Promise<{entries: Map<string, CatalogEntry>; issues: CatalogIssue[]}>

  /** cacheDir: where validated plugs are kept (by path, mtime and size) so lookups skip YAML and schema work. */
  constructor(
    private readonly dirs: Array<{dir: string; source: CatalogEntry['source']}>,
    private readonly cacheDir?: string,
  ) {}

  private async parseCached(file: string, id: string): Promise<Plug | undefined> {
    const info = await stat(file)
    const stamp = schemaStamp()
    const cacheFile = this.cacheDir
      ? join(this.cacheDir, `${createHash('sha1').update(file).digest('hex')}.json`)
      : undefined
    if (cacheFile) {
      try {
        const cached = JSON.parse(await readFile(cacheFile, 'utf8')) as CachedPlug
        if (
          cached.file === file &&
          cached.mtimeMs === info.mtimeMs &&
          cached.size === info.size &&
          cached.stamp === stamp
        )
          return cached.plug
      } catch {
        // no cache entry yet
      }
    }
    const {parsePlug} = await validation()
    let plug: Plug
    try {
      plug = parsePlug(await readFile(file, 'utf8'), file, id)
    } catch {
      return undefined
    }
    if (cacheFile) {
      const entry: CachedPlug = {file, mtimeMs: info.mtimeMs, size: info.size, stamp, plug}
      await mkdir(this.cacheDir!, {recursive: true})
        .then(
          () => writeFile(cacheFile, JSON.stringify(entry)),
          () => undefined,
        )
        .catch(() => undefined)
    }
    return plug
  }

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

  /**
   * One plug by id: reads only the files that can hold it (ID.yaml / ID.yml,
   * the last directory wins), not the whole catalog — `plug up` starts faster.
   * An invalid file yields undefined; issues() then explains why.
   */
  async find(id: string): Promise<CatalogEntry | undefined> {
    if (this.loaded || !/^[a-z0-9][a-z0-9-]*$/.test(id)) return (await this.load()).entries.get(id)
    for (const {dir, source} of [...this.dirs].reverse()) {
      for (const extension of ['yaml', 'yml']) {
        const file = join(dir, `${id}.${extension}`)
        try {
          await stat(file)
        } catch {
          continue
        }
        const plug = await this.parseCached(file, id)
        return plug ? {plug, file, source} : undefined
      }
    }
    return undefined
  }

  async issues(): Promise<CatalogIssue[]> {
    return (await this.load()).issues
  }
}
