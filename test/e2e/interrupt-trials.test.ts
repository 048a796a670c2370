/**
 * kill -9 and SSH-cut trials at random points of `plug up` (issue 10, items
 * 3-5), on the bed: aims runs through a TCP proxy we control (test/support/
 * tcp-proxy.ts), and each trial either kills aims (SIGKILL) or cuts its SSH
 * connection at a random moment. Every run that ends by itself exits 0-4
 * with no Node-internal message; afterwards `plug down` of every trial's
 * instance leaves nothing of the tenant: no container, volume, network,
 * journal or nginx conf. Seeded: AIMS_TRIAL_SEED=N reruns one sequence.
 */
import {existsSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {aims, bed, homeWithHost, ROOT, spawnAims, tempHome} from '../support/aims.js'
import {aimsObjects, purgeTenant} from '../support/engine.js'
import {tcpProxy, type TcpProxy} from '../support/tcp-proxy.js'

const SEED = Number(process.env.AIMS_TRIAL_SEED ?? Date.now() % 1_000_000)
const TRIALS = Number(process.env.AIMS_TRIALS ?? 20)
const TENANT = `hd-trial-${(SEED % 46656).toString(36)}`
const env = {AIMS_CATALOG_PATH: join(ROOT, 'test', 'fixtures', 'plugs')}
const NODE_INTERNAL = /unsettled top-level await|node:internal|Warning: Detected|^\s+at .+:\d+:\d+\)?$/m

/** mulberry32: a small seeded PRNG, so a failing sequence can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

let proxy: TcpProxy
let viaProxy: string
let direct: string

beforeAll(async () => {
  console.log(`interrupt trials: seed ${SEED} (AIMS_TRIAL_SEED=${SEED} replays it), ${TRIALS} trials, tenant ${TENANT}`)
  await purgeTenant(TENANT)
  const b = bed()
  proxy = await tcpProxy({host: b.sshHost, port: b.sshPort})
  viaProxy = tempHome('aims-hd-trial-')
  const add = await aims(
    ['host', 'add', 'vps', `root@127.0.0.1:${proxy.port}`, '--identity', b.identity, '--default'],
    {home: viaProxy},
  )
  expect(add.code, add.stderr).toBe(0)
  const trust = await aims(['host', 'trust', 'vps', '--yes'], {home: viaProxy})
  expect(trust.code, trust.stderr).toBe(0)
  direct = await homeWithHost()
}, 60_000)
afterAll(async () => {
  await proxy?.close()
  await purgeTenant(TENANT)
})

describe('plug up interrupted at random points', () => {
  it(`${TRIALS} kill -9 and SSH-cut trials leave nothing after plug down`, async () => {
    const next = random(SEED)
    const outcomes: Array<{trial: number; mode: string; delayMs: number; code: number | null; signal: string | null}> =
      []
    for (let trial = 0; trial < TRIALS; trial++) {
      const mode = next() < 0.5 ? 'kill-9' : 'ssh-cut'
      // The fixture deploys in ~1-3 s here: cuts land from connecting to routing.
      const delayMs = Math.round(150 + next() * 3000)
      const child = spawnAims(['plug', 'up', 'fixture-web', '--name', `t${trial}`, '--tenant', TENANT, '--yes'], {
        home: viaProxy,
        env,
      })
      let output = ''
      child.stdout!.on('data', (chunk) => (output += chunk))
      child.stderr!.on('data', (chunk) => (output += chunk))
      child.stdin!.end()
      const timer = setTimeout(() => (mode === 'kill-9' ? child.kill('SIGKILL') : proxy.cut()), delayMs)
      // A cut connection is noticed within ~15 s (keepalive 5 s × 2): an aims still running 60 s later hangs.
      let hung = false
      const watchdog = setTimeout(() => ((hung = true), child.kill('SIGKILL')), delayMs + 60_000)
      const [code, signal] = await new Promise<[number | null, string | null]>((resolve) =>
        child.on('close', (exitCode, exitSignal) => resolve([exitCode, exitSignal])),
      )
      clearTimeout(timer)
      clearTimeout(watchdog)
      expect(hung, `trial ${trial} (${mode} at ${delayMs} ms) still ran 60 s after it:\n${output}`).toBe(false)
      outcomes.push({trial, mode, delayMs, code, signal})
      expect(output, `trial ${trial} (${mode} at ${delayMs} ms): a Node-internal message`).not.toMatch(NODE_INTERNAL)
      if (signal === null) expect([0, 1, 2, 3, 4], `trial ${trial}: exit ${code}\n${output}`).toContain(code)
      if (mode === 'ssh-cut' && code === 1) expect(output).toMatch(/^Error: .+ — .+/m)
    }
    console.log(
      outcomes.map((item) => `#${item.trial} ${item.mode}@${item.delayMs}ms → ${item.signal ?? item.code}`).join('\n'),
    )

    // The next plug down of each (direct, no proxy) removes whatever the trial left.
    for (let trial = 0; trial < TRIALS; trial++) {
      const down = await aims(['plug', 'down', `${TENANT}/t${trial}`, '--yes'], {home: direct, env})
      expect([0, 2], `plug down t${trial}: ${down.stderr}`).toContain(down.code)
      if (down.code === 2) expect(down.stderr).toMatch(/no instance/i)
      expect(down.stderr + down.stdout).not.toMatch(NODE_INTERNAL)
    }
    expect(await aimsObjects({'aims.tenant': TENANT})).toEqual({containers: [], volumes: [], networks: []})
    const journals = existsSync('/var/lib/aims/deploys') ? readdirSync('/var/lib/aims/deploys') : []
    expect(journals.filter((name) => name.startsWith(`${TENANT}@`))).toEqual([])
    const confs = existsSync('/etc/nginx/conf.d/plugs') ? readdirSync('/etc/nginx/conf.d/plugs') : []
    expect(confs.filter((name) => name.startsWith(`${TENANT}-`))).toEqual([])
    const ps = await aims(['ps', '--tenant', TENANT, '--no-probe', '--json'], {home: direct})
    expect(ps.json().instances).toEqual([])
  }, 480_000)
})
