/**
 * The warden on the bed: installed by the real aims over SSH, built on the host, running as a
 * container while no aims CLI process runs. It heals a killed instance within two intervals, waits
 * for N failures before acting on a sick one, climbs the ladder and gives up on a crash loop with
 * one alert per step, respects the policy and `plug stop`, survives its own process dying, and
 * uninstalls without a trace. Alerts go to receivers this test runs on loopback.
 */
import {existsSync, readFileSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {aims, homeWithHost, ROOT} from '../support/aims.js'
import {docker, httpGet, purgeTenant} from '../support/engine.js'
import {httpReceiver, smtpReceiver} from '../support/receivers.js'

const FIXTURES = join(ROOT, 'test', 'fixtures', 'plugs')
const TENANT = 'wd-e2e'
const STATE = '/tmp/wd-e2e-state'
const WEB = `aims-${TENANT}-fixture-web-web`
const SECRET = 'tok3nS3cretValue42'
let home: string
let http: Awaited<ReturnType<typeof httpReceiver>>
let smtp: Awaited<ReturnType<typeof smtpReceiver>>
const run = (args: string[]) => aims(args, {home, env: {AIMS_CATALOG_PATH: FIXTURES}, timeoutMs: 300_000})

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
): Promise<Exclude<T, false>> {
  const started = Date.now()
  for (;;) {
    const value = await probe().catch(() => undefined)
    if (value !== undefined && value !== false) return value as Exclude<T, false>
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 300))
  }
}

interface Payload {
  v: number
  event: string
  instance: string
  incident?: string
  step?: string
  message: string
}
const webhookPayloads = () =>
  http.received.filter((item) => item.path.startsWith('/hook')).map((item) => JSON.parse(item.body) as Payload)

const history = async (instance: string) => {
  const result = await run(['health', `${TENANT}/${instance}`, '--history', '--limit', '1000', '--json'])
  expect(result.code, result.stderr).toBe(0)
  return result.json().events as Array<{kind: string; step?: string; incident?: string; detail: string}>
}
const startedAt = async (name: string) => (await docker(['inspect', '--format', '{{.State.StartedAt}}', name])).trim()
const healthy = async (port: number) => (await httpGet(`http://127.0.0.1:${port}/health`)).status === 200

/** Until the warden itself has seen the instance healthy again (the incident closed). */
const settled = () =>
  until(
    'the warden to see it healthy',
    async () => {
      const status = (await run(['warden', 'status', '--json'])).json()
      return status.heartbeat?.states?.[`${TENANT}/fixture-web`]?.state === 'healthy'
    },
    30_000,
  )

const policy = async (key: string, value: string) => {
  const set = await run(['warden', 'policy', key, value, '--yes'])
  expect(set.code, set.stderr).toBe(0)
}

beforeAll(async () => {
  await purgeTenant(TENANT)
  await docker(['rm', '-f', 'aims-warden']).catch(() => '')
  rmSync(STATE, {recursive: true, force: true})
  http = await httpReceiver()
  smtp = await smtpReceiver()
  home = await homeWithHost('vps', ['--state-dir', STATE])
}, 60_000)

afterAll(async () => {
  await run(['warden', 'uninstall', '--purge', '--yes'])
  await purgeTenant(TENANT)
  await http?.close()
  await smtp?.close()
})

describe('the warden', () => {
  let port = 0

  it('installs on the host through the gate, and a second install is a no-op', async () => {
    const refused = await run(['warden', 'install'])
    expect(refused.code).toBe(3)
    expect((await docker(['ps', '-a', '-q', '--filter', 'name=^aims-warden$'])).trim()).toBe('')

    const install = await run([
      'warden',
      'install',
      '--policy',
      `tenants=${TENANT}`,
      '--policy',
      'interval=2',
      '--policy',
      'fail-after=2',
      '--policy',
      'recover-after=1',
      '--yes',
      '--json',
    ])
    expect(install.code, install.stderr).toBe(0)
    expect(install.json()).toMatchObject({status: 'installed', container: 'aims-warden'})
    const labels = JSON.parse(await docker(['inspect', '--format', '{{json .Config.Labels}}', 'aims-warden']))
    expect(labels).toMatchObject({'aims.managed': 'true', 'aims.role': 'warden'})
    expect(
      (
        await docker([
          'inspect',
          '--format',
          '{{.HostConfig.NetworkMode}} {{.HostConfig.RestartPolicy.Name}}',
          'aims-warden',
        ])
      ).trim(),
    ).toBe('host unless-stopped')

    const again = await run(['warden', 'install', '--yes', '--json'])
    expect(again.code, again.stderr).toBe(0)
    expect(again.json().status).toBe('already-installed')

    const status = await until(
      'a heartbeat',
      async () => {
        const result = await run(['warden', 'status', '--json'])
        return result.code === 0 && result.json().heartbeat?.lastSweepAt
          ? (result.json() as Record<string, any>)
          : undefined
      },
      30_000,
    )
    expect(status).toBeDefined()
    expect(status).toMatchObject({installed: true, running: true, stale: false, skew: false})
    expect(status!.heartbeat.rssBytes).toBeLessThan(100 * 1024 * 1024)
  }, 300_000)

  it('stores alert channels on the host with their secrets masked, and sends test alerts from there', async () => {
    const bad = await run(['alerts', 'add', 'pager', 'http://x'])
    expect(bad.code).toBe(2)
    for (const [kind, target] of [
      ['webhook', `${http.url}/hook?token=${SECRET}`],
      ['ntfy', `${http.url}/ntfy/aims-alerts`],
      ['email', `smtp://ops:${SECRET}@127.0.0.1:${smtp.port}?to=ops@example.com`],
    ]) {
      const add = await run(['alerts', 'add', kind!, target!, '--yes', '--json'])
      expect(add.code, add.stderr).toBe(0)
      expect(add.stdout).not.toContain(SECRET)
    }
    const ls = await run(['alerts', 'ls', '--json'])
    expect(ls.code, ls.stderr).toBe(0)
    expect(ls.json().channels).toHaveLength(3)
    expect(ls.stdout).not.toContain(SECRET)
    expect(readFileSync(join(STATE, 'audit.jsonl'), 'utf8')).not.toContain(SECRET)

    const test = await run(['alerts', 'test', '--json'])
    expect(test.code, test.stderr).toBe(0)
    expect(test.json().results.every((item: {ok: boolean}) => item.ok)).toBe(true)
    expect(webhookPayloads().some((payload) => payload.event === 'test')).toBe(true)
    expect(http.received.some((item) => item.path === '/ntfy/aims-alerts' && item.headers.title)).toBe(true)
    expect(smtp.mails.some((mail) => mail.to.includes('ops@example.com') && mail.data.includes('test alert'))).toBe(
      true,
    )
  }, 120_000)

  it('brings a killed instance back within two intervals, audited as the warden, alerted and in the history', async () => {
    const up = await run(['plug', 'up', 'fixture-web', '--tenant', TENANT, '--yes', '--json'])
    expect(up.code, up.stderr).toBe(0)
    port = up.json().port
    await until(
      'the warden to see it healthy',
      async () => {
        const status = (await run(['warden', 'status', '--json'])).json()
        return status.heartbeat?.states?.[`${TENANT}/fixture-web`]?.state === 'healthy'
      },
      20_000,
    )

    await docker(['kill', WEB])
    const killedAt = Date.now()
    await until('the instance to be back', () => healthy(port), 30_000)
    // fail-after 2 at a 2 s interval: seen down by the second sweep, restarted at once.
    expect(Date.now() - killedAt).toBeLessThan(2 * 2000 + 6000)

    const events = await until(
      'recovered in the history',
      async () => {
        const found = await history('fixture-web')
        return found.some((event) => event.kind === 'recovered') ? found : undefined
      },
      20_000,
    )
    const kinds = events.map((event) => event.kind)
    expect(kinds).toEqual(expect.arrayContaining(['probe-failed', 'down', 'healing', 'action-applied', 'recovered']))
    const audit = readFileSync(join(STATE, 'audit.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
    expect(audit).toContainEqual(
      expect.objectContaining({
        action: 'plug restart',
        target: `${TENANT}/fixture-web`,
        origin: 'warden',
        outcome: 'applied',
      }),
    )
    await until(
      'the alerts',
      async () => {
        const mine = webhookPayloads().filter((payload) => payload.instance === `${TENANT}/fixture-web`)
        return ['down', 'healing', 'recovered'].every((event) => mine.some((payload) => payload.event === event))
      },
      20_000,
    )

    const eventsCommand = await run(['events', '--since', '10m', '--tenant', TENANT, '--json'])
    expect(eventsCommand.code, eventsCommand.stderr).toBe(0)
    expect(eventsCommand.stdout).toMatch(/warden/)
  }, 180_000)

  it('acts on a sick instance only after N failed checks, not after one', async () => {
    const before = await startedAt(WEB)
    await docker(['exec', WEB, 'busybox', 'rm', '/www/health'])
    await until(
      'the restart that heals it',
      async () => (await startedAt(WEB)) !== before && (await healthy(port)),
      30_000,
    )
    const events = await history('fixture-web')
    const lastDown = events.map((event) => event.kind).lastIndexOf('down')
    const failuresBefore = events
      .slice(0, lastDown)
      .reverse()
      .findIndex((event) => event.kind !== 'probe-failed')
    // At least fail-after (2) failures in a row preceded this incident's "down".
    expect(failuresBefore === -1 ? lastDown : failuresBefore).toBeGreaterThanOrEqual(2)
  }, 60_000)

  it('respects a policy that forbids restarts: recreate heals instead', async () => {
    await settled()
    await policy('restart', 'no')
    const oldId = (await docker(['inspect', '--format', '{{.Id}}', WEB])).trim()
    await docker(['kill', WEB])
    await until(
      'recreated and healthy',
      async () => {
        const id = (await docker(['inspect', '--format', '{{.Id}}', WEB])).trim()
        return id !== oldId && (await healthy(port))
      },
      60_000,
    )
    const events = await history('fixture-web')
    const incident = events.filter((event) => event.kind === 'down').at(-1)!.incident
    const steps = events.filter((event) => event.incident === incident)
    expect(steps).toContainEqual(expect.objectContaining({kind: 'skipped', step: 'restart'}))
    expect(steps).toContainEqual(expect.objectContaining({kind: 'healing', step: 'recreate'}))
    expect(steps.some((event) => event.kind === 'healing' && event.step === 'restart')).toBe(false)
    await policy('restart', 'yes')
    await settled()
  }, 120_000)

  it('gives a crash loop up after the ladder, with exactly one alert per step', async () => {
    await policy('recreate', 'no')
    await policy('max-backoff', '4')
    // The next start of this container fails: its command is gone (a recreate would fix it).
    await docker(['exec', WEB, 'busybox', 'rm', '/bin/web'])
    await docker(['kill', WEB])
    const events = await until(
      'gave up',
      async () => {
        const found = await history('fixture-web')
        return found.at(-1)?.kind === 'gave-up' || found.some((event) => event.kind === 'gave-up') ? found : undefined
      },
      90_000,
    )
    const incident = events.filter((event) => event.kind === 'gave-up').at(-1)!.incident!
    await new Promise((resolve) => setTimeout(resolve, 5000)) // nothing more comes for this incident
    const alerts = webhookPayloads().filter((payload) => payload.incident === incident)
    expect(alerts.map((payload) => `${payload.event}${payload.step ? `:${payload.step}` : ''}`)).toEqual([
      'down',
      'healing:restart',
      'healing:restart',
      'gave-up',
    ])
    const status = (await run(['warden', 'status', '--json'])).json()
    expect(status.heartbeat.states[`${TENANT}/fixture-web`].state).toBe('gave-up')
    await policy('recreate', 'yes')
    const down = await run(['plug', 'down', `${TENANT}/fixture-web`, '--yes'])
    expect(down.code, down.stderr).toBe(0)
  }, 180_000)

  it('never heals an instance a person stopped', async () => {
    const up = await run(['plug', 'up', 'fixture-web', '--tenant', TENANT, '--yes', '--json'])
    expect(up.code, up.stderr).toBe(0)
    port = up.json().port
    const stop = await run(['plug', 'stop', `${TENANT}/fixture-web`, '--yes'])
    expect(stop.code, stop.stderr).toBe(0)
    await until(
      'noted as stopped on purpose',
      async () => (await history('fixture-web')).some((event) => event.kind === 'stopped-on-purpose'),
      20_000,
    )
    await new Promise((resolve) => setTimeout(resolve, 8000)) // four intervals
    expect((await docker(['inspect', '--format', '{{.State.Running}}', WEB])).trim()).toBe('false')
    const start = await run(['plug', 'start', `${TENANT}/fixture-web`, '--yes'])
    expect(start.code, start.stderr).toBe(0)
  }, 120_000)

  it('comes back by itself when its process dies, and goes on healing', async () => {
    const before = (await run(['warden', 'status', '--json'])).json().heartbeat.startedAt
    await docker(['exec', 'aims-warden', 'sh', '-c', 'kill -9 -1']).catch(() => '')
    await until(
      'the warden restarted by its restart policy',
      async () => {
        const status = (await run(['warden', 'status', '--json'])).json()
        return status.running && status.heartbeat?.startedAt !== before && status.heartbeat?.lastSweepAt
      },
      60_000,
    )
    expect(Number((await docker(['inspect', '--format', '{{.RestartCount}}', 'aims-warden'])).trim())).toBeGreaterThan(
      0,
    )
    await until('healthy before the kill', () => healthy(up()), 20_000)
    await docker(['kill', WEB])
    await until('healed by the restarted warden', () => healthy(up()), 30_000)
  }, 150_000)

  it('uninstalls without a trace', async () => {
    const out = await run(['warden', 'uninstall', '--purge', '--yes', '--json'])
    expect(out.code, out.stderr).toBe(0)
    expect((await docker(['ps', '-a', '-q', '--filter', 'name=^aims-warden$'])).trim()).toBe('')
    expect((await docker(['images', '-q', 'aims-warden'])).trim()).toBe('')
    for (const path of ['warden', 'history', 'alerts.json', 'intents'])
      expect(existsSync(join(STATE, path))).toBe(false)
  }, 120_000)

  const up = () => port
})
