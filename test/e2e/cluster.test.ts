/**
 * aims on a 3-node Docker Swarm (test/bed/swarm.sh, three standalone engines to start with):
 * the cluster formed, joined, listed, labelled and drained by aims over each node's own SSH
 * connection; a plug with 3 replicas spread over the 3 nodes, routed by the entry node's nginx
 * (requests counted per task); a per-tenant overlay across nodes; a hard-killed worker whose
 * task Swarm moves while aims re-points nginx (the failover window measured); a crashing deploy
 * reported as failed (exit 4) with nothing left behind; the node rejoining; down and leave.
 */
import {execFile} from 'node:child_process'
import {get as httpGet} from 'node:http'
import {join} from 'node:path'
import {promisify} from 'node:util'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {aims, ROOT, tempHome} from '../support/aims.js'
import {nodeDocker, nodeSsh, swarmDown, swarmKill, swarmStart, swarmUp, type SwarmBed} from '../support/swarm.js'

const runFile = promisify(execFile)
const CATALOG = `${join(ROOT, 'test', 'fixtures', 'plugs')}:${join(ROOT, 'test', 'fixtures', 'swarm-plugs')}`
const CLUSTER = 'swc'
const DOMAIN = 'web.swa.test'
let bed: SwarmBed
let home: string

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const run = (args: string[], timeoutMs = 110_000) => aims(args, {home, env: {AIMS_CATALOG_PATH: CATALOG}, timeoutMs})

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe().catch(() => undefined)
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`)
    await sleep(250)
  }
}

/** One request through the entry node's nginx (n1), as a visitor of DOMAIN (fetch cannot set Host). */
function visit(timeoutMs = 1500): Promise<number> {
  return new Promise((resolve) => {
    const request = httpGet(
      {host: '127.0.0.1', port: bed.nodes[0]!.httpPort, path: '/', headers: {host: DOMAIN}, agent: false},
      (response) => {
        response.resume()
        response.on('end', () => resolve(response.headers['x-aims-instance'] === 'swa/web' ? response.statusCode! : -1))
      },
    )
    request.setTimeout(timeoutMs, () => request.destroy())
    request.on('error', () => resolve(0))
  })
}

/** An HTTP GET from inside a task's container (busybox nc: its wget crashes in this image). */
function inTaskGet(ip: string): string[] {
  return ['sh', '-c', `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | timeout 3 nc ${ip} 8080 | tail -1 || true`]
}

/** node hostname per service name, for the tasks Swarm wants running. */
async function placement(prefix: string): Promise<Record<string, string>> {
  const lines = (await nodeDocker(1, ['service', 'ls', '--filter', `name=${prefix}`, '--format', '{{.Name}}']))
    .trim()
    .split('\n')
    .filter(Boolean)
  const result: Record<string, string> = {}
  for (const service of lines) {
    const tasks = (
      await nodeDocker(1, [
        'service',
        'ps',
        service,
        '--filter',
        'desired-state=running',
        '--format',
        '{{.Node}} {{.CurrentState}}',
      ])
    )
      .trim()
      .split('\n')
    const running = tasks.find((line) => / Running /.test(line))
    if (running) result[service] = running.split(' ')[0]!
  }
  return result
}

/** The running container of a service on node N, and its address on the tenant overlay. */
async function taskOn(node: number, service: string, network: string): Promise<{id: string; ip: string}> {
  const id = (await nodeDocker(node, ['ps', '-q', '--filter', `label=com.docker.swarm.service.name=${service}`])).trim()
  const ip = (
    await nodeDocker(node, ['inspect', '--format', `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`, id])
  ).trim()
  return {id, ip}
}

const nodeNumber = (hostname: string) => Number(hostname.replace('sw', ''))

beforeAll(async () => {
  await swarmDown()
  bed = await swarmUp({swarm: false})
  home = tempHome('aims-swarm-')
  for (const node of bed.nodes) {
    const add = await run([
      'host',
      'add',
      node.name,
      `root@${node.sshHost}:${node.sshPort}`,
      '--identity',
      bed.identity,
    ])
    expect(add.code, add.stderr).toBe(0)
    expect((await run(['host', 'trust', node.name, '--yes'])).code).toBe(0)
  }
}, 180_000)

afterAll(async () => {
  await swarmDown()
}, 60_000)

describe('aims on a Docker Swarm cluster', () => {
  it('forms the cluster: init on n1, n2 and n3 join, ls shows 3 ready nodes', async () => {
    const init = await run(['cluster', 'init', 'n1', '--name', CLUSTER, '--yes', '--json'])
    expect(init.code, init.stderr).toBe(0)
    expect(init.json()).toMatchObject({cluster: CLUSTER, node: 'n1', role: 'manager', addr: '10.99.0.1', dryRun: false})
    for (const node of ['n2', 'n3']) {
      const join = await run(['cluster', 'join', node, '--cluster', CLUSTER, '--yes', '--json'])
      expect(join.code, join.stderr).toBe(0)
      expect(join.json()).toMatchObject({cluster: CLUSTER, node, role: 'worker'})
    }
    const ls = await run(['cluster', 'ls', '--host', CLUSTER, '--json'])
    expect(ls.code, ls.stderr).toBe(0)
    const nodes = ls.json().nodes as Array<Record<string, unknown>>
    expect(nodes.map((node) => [node.host, node.hostname, node.role, node.state, node.availability])).toEqual([
      ['n1', 'sw1', 'manager', 'ready', 'active'],
      ['n2', 'sw2', 'worker', 'ready', 'active'],
      ['n3', 'sw3', 'worker', 'ready', 'active'],
    ])
    // The bed's own view agrees: the engines formed one swarm.
    expect((await nodeDocker(1, ['node', 'ls', '--format', '{{.Hostname}} {{.Status}}'])).trim().split('\n')).toEqual([
      'sw1 Ready',
      'sw2 Ready',
      'sw3 Ready',
    ])
  })

  it('refuses what cannot be done, with exit 2 and nothing changed', async () => {
    const again = await run(['cluster', 'join', 'n2', '--cluster', CLUSTER, '--yes'])
    expect(again.code).toBe(2)
    expect(again.stderr).toMatch(/n2 is already a node of cluster swc/)
    const badLabel = await run(['cluster', 'label', 'n2', 'no-equals', '--yes'])
    expect(badLabel.code).toBe(2)
    expect(badLabel.stderr).toMatch(/invalid node label/)
    const lastManager = await run(['cluster', 'leave', 'n1', '--yes'])
    expect(lastManager.code).toBe(2)
    expect(lastManager.stderr).toMatch(/last manager/)
    const noGate = await run(['cluster', 'drain', 'n3'])
    expect(noGate.code).toBe(3)
    expect(await nodeDocker(1, ['node', 'inspect', 'sw3', '--format', '{{.Spec.Availability}}'])).toBe('active\n')
  })

  it('labels and drains nodes through Swarm', async () => {
    expect((await run(['cluster', 'label', 'n2', 'zone=b', '--yes'])).code).toBe(0)
    expect((await run(['cluster', 'drain', 'n3', '--yes'])).code).toBe(0)
    const ls = (await run(['cluster', 'ls', '--json'])).json().nodes as Array<Record<string, unknown>>
    expect(ls.find((node) => node.host === 'n2')!.labels).toEqual({zone: 'b'})
    expect(ls.find((node) => node.host === 'n3')!.availability).toBe('drain')
    expect((await run(['cluster', 'drain', 'n3', '--undo', '--yes'])).code).toBe(0)
    expect((await run(['cluster', 'label', 'n2', 'zone=', '--yes'])).code).toBe(0)
    expect(await nodeDocker(1, ['node', 'inspect', 'sw2', '--format', '{{json .Spec.Labels}}'])).toBe('{}\n')
  })

  it('runs a plug with 3 replicas spread over the 3 nodes, routed by nginx to every task', async () => {
    const up = await run([
      'plug',
      'up',
      'fixture-spread',
      '--name',
      'web',
      '--tenant',
      'swa',
      '--domain',
      DOMAIN,
      '--host',
      CLUSTER,
      '--yes',
      '--json',
    ])
    expect(up.code, up.stderr).toBe(0)
    expect(up.json().status).toBe('ready')
    const scale = await run(['plug', 'scale', 'swa/web', '--replicas', '3', '--host', CLUSTER, '--yes', '--json'])
    expect(scale.code, scale.stderr).toBe(0)
    const where = await placement('aims-swa-web-web')
    expect(Object.values(where).sort()).toEqual(['sw1', 'sw2', 'sw3'])
    // nginx on the entry node routes to each node's host-mode port.
    const conf = await nodeSsh(1, 'cat /etc/nginx/conf.d/plugs/swa-web.conf')
    const servers = [...conf.matchAll(/server (10\.99\.0\.\d):(\d+);/g)].map((match) => match[1]).sort()
    expect(servers).toEqual(['10.99.0.1', '10.99.0.2', '10.99.0.3'])
    // Every request answers, and every task serves some of them (counted in each task's own log).
    const statuses = await Promise.all(Array.from({length: 30}, () => visit(5000)))
    expect(statuses.every((status) => status === 200)).toBe(true)
    const counts: Record<string, number> = {}
    for (const [service, hostname] of Object.entries(where)) {
      const n = nodeNumber(hostname)
      const {id} = await taskOn(n, service, 'aims-t-swa')
      const {stdout, stderr} = await runFile('/usr/bin/docker', [
        '-H',
        `unix://${bed.nodes[n - 1]!.dockerSocket}`,
        'logs',
        id,
      ])
      counts[hostname] = `${stdout}${stderr}`.split('\n').filter((line) => / url:\/$/.test(line)).length
    }
    console.log(`requests per task: ${JSON.stringify(counts)}`)
    expect(Object.values(counts).reduce((sum, count) => sum + count, 0)).toBeGreaterThanOrEqual(30)
    expect(Object.values(counts).every((count) => count > 0)).toBe(true)
    // plug ls on the cluster: one instance, healthy, its tasks where Swarm put them.
    const ls = await run(['plug', 'ls', '--host', CLUSTER, '--json'])
    expect(ls.code, ls.stderr).toBe(0)
    expect(ls.json()).toMatchObject({instances: [{ref: 'swa/web', status: 'running', health: 'healthy'}]})
  })

  it("keeps tenants apart on their own overlays: same-tenant tasks reach each other across nodes, others don't", async () => {
    const other = await run([
      'plug',
      'up',
      'fixture-spread',
      '--name',
      'web',
      '--tenant',
      'swb',
      '--host',
      CLUSTER,
      '--yes',
    ])
    expect(other.code, other.stderr).toBe(0)
    const where = await placement('aims-swa-web-web')
    const [first, second] = Object.entries(where).filter(([, hostname]) => hostname !== 'sw1')
    const a = await taskOn(nodeNumber(first![1]), first![0], 'aims-t-swa')
    const b = await taskOn(nodeNumber(second![1]), second![0], 'aims-t-swa')
    expect(a.ip).toMatch(/^10\.210\./)
    const same = await nodeDocker(nodeNumber(first![1]), ['exec', a.id, ...inTaskGet(b.ip)])
    expect(same).toBe('hello from the aims fixture\n')
    const stranger = (await placement('aims-swb-web-web'))['aims-swb-web-web']!
    const s = await taskOn(nodeNumber(stranger), 'aims-swb-web-web', 'aims-t-swb')
    const denied = await nodeDocker(nodeNumber(stranger), ['exec', s.id, ...inTaskGet(b.ip)])
    expect(denied).toBe('')
    expect((await run(['plug', 'down', 'swb/web', '--host', CLUSTER, '--yes'])).code).toBe(0)
  })

  it('follows a killed worker: Swarm moves its task, aims re-points nginx, the node rejoins', async () => {
    const before = await placement('aims-swa-web-web')
    const [victimService, victimHost] = Object.entries(before).find(([, hostname]) => hostname !== 'sw1')!
    const victim = nodeNumber(victimHost)
    const failures: number[] = []
    let stop = false
    const killedAt = Date.now()
    const loop = (async () => {
      while (!stop) {
        if ((await visit()) !== 200) failures.push(Date.now() - killedAt)
        await sleep(100)
      }
    })()
    await swarmKill(victim)
    let routedAt: number | undefined
    try {
      routedAt = await until(
        'routes re-pointed',
        async () => {
          const reroute = await run(['cluster', 'reroute', '--host', CLUSTER, '--yes', '--json'])
          expect(reroute.code, reroute.stderr).toBe(0)
          return reroute.json().moved.length > 0 ? Date.now() - killedAt : undefined
        },
        90_000,
      )
      // Serving again: 20 requests in a row answer.
      for (let index = 0; index < 20; index++) expect(await visit(3000)).toBe(200)
    } finally {
      stop = true
      await loop
    }
    const after = await placement('aims-swa-web-web')
    expect(after[victimService]).toBeDefined()
    expect(after[victimService]).not.toBe(victimHost)
    const conf = await nodeSsh(1, 'cat /etc/nginx/conf.d/plugs/swa-web.conf')
    expect(conf).not.toContain(`10.99.0.${victim}:`)
    const window = failures.length > 0 ? failures.at(-1)! : 0
    console.log(
      `failover: routes re-pointed ${routedAt} ms after the kill; ${failures.length} failed requests, ` +
        `the last ${window} ms after the kill`,
    )
    expect(window).toBeLessThanOrEqual(routedAt! + 1000)
    await swarmStart(victim)
    await until(
      'the node Ready again',
      async () => {
        const ls = await run(['cluster', 'ls', '--host', CLUSTER, '--json'])
        const node = (ls.json().nodes as Array<Record<string, unknown>>).find((item) => item.hostname === victimHost)
        return node?.state === 'ready' ? true : undefined
      },
      60_000,
    )
  })

  it('reports a deploy whose task keeps crashing as failed (exit 4) and leaves nothing behind', async () => {
    const up = await run(['plug', 'up', 'fixture-crash', '--name', 'cr', '--tenant', 'swa', '--host', CLUSTER, '--yes'])
    expect(up.code, up.stdout + up.stderr).toBe(4)
    expect(up.stdout).not.toMatch(/is ready/)
    expect(await nodeDocker(1, ['service', 'ls', '-q', '--filter', 'label=aims.instance=cr'])).toBe('')
  })

  it('takes the plug down and a node out of the cluster', async () => {
    const down = await run(['plug', 'down', 'swa/web', '--host', CLUSTER, '--yes'])
    expect(down.code, down.stderr).toBe(0)
    expect(await nodeDocker(1, ['service', 'ls', '-q', '--filter', 'label=aims.managed=true'])).toBe('')
    const leave = await run(['cluster', 'leave', 'n3', '--yes', '--json'])
    expect(leave.code, leave.stderr).toBe(0)
    const ls = (await run(['cluster', 'ls', '--json'])).json().nodes as Array<Record<string, unknown>>
    expect(ls.map((node) => node.host)).toEqual(['n1', 'n2'])
  })
})
