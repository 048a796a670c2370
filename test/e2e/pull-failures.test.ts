/**
 * Image-pull failures say why, with the engine's own words (issue 10, item
 * 14): on the bed, dockerd has no internet (a Docker Hub name the mirror does
 * not have fails on DNS), the open registry has no tag "nope", and the auth
 * registry wants credentials the engine does not have. Each is exit 1 with
 * error.kind "pull", error.cause, the engine's message and a fix; nothing is
 * left; the failed attempt is in `aims audit`.
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {aims, bed, homeWithHost} from '../support/aims.js'
import {aimsObjects, purgeTenant} from '../support/engine.js'

const TENANT = `pf-${Math.random().toString(36).slice(2, 8)}`
const registry = (bed() as unknown as {registry: {open: string; auth: string}}).registry
let home: string
const catalog = mkdtempSync(join(tmpdir(), 'aims-pull-catalog-'))

const plug = (id: string, image: string) => `id: ${id}
name: Pull ${id}
description: A plug whose image cannot be pulled, for aims' own tests.
category: testing
tags: [fixture, test]
homepage: https://example.com/aims-fixture
license: MIT
tier: free
size: xs
services:
  web:
    image: ${image}
    entry: {port: 8080, protocol: http}
    health: {type: http, path: /health}
    resources: {cpus: 0.25, memory: 64m}
`

const cases = [
  {
    id: 'pull-dns',
    image: 'docker.io/library/nosuchimage-aims:1',
    cause: 'dns',
    engine: /lookup registry-1\.docker\.io .*no such host/,
  },
  {id: 'pull-missing', image: `${registry.open}/aims-fixture/web:nope`, cause: 'not-found', engine: /manifest unknown/},
  {id: 'pull-auth', image: `${registry.auth}/aims-fixture/web:1`, cause: 'auth', engine: /no basic auth credentials/},
]

beforeAll(async () => {
  await purgeTenant(TENANT)
  for (const item of cases) writeFileSync(join(catalog, `${item.id}.yaml`), plug(item.id, item.image))
  home = await homeWithHost()
})
afterAll(async () => {
  await purgeTenant(TENANT)
  rmSync(catalog, {recursive: true, force: true})
})

describe('image pull failures', () => {
  it.each(cases)("$cause: exit 1, the engine's words, the cause and a fix; audited; nothing left", async (item) => {
    const up = await aims(['plug', 'up', item.id, '--tenant', TENANT, '--yes', '--json'], {
      home,
      env: {AIMS_CATALOG_PATH: catalog},
    })
    expect(up.code, up.stdout + up.stderr).toBe(1)
    const {error} = up.json()
    expect(error).toMatchObject({kind: 'pull', cause: item.cause, details: {image: item.image}})
    expect(error.message).toMatch(new RegExp(`^cannot pull ${item.image.replace(/[.]/g, '\\.')} on vps: `))
    expect(error.message).toMatch(item.engine)
    expect(error.details.engine).toMatch(item.engine)
    expect(error.hint).toBeTruthy()
    expect(JSON.stringify(error)).not.toMatch(/server error/)
    expect(await aimsObjects({'aims.tenant': TENANT})).toEqual({containers: [], volumes: [], networks: []})

    const text = await aims(['plug', 'up', item.id, '--tenant', TENANT, '--yes'], {
      home,
      env: {AIMS_CATALOG_PATH: catalog},
    })
    expect(text.code).toBe(1)
    expect(text.stderr.trim().split('\n').at(-1)).toMatch(/^Error: cannot pull .* — .+/)

    const audit = await aims(['audit', '--json'], {home})
    expect(audit.code, audit.stderr).toBe(0)
    const records = JSON.stringify(audit.json())
    expect(records).toContain(`${TENANT}/${item.id}`)
    const failed = (audit.json().records ?? audit.json()).filter(
      (record: {target?: string; outcome?: string}) =>
        record.target === `${TENANT}/${item.id}` && record.outcome === 'failed',
    )
    expect(failed.length).toBeGreaterThan(0)
    expect(failed[0].detail).toMatch(item.engine)
  })
})
