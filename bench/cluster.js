// Cluster: `aims plug ls` on a 3-node Swarm with 100 instances against `aims plug ls` on one
// host with the same 100 instances, in the same run (DESIGN.md: within 1.5x). Needs root and the
// swarm bed (test/bed/swarm.sh): it restarts the bed as three standalone engines and forms the
// cluster with aims itself. The instances are created directly (not timed): 100 Swarm services
// with the labels aims gives them on the cluster, 100 containers with the same labels on node 3
// as the one host; both stopped (no task, no probe), so both listings read the same labels.
// Runs: BENCH_CLUSTER_RUNS (default 7, median, interleaved).
import {execFile} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'
import {BIN, ROOT, median, round, timed} from './lib.js'

const run = promisify(execFile)
const INSTANCES = 100
const TENANT = 'swbench'

const swarmScript = (...args) => run(join(ROOT, 'test', 'bed', 'swarm.sh'), args, {timeout: 180_000})

function labels(index) {
  const instance = `i${index}`
  return {
    'aims.managed': 'true',
    'aims.tenant': TENANT,
    'aims.instance': instance,
    'aims.plug': 'fixture-spread',
    'aims.service': 'web',
    'aims.services': 'web',
    'aims.entry': 'true',
    'aims.replica': '1',
    'aims.port': String(51_000 + index),
  }
}

const labelArgs = (index) => Object.entries(labels(index)).flatMap(([key, value]) => ['--label', `${key}=${value}`])

async function inBatches(count, size, work) {
  for (let start = 0; start < count; start += size)
    await Promise.all(Array.from({length: Math.min(size, count - start)}, (_, offset) => work(start + offset)))
}

export async function benchCluster({runs = Number(process.env.BENCH_CLUSTER_RUNS) || 7} = {}) {
  await swarmScript('down')
  await swarmScript('up', '--no-swarm')
  const bed = JSON.parse(readFileSync(join(ROOT, '.bed', 'swarm.json'), 'utf8'))
  const docker = (node, args) =>
    run('/usr/bin/docker', ['-H', `unix://${bed.nodes[node - 1].dockerSocket}`, ...args], {timeout: 120_000})
  const work = mkdtempSync(join(tmpdir(), 'aims-bench-cluster-'))
  const env = {...process.env, HOME: work, AIMS_HOME: join(work, '.aims'), NO_COLOR: '1', CI: 'true'}
  delete env.SSH_AUTH_SOCK
  const aims = (args) => timed(process.execPath, [BIN, ...args], {env})
  try {
    for (const node of bed.nodes) {
      await aims(['host', 'add', node.name, `root@${node.sshHost}:${node.sshPort}`, '--identity', bed.identity])
      await aims(['host', 'trust', node.name, '--yes'])
    }
    await aims(['cluster', 'init', 'n1', '--name', 'bench', '--yes'])
    await aims(['cluster', 'join', 'n2', '--cluster', 'bench', '--yes'])
    await aims(['cluster', 'join', 'n3', '--cluster', 'bench', '--yes'])
    // The same 100 instances: services on the cluster, containers on n3 as a host of its own.
    await inBatches(INSTANCES, 10, (index) =>
      docker(1, [
        'service',
        'create',
        '--detach',
        '--quiet',
        '--replicas',
        '0',
        '--name',
        `aims-${TENANT}-i${index}-web`,
        ...labelArgs(index),
        '--publish',
        `mode=host,target=8080,published=${51_000 + index}`,
        '--endpoint-mode',
        'dnsrr',
        'aims-fixture/web:1',
      ]),
    )
    await docker(3, ['pull', '-q', 'aims-fixture/web:1'])
    await inBatches(INSTANCES, 10, (index) =>
      docker(3, ['create', '--name', `aims-${TENANT}-i${index}-web`, ...labelArgs(index), 'aims-fixture/web:1']),
    )
    const count = (stdout) => JSON.parse(stdout).instances.filter((item) => item.tenant === TENANT).length
    // Warm-up, and a check that both list the 100 instances.
    for (const host of ['bench', 'n3']) {
      const listed = count((await aims(['plug', 'ls', '--host', host, '--json'])).stdout)
      if (listed !== INSTANCES) throw new Error(`plug ls --host ${host} listed ${listed} instances, not ${INSTANCES}`)
    }
    const cluster = []
    const single = []
    for (let index = 0; index < runs; index++) {
      single.push((await aims(['plug', 'ls', '--host', 'n3', '--json'])).ms)
      cluster.push((await aims(['plug', 'ls', '--host', 'bench', '--json'])).ms)
    }
    const ratio = median(cluster) / median(single)
    return [
      {
        bench: 'cluster',
        subject: `aims plug ls, ${INSTANCES} instances on a 3-node cluster`,
        runs: cluster.length,
        medianMs: round(median(cluster)),
        ratio: round(ratio, 3),
        budget: '<= 1.5x one host',
        ok: ratio <= 1.5,
      },
      {
        bench: 'cluster',
        subject: `aims plug ls, ${INSTANCES} instances on one host`,
        runs: single.length,
        medianMs: round(median(single)),
        ratio: 1,
        budget: '',
        ok: true,
      },
    ]
  } finally {
    rmSync(work, {recursive: true, force: true})
    await swarmScript('down').catch(() => undefined)
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.table(await benchCluster())
}
