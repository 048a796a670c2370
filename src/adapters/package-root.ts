/** The installed package's root (where package.json, plugs-catalog/ and templates/ live). */
import {existsSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

let cached: string | undefined

export function packageRoot(): string {
  if (cached) return cached
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'plugs-catalog'))) {
    const parent = dirname(dir)
    if (parent === dir) throw new Error('cannot find the aims package root')
    dir = parent
  }
  cached = dir
  return dir
}

/** The installed aims version (package.json), for bundle headers and the like. */
export async function packageVersion(): Promise<string> {
  const {readFile} = await import('node:fs/promises')
  return (JSON.parse(await readFile(join(packageRoot(), 'package.json'), 'utf8')) as {version: string}).version
}
