/**
 * Catalog `pattern`s run in bounded time (issue 10, item 10): a pattern that
 * backtracks exponentially (^(a+)+$ against 38 a's and a "!") answers at once
 * under RE2, and `aims catalog validate` refuses what RE2 cannot run in linear
 * time (backreferences, lookaround), saying why.
 */
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {aims, tempHome} from '../support/aims.js'

const dir = mkdtempSync(join(tmpdir(), 'aims-patterns-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

const plug = (id: string, pattern: string) => `id: ${id}
name: Pattern ${id}
description: A plug whose NAME variable has a pattern, for aims' own tests.
category: testing
tags: [fixture, test]
homepage: https://example.com/aims-fixture
license: MIT
tier: free
size: xs
services:
  web:
    image: aims-fixture/web:1
    entry: {port: 8080, protocol: http}
    env:
      NAME: \${NAME}
    health: {type: http, path: /health}
    resources: {cpus: 0.25, memory: 64m}
env:
  NAME:
    description: a name
    pattern: '${pattern}'
    default: aaa
`

describe('catalog patterns', () => {
  it('a value against ^(a+)+$ is refused at once (exit 2), not after minutes at full CPU', async () => {
    const catalog = join(dir, 'redos')
    mkdirSync(catalog)
    writeFileSync(join(catalog, 'pattern-redos.yaml'), plug('pattern-redos', '^(a+)+$'))
    const home = tempHome()
    const result = await aims(
      ['plug', 'up', 'pattern-redos', '--env', `NAME=${'a'.repeat(38)}!`, '--host', 'local', '--dry-run', '--json'],
      {home, env: {AIMS_CATALOG_PATH: catalog}, timeoutMs: 20_000},
    )
    expect(result.code, result.stderr).toBe(2)
    expect(result.json().error.message).toMatch(/NAME "a{38}!" does not match \^\(a\+\)\+\$/)
  }, 30_000)

  it.each([
    ['backref', '^(a)\\1$', /uses a backreference/],
    ['lookahead', '^(?=a)a+$', /uses lookahead or lookbehind/],
  ])('catalog validate refuses a %s pattern and says why', async (name, pattern, why) => {
    const file = join(dir, `pattern-${name}.yaml`)
    writeFileSync(file, plug(`pattern-${name}`, pattern))
    const result = await aims(['catalog', 'validate', file])
    expect(result.code, result.stdout + result.stderr).toBe(2)
    expect(result.stdout).toMatch(why)
    expect(result.stdout).toMatch(/env\.NAME\.pattern: .*linear time \(RE2\)/)
  })
})
