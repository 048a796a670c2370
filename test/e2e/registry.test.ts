/**
 * Images from a real registry: the bed's Debian docker-registry (distribution
 * 2.8) on loopback. A fixture whose image lives only in the registry goes
 * through the real `aims plug up` on a terminal: the pull shows its progress,
 * the engine records the registry's digest, the instance is healthy and comes
 * down. The registry with basic auth refuses a pull without credentials, and
 * aims fails without leaving anything behind. A Docker Hub name resolves
 * through the bed dockerd's registry mirror, as on a VPS with Docker Hub.
 */
import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {aims, homeWithHost, ROOT} from '../support/aims.js'
import {aimsObjects, docker, httpGet, purgeTenant} from '../support/engine.js'
import {
  bedRegistries,
  localRepoDigests,
  registryDigest,
  registryRequest,
  removeLocalImage,
} from '../support/registry.js'
import {openTerminal, type Terminal} from '../support/terminal.js'

const FIXTURES = join(ROOT, 'test', 'fixtures', 'registry-plugs')
const TENANT = `reg-e2e-${Math.random().toString(36).slice(2, 7)}`
const REPOSITORY = 'aims-fixture/remote-web'
const registries = bedRegistries()
const OPEN_IMAGE = `${registries.open}/${REPOSITORY}:1`
const AUTH_IMAGE = `${registries.auth}/${REPOSITORY}:1`
const env = {AIMS_CATALOG_PATH: FIXTURES}
let home: string
const terminals: Terminal[] = []

/** Every name of the remote image out of the engine, so a pull downloads its layers again. */
const forgetRemoteImage = () => removeLocalImage(OPEN_IMAGE, AUTH_IMAGE, `${REPOSITORY}:1`)

beforeAll(async () => {
  await purgeTenant(TENANT)
  await forgetRemoteImage()
  home = await homeWithHost()
})
afterAll(async () => {
  for (const terminal of terminals) terminal.close()
  await purgeTenant(TENANT)
  await forgetRemoteImage()
})

describe('an image that exists only in the bed registry', () => {
  it('plug up pulls it with progress on a terminal, keeps the registry digest, is healthy, then comes down', async () => {
    const digest = await registryDigest(registries.open, REPOSITORY, '1')
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(await localRepoDigests(OPEN_IMAGE)).toBeUndefined()

    const record = join(mkdtempSync(join(tmpdir(), 'aims-reg-e2e-')), 'terminal.raw')
    const terminal = openTerminal(['plug', 'up', 'fixture-remote', '--tenant', TENANT, '--yes'], {home, env, record})
    terminals.push(terminal)
    expect(await terminal.exitCode(90_000)).toBe(0)
    expect(terminal.screen()).toMatch(new RegExp(`${TENANT}/fixture-remote is ready`))

    // The spinner line is rewritten in place; the raw terminal stream keeps what it showed.
    const shown = readFileSync(record, 'utf8')
    expect(shown).toContain(`pulling ${OPEN_IMAGE}`)
    expect(shown).toMatch(/remote-web:1: Downloading [0-9a-f]{12} [\d.]+ (B|KiB|MiB)\/2\d(\.\d)? MiB/)
    expect(shown).toMatch(/remote-web:1: Pull complete [0-9a-f]{12}/)

    // The engine has the image by the digest the registry serves.
    expect(await localRepoDigests(OPEN_IMAGE)).toContain(`${registries.open}/${REPOSITORY}@${digest}`)

    const ls = await aims(['plug', 'ls', '--tenant', TENANT, '--json'], {home, env})
    expect(ls.code, ls.stderr).toBe(0)
    const row = ls.json().instances.find((item: {instance: string}) => item.instance === 'fixture-remote')
    expect(row).toMatchObject({status: 'running', health: 'healthy'})
    const image = (
      await docker(['inspect', '--format', '{{.Config.Image}}', `aims-${TENANT}-fixture-remote-web`])
    ).trim()
    expect(image).toBe(OPEN_IMAGE)
    const page = await httpGet(`http://127.0.0.1:${row.port}/remote.txt`)
    expect(page).toEqual({status: 200, body: 'pulled from the bed registry\n'})

    const down = await aims(['plug', 'down', `${TENANT}/fixture-remote`, '--yes'], {home, env})
    expect(down.code, down.stderr).toBe(0)
    expect(await aimsObjects({'aims.tenant': TENANT, 'aims.instance': 'fixture-remote'})).toEqual({
      containers: [],
      volumes: [],
      networks: [],
    })
  })

  it('with --json the pull is quiet: no progress on stderr, one JSON result on stdout', async () => {
    await forgetRemoteImage()
    const up = await aims(['plug', 'up', 'fixture-remote', '--name', 'quiet', '--tenant', TENANT, '--yes', '--json'], {
      home,
      env,
    })
    expect(up.code, up.stderr).toBe(0)
    expect(up.json()).toMatchObject({status: 'ready', instance: `${TENANT}/quiet`})
    expect(up.stderr).not.toMatch(/Downloading|pulling/)
    expect(await localRepoDigests(OPEN_IMAGE)).toHaveLength(1)
    const down = await aims(['plug', 'down', `${TENANT}/quiet`, '--yes', '--json'], {home, env})
    expect(down.code, down.stderr).toBe(0)
  })
})

describe('the registry with basic auth', () => {
  it('answers 401 with a Basic challenge, and 200 with the generated credentials', async () => {
    const anonymous = await registryRequest(registries.auth, `/v2/${REPOSITORY}/tags/list`)
    expect(anonymous.status).toBe(401)
    expect(anonymous.headers.get('www-authenticate')).toBe('Basic realm="aims-bed"')
    const authed = await registryRequest(registries.auth, `/v2/${REPOSITORY}/tags/list`, {
      auth: registries.credentials(),
    })
    expect(authed.status).toBe(200)
    expect(JSON.parse(authed.body)).toEqual({name: REPOSITORY, tags: ['1']})
  })

  it('plug up without credentials fails (exit 1), names the image, and leaves nothing behind', async () => {
    await forgetRemoteImage()
    const up = await aims(['plug', 'up', 'fixture-remote-auth', '--tenant', TENANT, '--yes'], {home, env})
    expect(up.code).toBe(1)
    // The engine's own cause — `Head "http://127.0.0.1:5001/v2/…/manifests/1": no basic auth credentials`
    // (test/fixtures/recorded/registry/engine-pull-no-credentials.http) — is kept, classified as a refused
    // login, and the message says what to do.
    expect(up.stderr).toContain(`cannot pull ${AUTH_IMAGE}`)
    expect(up.stderr).toContain('no basic auth credentials')
    expect(up.stderr).toMatch(/wants credentials/)
    expect(up.stderr).not.toMatch(/is ready/)
    expect(await localRepoDigests(AUTH_IMAGE)).toBeUndefined()
    expect(await aimsObjects({'aims.tenant': TENANT, 'aims.instance': 'fixture-remote-auth'})).toEqual({
      containers: [],
      volumes: [],
      networks: [],
    })
  })
})

describe('Docker Hub names', () => {
  it('resolve through the bed dockerd registry mirror to the bed registry', async () => {
    const mirrors = JSON.parse(await docker(['info', '--format', '{{json .RegistryConfig.Mirrors}}'])) as string[]
    expect(mirrors).toContain(`${registries.mirror}/`)
    // A Docker Hub name the real Docker Hub does not have: only the mirror can answer it.
    await forgetRemoteImage()
    await docker(['pull', '--quiet', `${REPOSITORY}:1`])
    const digest = await registryDigest(registries.open, REPOSITORY, '1')
    expect(await localRepoDigests(`${REPOSITORY}:1`)).toContain(`${REPOSITORY}@${digest}`)
    // The base-image stand-ins are served the same way (what `FROM node:22-slim` pulls).
    for (const [name, tag] of Object.values(registries.baseImages).map((ref) => ref.split(':')))
      expect(await registryDigest(registries.open, `library/${name}`, tag!), `library/${name}:${tag}`).toMatch(
        /^sha256:/,
      )
  })
})
