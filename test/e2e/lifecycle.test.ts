/**
 * The instance lifecycle on the bed: the real aims binary, over real SSH, on
 * a real engine — for each fixture plug, deploy → HTTP → ls → logs →
 * stop/start/restart → down, with the engine checked directly.
 */
import {existsSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {aims, homeWithHost, ROOT} from '../support/aims.js'
import {aimsObjects, httpGet, purgeTenant} from '../support/engine.js'

const FIXTURES = join(ROOT, 'test', 'fixtures', 'plugs')
const TENANT = 'lc-e2e'
let home: string
const env = {AIMS_CATALOG_PATH: FIXTURES}
const run = (args: string[], extra: Record<string, string> = {}) => aims(args, {home, env: {...env, ...extra}})

beforeAll(async () => {
  await purgeTenant(TENANT)
  home = await homeWithHost()
})
afterAll(async () => {
  await purgeTenant(TENANT)
})

describe.each(['fixture-web', 'fixture-stack'])('lifecycle of %s', (plug) => {
  it('deploys, serves, lists, logs, stops, starts, restarts and goes away without a trace', async () => {
    const up = await run(['plug', 'up', plug, '--tenant', TENANT, '--yes', '--json'])
    expect(up.code, up.stderr).toBe(0)
    const result = up.json()
    expect(result.status).toBe('ready')
    expect(result.instance).toBe(`${TENANT}/${plug}`)
    expect(result.port).toBeGreaterThanOrEqual(51000)
    expect(result.localUrl).toBe(`http://127.0.0.1:${result.port}/`)

    const page = await httpGet(result.localUrl)
    expect(page.status).toBe(200)

    const ls = await run(['plug', 'ls', '--tenant', TENANT, '--json'])
    expect(ls.code, ls.stderr).toBe(0)
    const row = ls.json().instances.find((item: {instance: string}) => item.instance === plug)
    expect(row).toMatchObject({tenant: TENANT, plug, status: 'running', health: 'healthy', port: result.port})

    const logs = await run(['plug', 'logs', `${TENANT}/${plug}`, '--tail', '20'])
    expect(logs.code, logs.stderr).toBe(0)
    expect(logs.stdout).toMatch(/fixture web: listening on :8080/)

    const stop = await run(['plug', 'stop', `${TENANT}/${plug}`, '--yes'])
    expect(stop.code, stop.stderr).toBe(0)
    const stopped = (await run(['plug', 'ls', '--tenant', TENANT, '--json']))
      .json()
      .instances.find((item: {instance: string}) => item.instance === plug)
    expect(stopped.status).toBe('stopped')
    await expect(httpGet(result.localUrl)).rejects.toThrow()

    const start = await run(['plug', 'start', `${TENANT}/${plug}`, '--yes'])
    expect(start.code, start.stderr).toBe(0)
    expect((await httpGet(result.localUrl)).status).toBe(200)

    const restart = await run(['plug', 'restart', plug, '--tenant', TENANT, '--yes', '--json'])
    expect(restart.code, restart.stderr).toBe(0)
    expect(restart.json().health.ok).toBe(true)

    const down = await run(['plug', 'down', `${TENANT}/${plug}`, '--yes', '--json'])
    expect(down.code, down.stderr).toBe(0)
    const left = await aimsObjects({'aims.tenant': TENANT, 'aims.instance': plug})
    expect(left).toEqual({containers: [], volumes: [], networks: []})
  })
})

describe('health gate', () => {
  it.each([
    ['fixture-sick', /still waiting for a database that never comes/, /did not become healthy/],
    ['fixture-crash', /FATAL: required setting APP_SECRET_FILE missing/, /crashed|exited/],
  ])('%s → exit 4, its log lines shown, nothing left', async (plug, logLine, reason) => {
    const up = await run(['plug', 'up', plug, '--tenant', TENANT, '--yes'])
    expect(up.code, up.stderr).toBe(4)
    expect(up.stderr).toMatch(logLine)
    expect(up.stderr).toMatch(reason)
    expect(up.stderr).toMatch(/everything this deploy created was removed/)
    const left = await aimsObjects({'aims.tenant': TENANT, 'aims.instance': plug})
    expect(left).toEqual({containers: [], volumes: [], networks: []})
    // The port is released: the next deploy may take it again.
    const ls = await run(['plug', 'ls', '--tenant', TENANT, '--json'])
    expect(ls.json().instances.filter((item: {instance: string}) => item.instance === plug)).toEqual([])
  })

  it('under --json the failure is structured and carries the log lines', async () => {
    const up = await run(['plug', 'up', 'fixture-crash', '--name', 'crash-json', '--tenant', TENANT, '--yes', '--json'])
    expect(up.code).toBe(4)
    const error = up.json().error
    expect(error.kind).toBe('unhealthy')
    expect(error.details.logs.join('\n')).toMatch(/FATAL/)
    expect(up.stderr).toBe('')
  })
})

describe('the gate', () => {
  it('without a TTY and without --yes nothing happens: exit 3 and the plan printed', async () => {
    const up = await run(['plug', 'up', 'fixture-web', '--name', 'gate-test', '--tenant', TENANT])
    expect(up.code).toBe(3)
    expect(up.stdout).toMatch(/Plan: Deploy fixture-web as lc-e2e\/gate-test/)
    expect(up.stderr).toMatch(/not confirmed/)
    expect(await aimsObjects({'aims.tenant': TENANT, 'aims.instance': 'gate-test'})).toEqual({
      containers: [],
      volumes: [],
      networks: [],
    })
  })

  it('--dry-run --json prints the plan and changes nothing', async () => {
    const dry = await run(['plug', 'up', 'fixture-stack', '--name', 'dry', '--tenant', TENANT, '--dry-run', '--json'])
    expect(dry.code, dry.stderr).toBe(0)
    const result = dry.json()
    expect(result.status).toBe('dry-run')
    expect(result.plan.gates).toHaveLength(8)
    expect(result.plan.gates.every((gate: {status: string}) => gate.status === 'pass')).toBe(true)
    expect(result.plan.changes.map((change: {kind: string}) => change.kind)).toContain('container')
    // Generated secrets are masked in the plan.
    expect(JSON.stringify(result)).toMatch(/DB_PASSWORD=••••••/)
    expect(await aimsObjects({'aims.tenant': TENANT, 'aims.instance': 'dry'})).toEqual({
      containers: [],
      volumes: [],
      networks: [],
    })
  })

  it('a taken name fails the names gate with exit 2 and suggests --name', async () => {
    expect((await run(['plug', 'up', 'fixture-web', '--name', 'taken', '--tenant', TENANT, '--yes'])).code).toBe(0)
    const again = await run(['plug', 'up', 'fixture-web', '--name', 'taken', '--tenant', TENANT, '--yes'])
    expect(again.code).toBe(2)
    expect(again.stderr).toMatch(/already exists.*--name/)
    expect((await run(['plug', 'down', `${TENANT}/taken`, '--yes'])).code).toBe(0)
  })

  it('plug down without a TTY and without --yes changes nothing (exit 3)', async () => {
    expect((await run(['plug', 'up', 'fixture-web', '--name', 'keep-me', '--tenant', TENANT, '--yes'])).code).toBe(0)
    const down = await run(['plug', 'down', `${TENANT}/keep-me`])
    expect(down.code).toBe(3)
    expect((await aimsObjects({'aims.tenant': TENANT, 'aims.instance': 'keep-me'})).containers).toHaveLength(1)
    expect((await run(['plug', 'down', `${TENANT}/keep-me`, '--yes'])).code).toBe(0)
  })

  it('unknown plug and unknown instance: exit 2 with "did you mean"', async () => {
    const plug = await run(['plug', 'up', 'fixture-wbe', '--tenant', TENANT, '--yes'])
    expect(plug.code).toBe(2)
    expect(plug.stderr).toMatch(/unknown plug "fixture-wbe".*did you mean "fixture-web"/)
    expect((await run(['plug', 'up', 'fixture-web', '--name', 'present', '--tenant', TENANT, '--yes'])).code).toBe(0)
    const instance = await run(['plug', 'status', `${TENANT}/presnet`])
    expect(instance.code).toBe(2)
    expect(instance.stderr).toMatch(/did you mean "lc-e2e\/present"/)
    expect((await run(['plug', 'down', `${TENANT}/present`, '--yes'])).code).toBe(0)
  })
})

describe('hostile input', () => {
  const marker = '/tmp/aims-e2e-injected'
  const hostile = [
    'a;touch /tmp/aims-e2e-injected',
    '$(touch /tmp/aims-e2e-injected)',
    '`touch /tmp/aims-e2e-injected`',
    'a"b',
    "a'b",
    'a\nb',
    '../etc',
    'x'.repeat(200),
  ]

  it.each(hostile)('instance, tenant and env key %j → exit 2, nothing created', async (value) => {
    rmSync(marker, {force: true})
    for (const args of [
      ['plug', 'up', 'fixture-web', '--name', value, '--tenant', TENANT, '--yes'],
      ['plug', 'up', 'fixture-web', '--name', 'hostile', '--tenant', value, '--yes'],
      ['plug', 'up', 'fixture-web', '--name', 'hostile', '--tenant', TENANT, '--env', `${value}=1`, '--yes'],
    ]) {
      const result = await run(args)
      expect(result.code, `${args.join(' ')}\n${result.stderr}`).toBe(2)
      expect(result.stderr.trim().split('\n')).toHaveLength(1)
    }
    expect(existsSync(marker)).toBe(false)
    expect(await aimsObjects({'aims.instance': 'hostile'})).toEqual({containers: [], volumes: [], networks: []})
  })

  it.each([
    [['--memory', 'lots'], /invalid memory size/],
    [['--cpus=-1'], /invalid CPU count/],
    [['--cpus', 'two'], /invalid CPU count/],
    [['--domain', 'a;b.example.com'], /invalid domain/],
    [['--link', 'nope'], /--link/],
  ])('%j → exit 2 with a one-line reason', async (flags, message) => {
    const result = await run(['plug', 'up', 'fixture-web', '--name', 'hostile', '--tenant', TENANT, '--yes', ...flags])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(message)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
  })

  it('an env value with shell syntax reaches the container byte for byte and runs nothing', async () => {
    rmSync(marker, {force: true})
    const value = `$(touch ${marker}) "quoted" 'single' \`touch ${marker}\`; echo done`
    const up = await run([
      'plug',
      'up',
      'fixture-web',
      '--name',
      'bytes',
      '--tenant',
      TENANT,
      '--env',
      `GREETING=${value}`,
      '--yes',
      '--json',
    ])
    expect(up.code, up.stderr).toBe(0)
    const {containerEnv} = await import('../support/engine.js')
    expect((await containerEnv(`aims-${TENANT}-bytes-web`)).GREETING).toBe(value)
    // The fixture serves GREETING as its home page.
    expect((await httpGet(up.json().localUrl)).body.trim()).toBe(value)
    expect(existsSync(marker)).toBe(false)
    expect((await run(['plug', 'down', `${TENANT}/bytes`, '--yes'])).code).toBe(0)
  })
})

describe('configuration sources and the audit trail', () => {
  it('--env-file feeds variables; the audit log (local and the host copy) records the deploy with env values masked', async () => {
    const {writeFileSync, mkdtempSync} = await import('node:fs')
    const {tmpdir} = await import('node:os')
    const dir = mkdtempSync(join(tmpdir(), 'aims-envfile-'))
    const file = join(dir, 'web.env')
    writeFileSync(file, '# settings\nGREETING="from the env file"\nexport APP_SECRET=s3cr3t-from-file\n')
    const up = await run([
      'plug',
      'up',
      'fixture-web',
      '--name',
      'envfile',
      '--tenant',
      TENANT,
      '--env-file',
      file,
      '--env',
      'EXTRA_TOKEN=tok-123',
      '--yes',
      '--json',
    ])
    expect(up.code, up.stderr).toBe(0)
    expect((await httpGet(up.json().localUrl)).body).toBe('from the env file\n')
    const {containerEnv} = await import('../support/engine.js')
    expect((await containerEnv(`aims-${TENANT}-envfile-web`)).APP_SECRET).toBe('s3cr3t-from-file')

    const local = await run(['audit', '--json'])
    const record = local
      .json()
      .records.find(
        (item: {target: string; action: string}) => item.target === `${TENANT}/envfile` && item.action === 'plug up',
      )
    expect(record).toMatchObject({outcome: 'applied', origin: 'cli', host: 'vps'})
    expect(record.command).toMatch(/--env "EXTRA_TOKEN=\*\*\*"/)
    const remote = await run(['audit', '--remote', '--json'])
    expect(remote.json().records.some((item: {id: string}) => item.id === record.id)).toBe(true)
    expect(JSON.stringify(local.json()) + JSON.stringify(remote.json())).not.toMatch(/tok-123|s3cr3t-from-file/)
    expect((await run(['plug', 'down', `${TENANT}/envfile`, '--yes'])).code).toBe(0)
  })
})
