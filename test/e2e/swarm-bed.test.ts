/**
 * The 3-node Swarm bed itself (test/bed/swarm.sh), before any aims cluster
 * work relies on it: three Ready nodes, each a host of its own over SSH (its
 * own engine, hostname, /var/lib/aims and nginx); a 3-replica service spread
 * over the three nodes, its image pulled on every node from the bed's
 * registry; a hard-killed node goes Down and rejoins; `down` leaves nothing.
 */
import {execFile} from 'node:child_process'
import {existsSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {promisify} from 'node:util'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {aims, ROOT, tempHome} from '../support/aims.js'
import {
  inClientNetns,
  nodeDocker,
  nodeSsh,
  swarmDown,
  swarmKill,
  swarmStart,
  swarmUp,
  type SwarmBed,
} from '../support/swarm.js'
import {bedRegistries, registryDigest} from '../support/registry.js'

const run = promisify(execFile)
const SERVICE = `bed-smoke-${Math.random().toString(36).slice(2, 7)}`
const IMAGE = 'aims-fixture/web:1'
let bed: SwarmBed

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe().catch(() => undefined)
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`)
    await sleep(250)
  }
}

async function nodeStates(): Promise<Record<string, string>> {
  const lines = (await nodeDocker(1, ['node', 'ls', '--format', '{{.Hostname}} {{.Status}}'])).trim().split('\n')
  return Object.fromEntries(lines.map((line) => line.split(' ') as [string, string]))
}

beforeAll(async () => {
  // From nothing: what a suite gets on a fresh CI machine (up alone would reuse a healthy bed).
  await swarmDown()
  bed = await swarmUp()
}, 180_000)

afterAll(async () => {
  await nodeDocker(1, ['service', 'rm', SERVICE]).catch(() => '')
  await swarmDown()
}, 60_000)

describe('the swarm bed', () => {
  it('has 3 Ready nodes, one manager and two workers, described in .bed/swarm.json', async () => {
    expect(bed.swarm).toBe(true)
    expect(bed.nodes.map((node) => [node.name, node.ip, node.role])).toEqual([
      ['n1', '10.99.0.1', 'manager'],
      ['n2', '10.99.0.2', 'worker'],
      ['n3', '10.99.0.3', 'worker'],
    ])
    expect(await nodeStates()).toEqual({sw1: 'Ready', sw2: 'Ready', sw3: 'Ready'})
  })

  it('makes every node a host of its own over SSH: engine, hostname, state dir and nginx', async () => {
    for (const [index, node] of bed.nodes.entries()) {
      const n = index + 1
      const facts = await nodeSsh(
        n,
        'hostname; docker info --format "{{.Name}} {{.Swarm.NodeAddr}}"; touch /var/lib/aims/bed-marker-$(hostname); ls /var/lib/aims; nginx -v 2>&1',
      )
      expect(facts.split('\n').slice(0, 4)).toEqual([
        node.hostname,
        `${node.hostname} ${node.ip}`,
        `bed-marker-${node.hostname}`,
        'nginx version: nginx/1.22.1',
      ])
      // The node's nginx answers on its loopback port here.
      const {stdout} = await run('curl', [
        '-s',
        '-o',
        '/dev/null',
        '-w',
        '%{http_code}',
        `http://127.0.0.1:${node.httpPort}/`,
      ])
      expect(stdout).toBe('200')
    }
    // Nothing of a node's /var/lib/aims shows in the root namespace.
    expect(existsSync('/var/lib/aims/bed-marker-sw1')).toBe(false)
  })

  it('is a host aims can use: doctor passes on a node through its SSH port', async () => {
    const home = tempHome()
    const n1 = bed.nodes[0]!
    const add = await aims(['host', 'add', 'n1', `root@${n1.sshHost}:${n1.sshPort}`, '--identity', bed.identity], {
      home,
    })
    expect(add.code, add.stderr).toBe(0)
    expect((await aims(['host', 'trust', 'n1', '--yes'], {home})).code).toBe(0)
    const doctor = await aims(['doctor', '--host', 'n1', '--json'], {home})
    expect(doctor.code, doctor.stdout + doctor.stderr).toBe(0)
    expect(doctor.json().ok).toBe(true)
  })

  it('spreads a 3-replica service over the 3 nodes, each pulling the image from the bed registry', async () => {
    for (const n of [1, 2, 3]) expect(await nodeDocker(n, ['image', 'ls', '-q', IMAGE])).toBe('')
    await nodeDocker(
      1,
      [
        'service',
        'create',
        '--quiet',
        '--detach',
        '--name',
        SERVICE,
        '--replicas',
        '3',
        '--replicas-max-per-node',
        '1',
        '--publish',
        'mode=host,target=8080,published=18080',
        '--env',
        'GREETING=hello from a swarm task',
        IMAGE,
      ],
      120_000,
    )
    const nodes = await until(
      '3 running tasks',
      async () => {
        const tasks = (
          await nodeDocker(1, [
            'service',
            'ps',
            SERVICE,
            '--filter',
            'desired-state=running',
            '--format',
            '{{.Node}} {{.CurrentState}}',
          ])
        )
          .trim()
          .split('\n')
          .filter((line) => / Running /.test(line))
        return tasks.length === 3 ? tasks.map((line) => line.split(' ')[0]).sort() : undefined
      },
      90_000,
    )
    expect(nodes).toEqual(['sw1', 'sw2', 'sw3'])
    // The image as the bed's registry serves it (the nodes reach it through their mirror).
    const digest = await registryDigest(bedRegistries().open, 'aims-fixture/web', '1')
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/)
    for (const [index, node] of bed.nodes.entries()) {
      // Swarm pins the task to the digest: the node holds aims-fixture/web@<the registry's digest>.
      const held = await nodeDocker(index + 1, [
        'image',
        'ls',
        '--digests',
        '--format',
        '{{.Digest}}',
        'aims-fixture/web',
      ])
      expect(held.trim().split('\n')).toEqual([digest])
      // Each task answers on its own node.
      expect(await inClientNetns(['curl', '-s', '--max-time', '5', `http://${node.ip}:18080/`])).toBe(
        'hello from a swarm task\n',
      )
    }
  })

  it('marks a hard-killed node Down, and it rejoins Ready once started again', async () => {
    await swarmKill(3)
    expect(
      await until('node 3 Down', async () => ((await nodeStates()).sw3 === 'Down' ? true : undefined), 30_000),
    ).toBe(true)
    await swarmStart(3)
    expect(
      await until('node 3 Ready', async () => ((await nodeStates()).sw3 === 'Ready' ? true : undefined), 30_000),
    ).toBe(true)
  })

  it('down removes every namespace, process and node cgroup', async () => {
    await nodeDocker(1, ['service', 'rm', SERVICE]).catch(() => '')
    await swarmDown()
    const {stdout: netns} = await run('ip', ['netns', 'list'])
    expect(netns).not.toMatch(/aims-sw/)
    const {stdout: ps} = await run('ps', ['-eo', 'args'])
    expect(ps).not.toMatch(new RegExp(`${bed.stateDir}/n\\d`))
    expect(readdirSync('/sys/fs/cgroup/pids').filter((name) => name.startsWith('aims-sw'))).toEqual([])
    expect(existsSync(join(ROOT, '.bed', 'swarm.json'))).toBe(false)
  })
})
