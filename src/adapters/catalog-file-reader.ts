/** The file system as `catalog validate` sees it. */
import {readdir, readFile, stat} from 'node:fs/promises'
import {join} from 'node:path'
import type {CatalogFileReader} from '../services/catalog.js'

export const localCatalogFiles: CatalogFileReader = {
  async kind(path) {
    try {
      return (await stat(path)).isDirectory() ? 'directory' : 'file'
    } catch {
      return 'missing'
    }
  },
  async catalogFiles(dir) {
    return (await readdir(dir)).filter((name) => /\.ya?ml$/i.test(name)).sort()
  },
  read: (path) => readFile(path, 'utf8'),
  join,
}
