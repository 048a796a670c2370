/**
 * `aims events`, `aims stats` and `aims health` on the bed: aims' lifecycle
 * events recorded on the host and merged with the engine's, one sample of
 * every container, live health with a "health changed" event when an
 * instance stops answering.
 */
import {randomBytes} from 'node:crypto'
import {spawn} from 'node:child_process'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {aims, aimsEnv, BIN, homeWithHost, ROOT} from '../support/aims.js'
import {docker, purgeTenant} from '../support/engine.js'

// A fresh tenant per run: events and health changes of earlier runs stay on the host (events.jsonl).
const TENANT = `dock-cli-${randomBytes(2).toString('hex').slice(0, 3)}`
const FIXTURES = join(ROOT, 'test', 'fixtures', 'plugs')
const env = {AIMS_CATALOG_PATH: FIXTURES}
let home: string
const run = (args: string[]) => aims(args, {home, env})
const jsonLines = (text: string) =>
  text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>)

beforeAll(async () => {
  await purgeTenant(TENANT)
  home = await homeWithHost()
  const up = await run(['plug', 'up', 'fixture-web', '--name', 'web', '--tenant', TENANT, '--yes'])
  expect(up.code, up.stderr).toBe(0)
})
afterAll(async () => {
  await docker(['unpause', `aims-${TENANT}-web-web`]).catch(() => '')
  await purgeTenant(TENANT)
})

describe('aims events', () => {
  it('lists engine and aims events of the deploy in time order, one JSON object per line', async () => {
    const result = await run(['events', '--since', '10m', '--tenant', TENANT, '--json'])
    expect(result.code, result.stderr).toBe(0)
    const events = jsonLines(result.stdout)
    for (const event of events)
      expect(
        Object.keys(event)
          .filter((key) => key !== 'actor')
          .sort(),
      ).toEqual(['action', 'instance', 'message', 'service', 'source', 'tenant', 'time', 'type'])
    const story = events.map((event) => `${event.source}:${event.action}`)
    expect(story).toEqual(
      expect.arrayContaining(['aims:deploy-started', 'engine:create', 'engine:start', 'aims:deploy-ready']),
    )
    expect(story.indexOf('aims:deploy-started')).toBeLessThan(story.indexOf('engine:create'))
    expect(story.indexOf('engine:start')).toBeLessThan(story.indexOf('aims:deploy-ready'))
    const times = events.map((event) => Date.parse(event.time as string))
    expect(times).toEqual([...times].sort((a, b) => a - b))
    expect(events.every((event) => event.tenant === TENANT)).toBe(true)
    // The deploy's generated secret never appears.
    const secret = JSON.parse(await docker(['inspect', '--format', '{{json .Config.Env}}', `aims-${TENANT}-web-web`]))
      .find((item: string) => item.startsWith('APP_SECRET='))!
      .split('=')[1]
    expect(result.stdout).not.toContain(secret)

    const human = await run(['events', '--since', '10m', '--tenant', TENANT])
    expect(human.stdout).toMatch(
      /^\d\d:\d\d:\d\d {2}aims {4}dock-cli-[0-9a-f]{3}\/web {2}deploy-ready: fixture-web on port \d+$/m,
    )
    expect(human.stdout).toMatch(
      /^\d\d:\d\d:\d\d {2}engine {2}dock-cli-[0-9a-f]{3}\/web {2}container aims-dock-cli-[0-9a-f]{3}-web-web start$/m,
    )
  })

  it('--follow streams what another process does, then stops cleanly on Ctrl-C', async () => {
    const child = spawn(process.execPath, [BIN, 'events', '--follow', '--tenant', TENANT, '--json'], {
      env: aimsEnv({home, env}),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
    // Give the follower time to connect before acting.
    await new Promise((resolve) => setTimeout(resolve, 1500))
    const restart = await run(['plug', 'restart', `${TENANT}/web`, '--yes'])
    expect(restart.code, restart.stderr).toBe(0)
    const deadline = Date.now() + 10_000
    while (!/"action":"restarted"/.test(stdout) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50))
    child.kill('SIGINT')
    expect(await exited, stderr).toBe(0)
    const actions = jsonLines(stdout).map((event) => `${event.source}:${event.action}`)
    expect(actions).toEqual(expect.arrayContaining(['engine:restart', 'aims:restarted']))
    expect(actions.filter((action) => action === 'aims:restarted')).toHaveLength(1)
  })

  it('refuses a bad --since with exit 2 and no side effect', async () => {
    const result = await run(['events', '--since', 'last tuesday'])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/invalid --since "last tuesday" — give a duration such as 90s, 10m/)
  })
})

describe('aims stats', () => {
  it('samples the instance: CPU, memory used against its 64 MiB limit, network', async () => {
    const result = await run(['stats', `${TENANT}/web`, '--json'])
    expect(result.code, result.stderr).toBe(0)
    const [instance] = result.json().instances
    expect(instance).toMatchObject({ref: `${TENANT}/web`, status: 'running', memoryLimitBytes: 64 * 1024 * 1024})
    expect(instance.memoryBytes).toBeGreaterThan(0)
    expect(instance.cpuPercent).toBeGreaterThanOrEqual(0)
    expect(instance.containers[0]).toMatchObject({service: 'web', sampled: true})
    const human = await run(['stats', '--tenant', TENANT])
    expect(human.stdout).toMatch(/^dock-cli-[0-9a-f]{3}\/web +fixture-web +running +\d+\.\d% +\S+ \/ 64M +\S+ \/ \S+$/m)
    expect(human.stdout).toMatch(/^total \(1 running container\)/m)
  })
})

describe('aims health', () => {
  it('is healthy with the probe detail, unhealthy (exit 1) when the app stops answering, and records the change', async () => {
    const healthy = await run(['health', '--tenant', TENANT, '--json'])
    expect(healthy.code, healthy.stderr).toBe(0)
    expect(healthy.json()).toMatchObject({
      healthy: true,
      instances: [
        {
          ref: `${TENANT}/web`,
          health: 'healthy',
          services: [{service: 'web', ok: true, detail: 'HTTP 200 on /health'}],
        },
      ],
    })

    await docker(['pause', `aims-${TENANT}-web-web`])
    try {
      const sick = await run(['health', `${TENANT}/web`])
      expect(sick.code).toBe(1)
      expect(sick.stdout).toMatch(/^ {2}web +paused +fail +container is paused$/m)
      expect(sick.stderr).toMatch(
        /^Error: dock-cli-[0-9a-f]{3}\/web is unhealthy: web: container is paused — see aims plug logs dock-cli-[0-9a-f]{3}\/web$/m,
      )
      const json = await run(['health', `${TENANT}/web`, '--json'])
      expect(json.code).toBe(1)
      expect(json.json()).toMatchObject({healthy: false, changes: []})
    } finally {
      await docker(['unpause', `aims-${TENANT}-web-web`])
    }
    const back = await run(['health', `${TENANT}/web`])
    expect(back.code, back.stderr).toBe(0)

    const events = jsonLines((await run(['events', '--since', '10m', '--tenant', TENANT, '--json'])).stdout).filter(
      (event) => event.action === 'health-changed',
    )
    expect(events.map((event) => event.message)).toEqual([
      'health changed: healthy → unhealthy (web: container is paused)',
      'health changed: unhealthy → healthy (HTTP 200 on /health)',
    ])
  })
})
