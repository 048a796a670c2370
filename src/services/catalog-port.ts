/** What services need from the catalog (files, in production; a list, in tests). */
import type {Plug} from '../core/catalog/schema.js'
import type {CatalogIssue} from '../core/catalog/validate.js'

export interface CatalogEntry {
  plug: Plug
  file: string
  /** builtin: plugs-catalog/; extra: a user or test directory. */
  source: 'builtin' | 'extra'
}

export interface CatalogSource {
  list(): Promise<CatalogEntry[]>
  find(id: string): Promise<CatalogEntry | undefined>
  /** Files that failed validation (skipped by list/find). */
  issues(): Promise<CatalogIssue[]>
}
