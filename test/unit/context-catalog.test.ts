// The context's catalog: built-in dir first, then config catalog.paths, then
// AIMS_CATALOG_PATH; later plugs override earlier ones of the same id.
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {AimsContext} from '../../src/context.js'

const root = mkdtempSync(join(tmpdir(), 'cat-context-'))
afterAll(() => rmSync(root, {recursive: true, force: true}))

const plugYaml = (id: string, name: string) => `id: ${id}
name: ${name}
description: A plug for the context catalog test.
category: testing
tags: [test]
homepage: https://example.com
license: MIT
size: xs
services:
  web:
    image: example/web:1.0.0
    entry: {port: 8080}
    health: {type: tcp}
`

/** A home with two plug directories and a config whose preferences may name them. */
function setup(preferences: (dirs: {home: string; fromConfig: string}) => Record<string, unknown>): {
  home: string
  fromConfig: string
  fromEnv: string
} {
  const home = mkdtempSync(join(root, 'home-'))
  const fromConfig = join(home, 'config-plugs')
  const fromEnv = join(home, 'env-plugs')
  mkdirSync(fromConfig)
  mkdirSync(fromEnv)
  writeFileSync(join(fromConfig, 'mine.yaml'), plugYaml('mine', 'Mine from config'))
  writeFileSync(join(fromEnv, 'mine.yaml'), plugYaml('mine', 'Mine from env'))
  writeFileSync(join(fromEnv, 'n8n.yaml'), plugYaml('n8n', 'My own n8n'))
  writeFileSync(
    join(home, 'config.json'),
    JSON.stringify({version: 1, hosts: {}, preferences: preferences({home, fromConfig})}),
  )
  return {home, fromConfig, fromEnv}
}

describe('AimsContext.catalog()', () => {
  it('reads the built-in catalog, then catalog.paths, then AIMS_CATALOG_PATH (later wins)', async () => {
    const {home, fromConfig, fromEnv} = setup(({fromConfig}) => ({'catalog.paths': [fromConfig]}))
    const context = new AimsContext({env: {AIMS_HOME: home, HOME: home, AIMS_CATALOG_PATH: `${fromEnv}:`}})
    const dirs = await context.catalogDirs()
    expect(dirs.map((dir) => dir.source)).toEqual(['builtin', 'extra', 'extra'])
    expect(dirs[0]?.dir).toMatch(/plugs-catalog$/)
    expect(dirs.slice(1).map((dir) => dir.dir)).toEqual([fromConfig, fromEnv])

    const catalog = context.catalog()
    expect(context.catalog()).toBe(catalog)
    expect((await catalog.find('mine'))?.plug.name).toBe('Mine from env')
    const n8n = await catalog.find('n8n')
    expect(n8n?.plug.name).toBe('My own n8n')
    expect(n8n?.source).toBe('extra')
    expect((await catalog.find('ghost'))?.source).toBe('builtin')
    expect(await catalog.issues()).toEqual([])
  })

  it('accepts catalog.paths nested under catalog, and skips a missing directory with an issue', async () => {
    const {home} = setup(({home, fromConfig}) => ({catalog: {paths: [fromConfig, join(home, 'nope')]}}))
    const context = new AimsContext({env: {AIMS_HOME: home, HOME: home}})
    const catalog = context.catalog()
    expect((await catalog.find('mine'))?.plug.name).toBe('Mine from config')
    const issues = await catalog.issues()
    expect(issues).toHaveLength(1)
    expect(issues[0]?.file).toBe(join(home, 'nope'))
  })
})
