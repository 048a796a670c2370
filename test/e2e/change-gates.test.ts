/**
 * Every change passes the gates plug up passes (issue 10, item 7), on the
 * bed: `plug scale` beyond the host's memory or CPUs, past the tenant's
 * quota, and `plug up --cpus` above the host's CPU count are refused by our
 * gates (exit 1, our message, nothing changed); a scale dry run shows the
 * quota, capacity and cost of the instance as it would be.
 */
import {cpus, totalmem} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {aims, homeWithHost, ROOT} from '../support/aims.js'
import {aimsObjects, docker, purgeTenant} from '../support/engine.js'

const TENANT = `hd-gates-${Math.random().toString(36).slice(2, 6)}`
const REF = `${TENANT}/site`
const env = {AIMS_CATALOG_PATH: join(ROOT, 'test', 'fixtures', 'plugs')}
let home: string
const run = (args: string[]) => aims(args, {home, env})
const limits = async () =>
  JSON.parse(await docker(['inspect', '--format', '{{json .HostConfig}}', `aims-${TENANT}-site-web`]))

beforeAll(async () => {
  await purgeTenant(TENANT)
  home = await homeWithHost()
  const up = await run(['plug', 'up', 'fixture-web', '--name', 'site', '--tenant', TENANT, '--yes', '--json'])
  expect(up.code, up.stderr).toBe(0)
}, 120_000)
afterAll(async () => {
  await purgeTenant(TENANT)
})

describe('the gates of a change on the bed', () => {
  it('scale --memory beyond the host memory is refused by the capacity gate, the limit unchanged', async () => {
    const over = Math.ceil((totalmem() * 4) / 1024 ** 3)
    const before = await limits()
    const scale = await run(['plug', 'scale', REF, '--memory', `${over}g`, '--yes', '--json'])
    expect(scale.code, scale.stderr).toBe(1)
    const error = scale.json().error
    expect(error.message).toMatch(new RegExp(`pre-flight gate "host capacity" failed: needs ${over} GiB memory, `))
    expect(error.details.gates.map((gate: {id: string}) => gate.id)).toEqual(['quota', 'capacity', 'cost'])
    expect((await limits()).Memory).toBe(before.Memory)
  })

  it('scale --replicas 20 --dry-run shows quota, capacity and cost, and creates nothing', async () => {
    const scale = await run(['plug', 'scale', REF, '--replicas', '20', '--dry-run', '--json'])
    expect(scale.code, scale.stderr).toBe(0)
    const gates = scale.json().plan.gates as Array<{id: string; status: string; detail: string}>
    expect(gates.map((gate) => gate.id)).toEqual(['quota', 'capacity', 'cost'])
    expect(gates.find((gate) => gate.id === 'quota')!.detail).toMatch(/instances, 5\/64 CPU, 1\.3 GiB\//)
    expect(gates.find((gate) => gate.id === 'capacity')!.detail).toMatch(
      new RegExp(`disk free, ${cpus().length} CPUs$`),
    )
    expect(gates.find((gate) => gate.id === 'cost')!.detail).toMatch(/\/month/)
    const text = await run(['plug', 'scale', REF, '--replicas', '20', '--dry-run'])
    expect(text.stdout + text.stderr).toMatch(/tenant quota/)
    expect(text.stdout + text.stderr).toMatch(/host capacity/)
    expect(text.stdout + text.stderr).toMatch(/estimated cost/)
    expect((await aimsObjects({'aims.tenant': TENANT})).containers).toEqual([`aims-${TENANT}-site-web`])
  })

  it('scale --cpus 100 is refused by our gates, never with the engine message', async () => {
    const scale = await run(['plug', 'scale', REF, '--cpus', '100', '--yes'])
    expect(scale.code, scale.stderr).toBe(1)
    expect(scale.stderr).toMatch(/pre-flight gate "tenant quota" failed: .*CPU .* > 64 \(and host capacity\)/)
    expect(scale.stderr).not.toMatch(/Range of CPUs|NanoCPUs|statusCode/i)
    const cpusOver = String(cpus().length + 1)
    const over = await run(['plug', 'scale', REF, '--cpus', cpusOver, '--yes', '--json'])
    expect(over.code, over.stderr).toBe(1)
    expect(over.json().error.message).toMatch(
      new RegExp(`"host capacity" failed: a container limited to ${cpusOver} CPU, the host has ${cpus().length}`),
    )
    expect((await limits()).NanoCpus).toBe(0.25e9)
  })

  it('plug up --cpus above the host CPUs fails its capacity gate before any effect', async () => {
    const cpusOver = String(cpus().length * 2)
    const up = await run([
      'plug',
      'up',
      'fixture-web',
      '--name',
      'big',
      '--tenant',
      TENANT,
      '--cpus',
      cpusOver,
      '--yes',
    ])
    expect(up.code, up.stderr).toBe(1)
    expect(up.stderr).toMatch(new RegExp(`a container limited to ${cpusOver} CPU, the host has ${cpus().length}`))
    expect(up.stderr).toMatch(/lower --cpus/)
    expect((await aimsObjects({'aims.tenant': TENANT, 'aims.instance': 'big'})).containers).toEqual([])
  })

  it('start and restart pass the same gates', async () => {
    const restart = await run(['plug', 'restart', REF, '--dry-run', '--json'])
    expect(restart.code, restart.stderr).toBe(0)
    expect(restart.json().plan.gates.map((gate: {id: string; status: string}) => [gate.id, gate.status])).toEqual([
      ['quota', 'pass'],
      ['capacity', 'pass'],
      ['cost', 'pass'],
    ])
  })
})
