/**
 * Several aims processes on one host at once, and aims killed mid-deploy:
 * names and ports never collide, and a re-run converges to one healthy
 * instance with nothing orphaned.
 */
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {aims, homeWithHost, ROOT, spawnAims} from '../support/aims.js'
import {aimsObjects, httpGet, purgeTenant} from '../support/engine.js'

const FIXTURES = join(ROOT, 'test', 'fixtures', 'plugs')
const TENANT = 'cc-e2e'
let home: string
const env = {AIMS_CATALOG_PATH: FIXTURES}
const run = (args: string[]) => aims(args, {home, env})

beforeAll(async () => {
  await purgeTenant(TENANT)
  home = await homeWithHost()
})
afterAll(async () => {
  await purgeTenant(TENANT)
})

describe('concurrent deploys', () => {
  it('10 concurrent plug up of 10 names → 10 healthy instances on 10 distinct ports', async () => {
    const names = Array.from({length: 10}, (_, index) => `par-${index}`)
    const results = await Promise.all(
      names.map((name) => run(['plug', 'up', 'fixture-web', '--name', name, '--tenant', TENANT, '--yes', '--json'])),
    )
    for (const result of results) expect(result.code, result.stderr + result.stdout).toBe(0)
    const ports = results.map((result) => result.json().port as number)
    expect(new Set(ports).size).toBe(10)
    for (const result of results) expect((await httpGet(result.json().localUrl)).status).toBe(200)
    const ls = (await run(['plug', 'ls', '--tenant', TENANT, '--json']))
      .json()
      .instances.filter((row: {instance: string}) => row.instance.startsWith('par-'))
    expect(ls).toHaveLength(10)
    expect(ls.every((row: {health: string}) => row.health === 'healthy')).toBe(true)
    await Promise.all(names.map((name) => run(['plug', 'down', `${TENANT}/${name}`, '--yes'])))
    expect((await aimsObjects({'aims.tenant': TENANT})).containers).toEqual([])
  })

  it('2 concurrent plug up of the same name → exactly one instance, the other a clear error', async () => {
    const [first, second] = await Promise.all(
      [0, 1].map(() => run(['plug', 'up', 'fixture-stack', '--name', 'same', '--tenant', TENANT, '--yes'])),
    )
    const codes = [first!.code, second!.code].sort()
    expect(codes[0]).toBe(0)
    expect(codes[1]).not.toBe(0)
    const loser = first!.code === 0 ? second! : first!
    expect(loser.stderr).toMatch(
      /another aims process is deploying or changing cc-e2e\/same|cc-e2e\/same already exists/,
    )
    expect(loser.stderr.trim().split('\n').at(-1)).toMatch(/^Error: /)
    const objects = await aimsObjects({'aims.tenant': TENANT, 'aims.instance': 'same'})
    expect(objects.containers.sort()).toEqual([`aims-${TENANT}-same-backend`, `aims-${TENANT}-same-front`])
    expect(objects.volumes).toEqual([`aims-${TENANT}-same-backend-data`])
    expect((await run(['plug', 'down', `${TENANT}/same`, '--yes'])).code).toBe(0)
  })
})

/** Starts plug up, waits for a progress line, kills it with SIGKILL. */
function killWhen(pattern: RegExp, name: string): Promise<{killed: boolean; stderr: string}> {
  return new Promise((resolve) => {
    const child = spawnAims(['plug', 'up', 'fixture-stack', '--name', name, '--tenant', TENANT, '--yes'], {home, env})
    let stderr = ''
    let killed = false
    child.stderr!.on('data', (chunk) => {
      stderr += chunk
      if (!killed && pattern.test(stderr)) {
        killed = true
        child.kill('SIGKILL')
      }
    })
    child.on('close', () => resolve({killed, stderr}))
  })
}

describe('a killed plug up, re-run', () => {
  it.each([
    ['while taking the allocation lock', /lock: allocating/],
    ['after creating the network', /network: creating network/],
    ['after creating the volume', /volume: creating volume/],
    ['after creating the first container', /create: creating aims-cc-e2e-kill-\d-front/],
    ['after starting the backend', /start: starting backend/],
    ['while the front waits for the backend', /health: backend is healthy/],
    ['during the health gate of the front', /start: starting front/],
  ])('killed %s → converges to one healthy instance, no orphans', async (_, pattern) => {
    const name = `kill-${Math.floor(Math.random() * 10)}`
    await purgeTenant(TENANT)
    const attempt = await killWhen(pattern, name)
    expect(attempt.killed, attempt.stderr).toBe(true)

    const rerun = await run(['plug', 'up', 'fixture-stack', '--name', name, '--tenant', TENANT, '--yes', '--json'])
    expect(rerun.code, rerun.stdout + rerun.stderr).toBe(0)
    expect((await httpGet(rerun.json().localUrl)).status).toBe(200)
    const objects = await aimsObjects({'aims.tenant': TENANT, 'aims.instance': name})
    expect(objects.containers.sort()).toEqual([`aims-${TENANT}-${name}-backend`, `aims-${TENANT}-${name}-front`])
    expect(objects.volumes).toEqual([`aims-${TENANT}-${name}-backend-data`])
    expect(objects.networks).toEqual([`aims-i-${TENANT}-${name}`])
    const tenantObjects = await aimsObjects({'aims.tenant': TENANT})
    expect(tenantObjects.containers).toHaveLength(2)
    expect(tenantObjects.networks.sort()).toEqual([`aims-i-${TENANT}-${name}`, `aims-t-${TENANT}`])
    const ls = (await run(['plug', 'ls', '--tenant', TENANT, '--json'])).json().instances
    expect(ls).toHaveLength(1)
    expect(ls[0]).toMatchObject({instance: name, status: 'running', health: 'healthy'})
    expect((await run(['plug', 'down', `${TENANT}/${name}`, '--yes'])).code).toBe(0)
    expect(await aimsObjects({'aims.tenant': TENANT})).toEqual({containers: [], volumes: [], networks: []})
  })
})
