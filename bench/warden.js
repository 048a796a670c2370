// Warden: a health sweep of BENCH_WARDEN_INSTANCES (100) fixture instances, run in this process
// from the built dist/ with the warden's own composition (warden-context.js, the local socket, a
// state dir of its own, policy scoped to the bench tenant). The fleet: aims-labelled containers of
// aims-fixture/web:1 created through the engine API; BENCH_WARDEN_HTTP (20) of them sit on the
// default bridge and are probed over HTTP (GET /health to the container's IP), the others
// (no network, so a shared engine's libnetwork is not churned by 100 endpoints) with the
// "running" probe (an inspect each). Measures
//   - sweep wall time, median of BENCH_WARDEN_SWEEPS (10), against `docker ps -a` of the same
//     tenant in the same run (the ratio), and at 25/50/100 instances (cost linear in instances);
//   - CPU: this process's CPU time per sweep (+ heartbeat) over the default 30 s interval;
//   - RSS after the sweeps.
// Budgets (DESIGN.md): sweep of 100 <= 2 s, <= 1 % of a core at the default interval, <= 100 MiB RSS.
import {existsSync, mkdtempSync, rmSync, writeFileSync, mkdirSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {median, round, timed, SOCKET, engineApi} from './lib.js'

const TENANT = 'wd-bench'
const COUNT = Number(process.env.BENCH_WARDEN_INSTANCES) || 100
const HTTP_COUNT = Math.min(COUNT, Number(process.env.BENCH_WARDEN_HTTP ?? 20))
const SWEEPS = Number(process.env.BENCH_WARDEN_SWEEPS) || 10

async function mapLimit(items, limit, work) {
  let next = 0
  await Promise.all(
    Array.from({length: Math.min(limit, items.length)}, async () => {
      while (next < items.length) await work(items[next++])
    }),
  )
}

const fleetFilter = encodeURIComponent(JSON.stringify({label: [`aims.tenant=${TENANT}`, 'aims.managed=true']}))

async function removeFleet() {
  const containers = await engineApi('GET', `/containers/json?all=true&filters=${fleetFilter}`)
  await mapLimit(containers, 4, (container) =>
    engineApi('DELETE', `/containers/${container.Id}?force=true`).catch(() => {}),
  )
  return containers.length
}

async function createFleet(from, to) {
  await mapLimit(
    Array.from({length: to - from + 1}, (_, index) => from + index),
    3,
    async (index) => {
      const instance = `app-${String(index).padStart(3, '0')}`
      const httpProbe = index <= HTTP_COUNT
      const created = await engineApi('POST', `/containers/create?name=aims-${TENANT}-${instance}-web`, {
        Image: 'aims-fixture/web:1',
        Labels: {
          'aims.managed': 'true',
          'aims.tenant': TENANT,
          'aims.instance': instance,
          'aims.plug': 'fixture-web',
          'aims.service': 'web',
          'aims.entry': 'true',
          'aims.replica': '1',
          'aims.services': 'web',
          'aims.health': httpProbe ? '{"type":"http","port":8080,"path":"/health"}' : '{"type":"running"}',
          'aims.created-by': 'bench',
        },
        HostConfig: {
          Init: true,
          Memory: 64 * 1024 * 1024,
          RestartPolicy: {Name: 'no'},
          NetworkMode: httpProbe ? 'bridge' : 'none',
        },
      })
      await engineApi('POST', `/containers/${created.Id}/start`)
    },
  )
}

const dist = (path) => import(new URL(`../dist/src/${path}`, import.meta.url).href)

/** One warden composition for the whole bench, as the warden has one for its life. */
async function composition(stateDir) {
  const {wardenDeps, wardenEnvironment} = await dist('warden-context.js')
  const deps = await wardenDeps(
    wardenEnvironment({AIMS_WARDEN_STATE_DIR: stateDir, AIMS_WARDEN_HOST: 'bench'}, 'bench'),
    () => {},
  )
  deps.runtime.policy = await deps.readPolicy()
  return deps
}

async function sweeps(deps, count) {
  const [{healthSweep}, {heartbeat}] = await Promise.all([
    dist('services/warden/sweep.js'),
    dist('services/warden/heartbeat.js'),
  ])
  const times = []
  let unhealthy = 0
  // The first sweep warms up (module loading, the engine connection): not counted.
  await healthSweep(deps, new Date())
  const cpuBefore = process.cpuUsage()
  for (let index = 0; index < count; index++) {
    const started = performance.now()
    await healthSweep(deps, new Date())
    await heartbeat(deps, new Date())
    times.push(performance.now() - started)
  }
  const cpu = process.cpuUsage(cpuBefore)
  for (const track of deps.runtime.tracks.values()) if (track.state !== 'healthy') unhealthy++
  return {
    medianMs: median(times),
    cpuMsPerSweep: (cpu.user + cpu.system) / 1000 / count,
    instances: deps.runtime.lastSweep?.instances ?? 0,
    unhealthy,
  }
}

export async function benchWarden() {
  if (!existsSync(SOCKET)) throw new Error('the warden bench needs the test bed: run test/bed/setup.sh first')
  const stateDir = mkdtempSync(join(tmpdir(), 'aims-warden-bench-'))
  try {
    await removeFleet()
    mkdirSync(join(stateDir, 'warden'), {recursive: true})
    writeFileSync(
      join(stateDir, 'warden', 'policy.json'),
      JSON.stringify({tenants: [TENANT], interval: 30, failAfter: 1000}),
    )
    const deps = await composition(stateDir)
    // Linearity: the fleet grows to a quarter, a half, then all of it, with a sweep at each size.
    const partial = []
    let created = 0
    for (const size of [Math.round(COUNT / 4), Math.round(COUNT / 2)]) {
      await createFleet(created + 1, size)
      created = size
      partial.push({size, ...(await sweeps(deps, 5))})
    }
    const createStarted = performance.now()
    await createFleet(created + 1, COUNT)
    process.stderr.write(
      `[bench] warden: ${COUNT} containers (${round((performance.now() - createStarted) / 1000, 1)} s for the last ${COUNT - created})\n`,
    )
    const full = await sweeps(deps, SWEEPS)
    const baseline = []
    for (let index = 0; index < 5; index++)
      baseline.push((await timed('docker', ['ps', '-a', '--filter', `label=aims.tenant=${TENANT}`, '-q'])).ms)
    const rss = process.memoryUsage.rss()
    await deps.session.close()
    const cpuPercent = (full.cpuMsPerSweep / 30_000) * 100
    const perInstance = (row, size) => round(row.medianMs / size, 2)
    return [
      {
        bench: 'warden',
        subject: `sweep of ${full.instances} instances (${HTTP_COUNT} HTTP probes, ${COUNT - HTTP_COUNT} running), vs docker ps -a of them`,
        runs: SWEEPS,
        medianMs: round(full.medianMs),
        ratio: round(full.medianMs / median(baseline), 2),
        budget: '<= 2000 ms',
        ok: full.medianMs <= 2000 && full.unhealthy === 0 && full.instances === COUNT,
      },
      {
        bench: 'warden',
        subject: `CPU at the default 30 s interval: ${round(full.cpuMsPerSweep)} ms CPU per sweep`,
        runs: SWEEPS,
        medianMs: '',
        ratio: `${round(cpuPercent, 3)}%`,
        budget: '<= 1% of a core',
        ok: cpuPercent <= 1,
      },
      {
        bench: 'warden',
        subject: `RSS after ${SWEEPS + 1} sweeps (this process: the warden's composition and services)`,
        runs: 1,
        medianMs: '',
        ratio: `${round(rss / 1048576)} MiB`,
        budget: '<= 100 MiB',
        ok: rss <= 100 * 1048576,
      },
      {
        bench: 'warden',
        subject: `ms per instance at ${partial.map((row) => row.size).join('/')}/${COUNT}: ${partial.map((row) => perInstance(row, row.size)).join(' / ')} / ${perInstance(full, COUNT)}`,
        runs: 5,
        medianMs: '',
        ratio: '',
        budget: 'linear',
        ok: true,
      },
    ]
  } finally {
    const removed = await removeFleet()
    process.stderr.write(`[bench] warden: removed ${removed} containers\n`)
    rmSync(stateDir, {recursive: true, force: true})
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await benchWarden()
  for (const row of rows)
    console.log(
      `${row.ok ? 'ok  ' : 'OVER'}  ${row.subject}: ${row.medianMs} ms median ${row.ratio}  (budget ${row.budget})`,
    )
}
