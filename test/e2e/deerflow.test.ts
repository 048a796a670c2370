/**
 * `aims plug up deerflow` end to end on the bed (issue 13): the real catalog entry, its real image names
 * (ghcr.io/bytedance/deer-flow-backend and -frontend:v2.0.0) pulled through the host's --registry-mirror from
 * the bed's registry, where the bed pushed stand-ins (test/bed/stand-ins/: what each keeps of upstream and what
 * it cannot). Checked: the init job (upstream's config loader) runs before the gateway; the rendered config.yaml
 * reaches the gateway read-only with the key left as $OPENAI_API_KEY; the auth secret is the generated
 * AUTH_JWT_SECRET; nginx sends upstream's gateway paths (/api/, /health, …) to the gateway and / to the frontend,
 * as upstream's docker/nginx/nginx.conf does — the frontend's own /api rewrite (fixed at build time to its
 * loopback) fails, which is why the routes exist; `plug down` leaves nothing.
 */
import {existsSync, readFileSync} from 'node:fs'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {aims, bed, homeWithHost} from '../support/aims.js'
import {aimsObjects, docker, httpGet, purgeTenant, removeConfs} from '../support/engine.js'

const suffix = Math.random().toString(36).slice(2, 7)
const TENANT = `ctdf-${suffix}`
const DOMAIN = `df-${suffix}.test`
const NAME = `deerflow.${TENANT}.${DOMAIN}`
const IMAGES = ['ghcr.io/bytedance/deer-flow-backend:v2.0.0', 'ghcr.io/bytedance/deer-flow-frontend:v2.0.0']
const KEY = `sk-test-${suffix}-never-in-files`
let home: string

beforeAll(async () => {
  await purgeTenant(TENANT)
  // The images exist only in the bed's registry: a deploy must pull them through the host's mirror.
  for (const image of IMAGES) await docker(['rmi', image, `${bed().registry.open}/${image}`]).catch(() => '')
  home = await homeWithHost('vps', ['--domain', DOMAIN, '--registry-mirror', bed().registry.open])
})
afterAll(async () => {
  await purgeTenant(TENANT)
  await removeConfs((name) => name.startsWith(`${TENANT}-`))
})

describe('plug up deerflow (stand-ins of the real images, through the registry mirror)', () => {
  let localUrl: string

  it('deploys: the images come through the mirror, the init job completes, both services are healthy', async () => {
    const up = await aims(
      ['plug', 'up', 'deerflow', '--tenant', TENANT, '--env', `OPENAI_API_KEY=${KEY}`, '--yes', '--json'],
      {home, timeoutMs: 300_000},
    )
    expect(up.code, up.stdout + up.stderr).toBe(0)
    const result = up.json()
    expect(result.status).toBe('ready')
    expect(result.domainUrl).toBe(`http://${NAME}/`)
    localUrl = result.localUrl
    const changes = result.plan.changes.map((change: {action: string; kind: string; name: string}) => change.name)
    expect(changes).toEqual(expect.arrayContaining([...IMAGES, `aims-${TENANT}-deerflow-config-check`]))
    for (const image of IMAGES) {
      const tags = JSON.parse(await docker(['image', 'inspect', '--format', '{{json .RepoTags}}', image])) as string[]
      expect(tags).toEqual(expect.arrayContaining([image, `${bed().registry.open}/${image}`]))
    }
    const objects = await aimsObjects({'aims.tenant': TENANT})
    expect(objects.containers.sort()).toEqual([`aims-${TENANT}-deerflow-frontend`, `aims-${TENANT}-deerflow-gateway`])
    expect(objects.volumes.sort()).toEqual([`aims-${TENANT}-deerflow-deerflow-home`, `aims-${TENANT}-deerflow-skills`])
    expect(JSON.stringify(result)).not.toContain(KEY)
  }, 320_000)

  it("routes upstream's gateway paths to the gateway and / to the frontend, through nginx with the instance's name", async () => {
    const page = await httpGet('http://127.0.0.1/', {host: NAME})
    expect(page.status).toBe(200)
    expect(page.body).toContain('<title>DeerFlow</title>')
    expect(await httpGet('http://127.0.0.1/health', {host: NAME})).toEqual({
      status: 200,
      body: '{"status": "healthy", "service": "deer-flow-gateway"}',
    })
    expect(await httpGet('http://127.0.0.1/api/v1/auth/setup-status', {host: NAME})).toEqual({
      status: 200,
      body: '{"needs_setup": true}',
    })
    // The gateway's auth gate answers for the rest of /api.
    expect((await httpGet('http://127.0.0.1/api/models', {host: NAME})).status).toBe(401)
    // Without the route: the frontend's own /api rewrite goes to its loopback, fixed at build time, and fails.
    expect((await httpGet(`${localUrl}api/v1/auth/setup-status`)).status).toBe(500)
  })

  it('the gateway read the rendered config (model, both web tools), the generated JWT secret and its skills dir', async () => {
    const logs = await aims(['plug', 'logs', `${TENANT}/deerflow`, '--service', 'gateway', '--tail', '50'], {home})
    expect(logs.code, logs.stderr).toBe(0)
    expect(logs.stdout).toContain(
      "config /app/backend/config.yaml: models=['default'] tools=['web_search', 'web_fetch']",
    )
    expect(logs.stdout).toContain('auth: JWT secret from env')
    expect(logs.stdout).toContain('skills dir /app/skills (present)')
    const file = `/var/lib/aims/files/${TENANT}/deerflow/gateway/0-config.yaml`
    const config = readFileSync(file, 'utf8')
    expect(config).toContain('api_key: $OPENAI_API_KEY\n')
    expect(config).toContain('use: deerflow.community.ddg_search.tools:web_search_tool\n')
    expect(config).toContain('base_url: https://api.openai.com/v1\n')
    expect(config).not.toContain(KEY)
    const mounts = JSON.parse(
      await docker(['inspect', '--format', '{{json .Mounts}}', `aims-${TENANT}-deerflow-gateway`]),
    ) as Array<{Source: string; Destination: string; RW: boolean}>
    expect(mounts).toContainEqual(
      expect.objectContaining({Source: file, Destination: '/app/backend/config.yaml', RW: false}),
    )
  })

  it('plug down leaves nothing: containers, volumes, networks, nginx conf, rendered files', async () => {
    const down = await aims(['plug', 'down', `${TENANT}/deerflow`, '--yes', '--json'], {home})
    expect(down.code, down.stderr).toBe(0)
    expect(await aimsObjects({'aims.tenant': TENANT})).toEqual({containers: [], volumes: [], networks: []})
    expect(existsSync(`/var/lib/aims/files/${TENANT}/deerflow`)).toBe(false)
    expect(existsSync(`/etc/nginx/conf.d/plugs/${TENANT}-deerflow.conf`)).toBe(false)
  })
})
