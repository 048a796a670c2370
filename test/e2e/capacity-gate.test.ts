/**
 * The disk capacity gate over SSH (issue 10, item 6): free disk comes from the
 * host's SFTP statvfs answer, so a plug asking for more disk than the bed has
 * is refused before anything is created, and the plan says how much is free
 * (a number, not "NaN B").
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {statfsSync} from 'node:fs'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {aims, homeWithHost} from '../support/aims.js'
import {aimsObjects, purgeTenant} from '../support/engine.js'

const TENANT = `cap-${Math.random().toString(36).slice(2, 8)}`
let home: string
let catalog: string

// The bed's dockerd keeps its data on this machine's disk: twice what is free there is surely too much.
const bedFree = () => {
  const stats = statfsSync('/var/lib/docker')
  return stats.bavail * stats.bsize
}

beforeAll(async () => {
  await purgeTenant(TENANT)
  home = await homeWithHost()
  catalog = mkdtempSync(join(tmpdir(), 'aims-cap-catalog-'))
  const askGiB = Math.ceil((2 * bedFree()) / 1024 ** 3)
  writeFileSync(
    join(catalog, 'fixture-huge.yaml'),
    `id: fixture-huge
name: Fixture huge
description: A plug whose volume wants more disk than the bed has, for the capacity gate.
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
    volumes:
      - {name: data, path: /data, size: ${askGiB}g}
    health: {type: http, path: /health}
    resources: {cpus: 0.25, memory: 64m}
`,
  )
})
afterAll(async () => {
  await purgeTenant(TENANT)
  rmSync(catalog, {recursive: true, force: true})
})

describe('capacity gate over SSH', () => {
  it('refuses a plug asking for more disk than the host has free, before any effect', async () => {
    const up = await aims(['plug', 'up', 'fixture-huge', '--tenant', TENANT, '--yes', '--json'], {
      home,
      env: {AIMS_CATALOG_PATH: catalog},
    })
    expect(up.code, up.stderr).toBe(1)
    const output = up.json()
    const capacity = output.error.details.gates.find((gate: {id: string}) => gate.id === 'capacity')
    expect(capacity.status).toBe('fail')
    expect(capacity.detail).toMatch(/^needs \d+ (GiB|TiB) disk, \d+(\.\d)? (GiB|TiB) free$/)
    expect(output.error.message).toMatch(/host capacity/)
    expect(up.stdout + up.stderr).not.toMatch(/NaN/)
    expect(await aimsObjects({'aims.tenant': TENANT})).toEqual({containers: [], volumes: [], networks: []})
  })

  it('shows the real free disk in a plan that passes', async () => {
    const up = await aims(['plug', 'up', 'fixture-web', '--tenant', TENANT, '--dry-run', '--json'], {
      home,
      env: {AIMS_CATALOG_PATH: join(process.cwd(), 'test', 'fixtures', 'plugs')},
    })
    expect(up.code, up.stderr).toBe(0)
    const capacity = up.json().plan.gates.find((gate: {id: string}) => gate.id === 'capacity')
    expect(capacity.status).toBe('pass')
    const free = Number(/, (\d+(?:\.\d)?) GiB disk free, \d+ CPUs$/.exec(capacity.detail)?.[1])
    // Within 10 % of what this machine says is free on the same disk.
    expect(Math.abs(free * 1024 ** 3 - bedFree()) / bedFree()).toBeLessThan(0.1)
  })
})
