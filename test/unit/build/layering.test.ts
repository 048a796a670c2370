/**
 * The layering the code follows (docs/ARCHITECTURE.md), checked on the
 * sources: core imports only core; services import core and services, never
 * ui, adapters, cli or the composition roots; text cleaning lives in one
 * module. Static and lazy (`import('…')`) imports both count; type-only
 * imports of a lower layer's types do too, except where listed.
 */
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {dirname, join, normalize, relative} from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'

const ROOT = fileURLToPath(new URL('../../..', import.meta.url))

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name)
    return statSync(join(ROOT, path)).isDirectory() ? sources(path) : /\.tsx?$/.test(name) ? [path] : []
  })
}

/** Every relative module a file imports, as a path from the repository root. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8')
  const specifiers = [...text.matchAll(/(?:from\s+|import\s*\(\s*)'(\.{1,2}\/[^']+)'/g)].map((match) => match[1]!)
  return specifiers.map((specifier) => normalize(join(dirname(file), specifier)).replace(/\.js$/, ''))
}

const layer = (path: string) =>
  path.startsWith('src/core/')
    ? 'core'
    : path.startsWith('src/services/')
      ? 'services'
      : path.startsWith('src/adapters/')
        ? 'adapters'
        : path.startsWith('src/ui/')
          ? 'ui'
          : path.startsWith('src/cli/')
            ? 'cli'
            : path.startsWith('src/')
              ? 'root'
              : 'other'

const ALLOWED: Record<string, string[]> = {
  core: ['core'],
  services: ['core', 'services'],
}

describe('layering', () => {
  const files = sources('src')
  it.each(['core', 'services'])('%s imports only what it may', (name) => {
    const wrong = files
      .filter((file) => layer(file) === name)
      .flatMap((file) =>
        importsOf(file)
          .filter((target) => !ALLOWED[name]!.includes(layer(target)))
          .map((target) => `${file} imports ${relative(ROOT, join(ROOT, target))}`),
      )
    expect(wrong).toEqual([])
  })

  it('cleans text only in src/core/text/sanitize.ts (no other module strips control characters)', () => {
    const stripping = /\.replace\(\s*\/\[\\u0000-/
    const elsewhere = [...files, ...sources('commands')].filter(
      (file) => file !== 'src/core/text/sanitize.ts' && stripping.test(readFileSync(join(ROOT, file), 'utf8')),
    )
    expect(elsewhere).toEqual([])
  })
})

describe('time', () => {
  it('the dock feed keeps time only with its injected clock (no Date.now, new Date() or timers of its own)', () => {
    const text = readFileSync(join(ROOT, 'src/services/dock-feed.ts'), 'utf8')
    expect(text.match(/Date\.now\(|new Date\(\)|setTimeout\(|setInterval\(/g) ?? []).toEqual([])
  })
})
