/**
 * The reverse proxy and tenant isolation on the bed, through the real aims
 * binary: nginx routes instance.tenant.domain to the right instance, a broken
 * conf never takes nginx down, plug down removes the route; containers of one
 * tenant cannot reach another tenant's unless linked; 40 tenants fit.
 */
import {existsSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {aims, homeWithHost, ROOT} from '../support/aims.js'
import {aimsObjects, docker, httpGet, purgeTenant, removeConfs} from '../support/engine.js'

const FIXTURES = join(ROOT, 'test', 'fixtures', 'plugs')
const DOMAIN = 'iso.aims.test'
const A = 'iso-a'
const B = 'iso-b'
let home: string
const run = (args: string[]) => aims(args, {home, env: {AIMS_CATALOG_PATH: FIXTURES}})
const viaNginx = (host: string) => httpGet('http://127.0.0.1/', {Host: host})

/** Runs a command in a container; resolves with its exit code and output. */
async function inContainer(container: string, command: string[]): Promise<{code: number; output: string}> {
  try {
    return {code: 0, output: await docker(['exec', container, ...command])}
  } catch (error) {
    const failure = error as {code?: number; stdout?: string; stderr?: string}
    return {
      code: typeof failure.code === 'number' ? failure.code : 1,
      output: `${failure.stdout ?? ''}${failure.stderr ?? ''}`,
    }
  }
}
// busybox-static's wget -T crashes (SIGSEGV): bound it with timeout(1) instead.
const fetchFrom = (container: string, url: string) => inContainer(container, ['timeout', '3', 'wget', '-qO-', url])

async function ipOf(container: string, network: string): Promise<string> {
  return (
    await docker(['inspect', '-f', `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`, container])
  ).trim()
}

/** nginx reloads asynchronously: old workers may answer for a moment. */
async function eventually<T>(check: () => Promise<T>, ok: (value: T) => boolean, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms
  let value = await check()
  while (!ok(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    value = await check()
  }
  return value
}

beforeAll(async () => {
  for (const tenant of [A, B]) await purgeTenant(tenant)
  home = await homeWithHost('vps', ['--domain', DOMAIN])
  for (const [tenant, greeting] of [
    [A, 'tenant a'],
    [B, 'tenant b'],
  ] as const) {
    const up = await run([
      'plug',
      'up',
      'fixture-web',
      '--name',
      'web',
      '--tenant',
      tenant,
      '--env',
      `GREETING=${greeting}`,
      '--yes',
      '--json',
    ])
    expect(up.code, up.stderr).toBe(0)
    expect(up.json().domainUrl).toBe(`http://web.${tenant}.${DOMAIN}/`)
  }
  const sibling = await run(['plug', 'up', 'fixture-web', '--name', 'sibling', '--tenant', A, '--yes'])
  expect(sibling.code, sibling.stderr).toBe(0)
})

afterAll(async () => {
  for (const tenant of [A, B]) await purgeTenant(tenant)
  await removeConfs((name) => name.startsWith(`${A}-`) || name.startsWith(`${B}-`) || name.startsWith('many-'))
})

describe('routing', () => {
  it("the same instance name in two tenants routes to each tenant's own instance", async () => {
    expect(await viaNginx(`web.${A}.${DOMAIN}`)).toEqual({status: 200, body: 'tenant a\n'})
    expect(await viaNginx(`web.${B}.${DOMAIN}`)).toEqual({status: 200, body: 'tenant b\n'})
  })

  it('a broken conf (forced) leaves the previous conf live and nginx serving', async () => {
    const conf = `/etc/nginx/conf.d/plugs/${B}-web.conf`
    const {readFileSync} = await import('node:fs')
    const good = readFileSync(conf, 'utf8')
    // A rival file that breaks `nginx -t`: aims' next apply must fail, put its own file back and keep serving.
    const rival = `/etc/nginx/conf.d/plugs/zz-broken-${process.pid}.conf`
    writeFileSync(rival, 'this is not nginx syntax;\n')
    try {
      const scale = await run(['plug', 'scale', `${B}/web`, '--replicas', '2', '--yes'])
      expect(scale.code).not.toBe(0)
      expect(scale.stderr).toMatch(/nginx|emerg/)
      expect(readFileSync(conf, 'utf8')).toBe(good)
      expect(await viaNginx(`web.${B}.${DOMAIN}`)).toEqual({status: 200, body: 'tenant b\n'})
    } finally {
      const {rmSync} = await import('node:fs')
      rmSync(rival, {force: true})
    }
    expect((await run(['plug', 'scale', `${B}/web`, '--replicas', '1', '--yes'])).code).toBe(0)
  })

  it('replicas sit behind one upstream: the conf lists every replica and changes with them', async () => {
    const conf = `/etc/nginx/conf.d/plugs/${A}-sibling.conf`
    const {readFileSync} = await import('node:fs')
    const scale = await run(['plug', 'scale', `${A}/sibling`, '--replicas', '3', '--yes', '--json'])
    expect(scale.code, scale.stderr).toBe(0)
    const ports: number[] = scale.json().ports
    expect(ports).toHaveLength(3)
    for (const port of ports) expect(readFileSync(conf, 'utf8')).toContain(`server 127.0.0.1:${port};`)
    const down = await run(['plug', 'scale', `${A}/sibling`, '--replicas', '1', '--yes', '--json'])
    expect(down.code, down.stderr).toBe(0)
    expect(readFileSync(conf, 'utf8').match(/server 127\.0\.0\.1:\d+;/g)).toHaveLength(1)
  })
})

describe('isolation between tenants', () => {
  it('same tenant reachable by name and IP', async () => {
    const byName = await fetchFrom(`aims-${A}-sibling-web`, 'http://web:8080/')
    expect(byName).toMatchObject({code: 0, output: 'tenant a\n'})
    const ip = await ipOf(`aims-${A}-web-web`, `aims-t-${A}`)
    expect(await fetchFrom(`aims-${A}-sibling-web`, `http://${ip}:8080/`)).toMatchObject({
      code: 0,
      output: 'tenant a\n',
    })
  })

  it('other tenant not reachable by IP, by name, or through 127.0.0.1 ports', async () => {
    const from = `aims-${A}-web-web`
    const ipB = await ipOf(`aims-${B}-web-web`, `aims-t-${B}`)
    expect((await fetchFrom(from, `http://${ipB}:8080/`)).code).not.toBe(0)
    const lookup = await inContainer(from, ['nslookup', `web.${B}`])
    expect(lookup.output).not.toContain(ipB)
    expect((await inContainer(from, ['nslookup', `aims-${B}-web-web`])).output).not.toContain(ipB)
    const portB = (await run(['plug', 'ls', '--tenant', B, '--json'])).json().instances[0].port
    expect((await fetchFrom(from, `http://127.0.0.1:${portB}/`)).code).not.toBe(0)
    const gateway = (
      await docker(['network', 'inspect', '-f', '{{(index .IPAM.Config 0).Gateway}}', `aims-t-${A}`])
    ).trim()
    expect((await fetchFrom(from, `http://${gateway}:${portB}/`)).code).not.toBe(0)
  })

  it('reachable after --link, and only the linked instance', async () => {
    const up = await run([
      'plug',
      'up',
      'fixture-web',
      '--name',
      'linked',
      '--tenant',
      B,
      '--link',
      `${A}/web`,
      '--yes',
      '--json',
    ])
    expect(up.code, up.stderr).toBe(0)
    expect(
      up
        .json()
        .plan.changes.some(
          (change: {action: string; detail?: string}) =>
            change.action === 'connect' && /iso-a\/web/.test(change.detail ?? ''),
        ),
    ).toBe(true)
    expect(await fetchFrom(`aims-${B}-linked-web`, `http://web.${A}:8080/`)).toMatchObject({
      code: 0,
      output: 'tenant a\n',
    })
    // The sibling of the linked instance stays out of reach.
    const siblingIp = await ipOf(`aims-${A}-sibling-web`, `aims-t-${A}`)
    expect((await fetchFrom(`aims-${B}-linked-web`, `http://${siblingIp}:8080/`)).code).not.toBe(0)
    // And the rest of tenant B did not gain access.
    const ipA = await ipOf(`aims-${A}-web-web`, `aims-t-${A}`)
    expect((await fetchFrom(`aims-${B}-web-web`, `http://${ipA}:8080/`)).code).not.toBe(0)
    expect((await run(['plug', 'down', `${B}/linked`, '--yes'])).code).toBe(0)
    expect((await aimsObjects({'aims.tenant': B, 'aims.instance': 'linked'})).networks).toEqual([])
  })
})

describe('decommission', () => {
  it('plug down removes the conf and the route', async () => {
    const down = await run(['plug', 'down', `${A}/web`, '--yes', '--json'])
    expect(down.code, down.stderr).toBe(0)
    expect(down.json().removed.proxyConf).toBe(true)
    expect(existsSync(`/etc/nginx/conf.d/plugs/${A}-web.conf`)).toBe(false)
    const after = await eventually(
      () => viaNginx(`web.${A}.${DOMAIN}`),
      (response) => response.body !== 'tenant a\n',
    )
    expect(after.body).not.toBe('tenant a\n')
    expect(await viaNginx(`web.${B}.${DOMAIN}`)).toEqual({status: 200, body: 'tenant b\n'})
    for (const instance of [`${A}/sibling`, `${B}/web`])
      expect((await run(['plug', 'down', instance, '--yes'])).code).toBe(0)
    expect(await aimsObjects({'aims.tenant': A})).toEqual({containers: [], volumes: [], networks: []})
  })
})

describe('many tenants', () => {
  it('40 tenants, each with one instance: all healthy and routed', {timeout: 600_000}, async () => {
    const tenants = Array.from({length: 40}, (_, index) => `many-${String(index).padStart(2, '0')}`)
    for (const tenant of tenants) await purgeTenant(tenant)
    try {
      // Five at a time: the host lock serializes allocation anyway.
      for (let index = 0; index < tenants.length; index += 5) {
        const batch = tenants.slice(index, index + 5)
        const results = await Promise.all(
          batch.map((tenant) =>
            run([
              'plug',
              'up',
              'fixture-web',
              '--name',
              'app',
              '--tenant',
              tenant,
              '--env',
              `GREETING=${tenant}`,
              '--yes',
            ]),
          ),
        )
        for (const result of results) expect(result.code, result.stderr).toBe(0)
      }
      const ls = (await run(['plug', 'ls', '--json']))
        .json()
        .instances.filter((row: {tenant: string}) => row.tenant.startsWith('many-'))
      expect(ls).toHaveLength(40)
      expect(ls.every((row: {health: string}) => row.health === 'healthy')).toBe(true)
      for (const tenant of tenants)
        expect(await viaNginx(`app.${tenant}.${DOMAIN}`)).toEqual({status: 200, body: `${tenant}\n`})
      const subnets = new Set<string>()
      for (const tenant of tenants)
        subnets.add(
          (await docker(['network', 'inspect', '-f', '{{(index .IPAM.Config 0).Subnet}}', `aims-t-${tenant}`])).trim(),
        )
      expect(subnets.size).toBe(40)
    } finally {
      for (let index = 0; index < tenants.length; index += 8) {
        await Promise.all(
          tenants.slice(index, index + 8).map((tenant) => run(['plug', 'down', `${tenant}/app`, '--yes'])),
        )
      }
    }
    for (const tenant of tenants) expect(existsSync(`/etc/nginx/conf.d/plugs/${tenant}-app.conf`)).toBe(false)
  })
})
