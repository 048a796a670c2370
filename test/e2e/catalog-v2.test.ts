/**
 * Catalog v2 through the real `aims` on the bed (issue 13): fixture-v2 has a path route (/api/ → a second
 * service), a config file rendered from the plug's variables and bind-mounted read-only, a one-shot init job
 * both services wait for (its volume shared with the api), and nginx in front. A failing init job stops the
 * deploy with exit 4 and leaves nothing; `plug down` leaves nothing either (containers, volumes, networks,
 * the nginx conf, the rendered files).
 */
import {existsSync, readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {aims, homeWithHost, ROOT} from '../support/aims.js'
import {aimsObjects, docker, httpGet, purgeTenant, removeConfs} from '../support/engine.js'

const suffix = Math.random().toString(36).slice(2, 7)
const TENANT = `ctv2-${suffix}`
const DOMAIN = `v2-${suffix}.test`
const NAME = `site.${TENANT}.${DOMAIN}`
const STATE = '/var/lib/aims'
const FILES = `${STATE}/files/${TENANT}`
const env = {AIMS_CATALOG_PATH: join(ROOT, 'test', 'fixtures', 'plugs')}
let home: string

beforeAll(async () => {
  await purgeTenant(TENANT)
  home = await homeWithHost('vps', ['--domain', DOMAIN])
})
afterAll(async () => {
  await purgeTenant(TENANT)
  await removeConfs((name) => name.startsWith(`${TENANT}-`))
})

describe('catalog v2 on the bed: path route, rendered file, init job', () => {
  it('plug up runs the job to completion first, then routes / and /api/ of one name to two services', async () => {
    const up = await aims(['plug', 'up', 'fixture-v2', '--name', 'site', '--tenant', TENANT, '--yes', '--json'], {
      home,
      env,
    })
    expect(up.code, up.stderr).toBe(0)
    expect(up.json().status).toBe('ready')

    const home_ = await httpGet('http://127.0.0.1/', {host: NAME})
    expect(home_).toEqual({status: 200, body: 'hello from the v2 fixture\n'})
    // /api/ reaches the api service (it serves its own rendered config file, and what the init job wrote).
    const api = await httpGet('http://127.0.0.1/api/', {host: NAME})
    expect(api.status).toBe(200)
    expect(api.body).toMatch(
      new RegExp(`^url = http://${NAME.replace(/\./g, '\\.')}\nscheme = http\ntoken = \\w{24}\n`),
    )
    expect(api.body).toContain('shell = $HOME\n')
    expect(api.body).toContain('initialised by setup\n')

    // The job is gone once it succeeded; the two services stay, the routed port on 127.0.0.1 only.
    const objects = await aimsObjects({'aims.tenant': TENANT})
    expect(objects.containers.sort()).toEqual([`aims-${TENANT}-site-api`, `aims-${TENANT}-site-web`])
    expect(objects.volumes).toEqual([`aims-${TENANT}-site-data`])
    const ports = JSON.parse(
      await docker(['inspect', '--format', '{{json .HostConfig.PortBindings}}', `aims-${TENANT}-site-api`]),
    )
    expect(Object.keys(ports)).toEqual(['8081/tcp'])
    expect(ports['8081/tcp'][0].HostIp).toBe('127.0.0.1')

    // The file: on the host under the state dir, in a dir only root enters, mounted read-only.
    const file = `${FILES}/site/api/0-app.conf`
    expect(readFileSync(file, 'utf8')).toContain(`url = http://${NAME}\n`)
    expect(statSync(`${STATE}/files`).mode & 0o777).toBe(0o700)
    const write = await docker([
      'exec',
      `aims-${TENANT}-site-api`,
      'sh',
      '-c',
      'echo x >> /etc/fixture/app.conf; echo $?',
    ])
    expect(write.trim()).not.toBe('0')

    // The plug status sees a complete instance (the removed job is not a missing service).
    const status = await aims(['plug', 'status', `${TENANT}/site`, '--json'], {home})
    expect(status.code, status.stderr).toBe(0)
    expect(status.json().status ?? status.json().instance?.status).toBe('running')
  })

  it('plug down leaves nothing: containers, volume, networks, the nginx conf and the rendered files', async () => {
    const down = await aims(['plug', 'down', `${TENANT}/site`, '--yes', '--json'], {home})
    expect(down.code, down.stderr).toBe(0)
    expect(await aimsObjects({'aims.tenant': TENANT})).toEqual({containers: [], volumes: [], networks: []})
    expect(existsSync(`${FILES}/site`)).toBe(false)
    expect(existsSync(`/etc/nginx/conf.d/plugs/${TENANT}-site.conf`)).toBe(false)
    expect((await httpGet('http://127.0.0.1/api/', {host: NAME})).body).not.toContain('initialised by setup')
  })

  it('a failing init job stops the deploy: exit 4 with its log line, nothing started after it, nothing left', async () => {
    const up = await aims(
      ['plug', 'up', 'fixture-v2', '--name', 'bad', '--tenant', TENANT, '--env', 'FAIL_SETUP=1', '--yes', '--json'],
      {home, env},
    )
    expect(up.code, up.stdout + up.stderr).toBe(4)
    const error = up.json().error
    expect(error.message).toMatch(/the one-shot job setup failed \(exit code 3\)/)
    expect(JSON.stringify(error)).toContain('setup: refusing to run')
    expect(await aimsObjects({'aims.tenant': TENANT})).toEqual({containers: [], volumes: [], networks: []})
    expect(existsSync(`${FILES}/bad`)).toBe(false)
  })
})
