/**
 * aims plug add on the bed: a Compose file and an app directory become validated plugs in the
 * user's catalog, which plug up deploys like any other; what a plug cannot describe is refused.
 */
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {aims, homeWithHost} from '../support/aims.js'
import {appDir, NODE_APP} from '../support/apps.js'
import {httpGet, purgeTenant} from '../support/engine.js'

const TENANT = 'bd-add'
let home: string
const run = (args: string[]) => aims(args, {home, timeoutMs: 170_000})

const COMPOSE = [
  'services:',
  '  web:',
  '    image: aims-fixture/web:1',
  '    ports: ["8080:8080"]',
  '    environment: {GREETING: hello}',
  '    depends_on: {cache: {condition: service_healthy}}',
  '  cache:',
  '    image: aims-fixture/web:1',
  '    expose: ["8080"]',
  '    healthcheck: {test: ["CMD-SHELL", "wget -qO- http://127.0.0.1:8080/health"]}',
  '    volumes: [cache-data:/data]',
  'volumes: {cache-data: {}}',
  '',
].join('\n')

beforeAll(async () => {
  await purgeTenant(TENANT)
  home = await homeWithHost()
})
afterAll(async () => {
  await purgeTenant(TENANT)
})

describe('aims plug add', () => {
  it('a Compose file becomes a validated plug that plug up deploys', async () => {
    const dir = appDir({'docker-compose.yml': COMPOSE}, 'aims-wiki-')
    const added = await run(['plug', 'add', join(dir, 'docker-compose.yml'), '--name', 'wiki', '--yes', '--json'])
    expect(added.code, added.stderr).toBe(0)
    const result = added.json()
    expect(result).toMatchObject({status: 'added', id: 'wiki', services: ['web', 'cache']})
    expect(result.file).toBe(join(home, '.aims', 'plugs', 'wiki.yaml'))
    const yaml = readFileSync(result.file, 'utf8')
    expect(yaml).toMatch(/entry:\s*\n\s*port: 8080/)
    expect((await run(['catalog', 'show', 'wiki'])).stdout).toMatch(/cache/)
    const up = await run(['plug', 'up', 'wiki', '--tenant', TENANT, '--yes', '--json'])
    expect(up.code, up.stderr).toBe(0)
    expect((await httpGet(up.json().localUrl)).status).toBe(200)
    expect((await run(['plug', 'down', `${TENANT}/wiki`, '--yes'])).code).toBe(0)
  })

  it('an app directory is built and verified on the host, then written as a plug (not deployed)', async () => {
    const added = await run([
      'plug',
      'add',
      appDir(NODE_APP),
      '--name',
      'shopplug',
      '--tenant',
      TENANT,
      '--yes',
      '--json',
    ])
    expect(added.code, added.stderr).toBe(0)
    expect(added.json()).toMatchObject({status: 'built', stack: 'node'})
    expect(added.json().deploy).toBeUndefined()
    const up = await run(['plug', 'up', 'shopplug', '--tenant', TENANT, '--yes', '--json'])
    expect(up.code, up.stderr).toBe(0)
    expect((await httpGet(up.json().localUrl)).body).toContain('node shop v1')
  }, 170_000)

  it.each([
    ['build:', 'services:\n  app:\n    build: .\n    ports: ["80:80"]\n', /has build:/],
    [
      'a host bind mount',
      'services:\n  app:\n    image: nginx:1.27.0\n    ports: ["80:80"]\n    volumes: ["./data:/data"]\n',
      /mounts the host path/,
    ],
    ['an unpinned image', 'services:\n  app:\n    image: nginx\n    ports: ["80:80"]\n', /has no tag/],
    ['no published port', 'services:\n  app:\n    image: nginx:1.27.0\n', /no service publishes a port/],
    [
      'a built-in id',
      'services:\n  app:\n    image: n8nio/n8n:1.90.0\n    ports: ["5678:5678"]\n',
      /already has a plug n8n/,
    ],
  ])('refuses %s (exit 2), writing nothing', async (_, text, message) => {
    const dir = appDir({'docker-compose.yml': text}, 'aims-bad-')
    const name = message.source.includes('n8n') ? 'n8n' : 'badplug'
    const added = await run(['plug', 'add', join(dir, 'docker-compose.yml'), '--name', name, '--yes'])
    expect(added.code, added.stderr).toBe(2)
    expect(added.stderr).toMatch(message)
    expect(existsSync(join(home, '.aims', 'plugs', `${name}.yaml`))).toBe(false)
  })
})
