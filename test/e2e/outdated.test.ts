/**
 * `catalog outdated`, `plug outdated` and `registry login | logout` against the bed's real
 * registries: tags pushed here to 127.0.0.1:5000/ug-test/tags (open) and 127.0.0.1:5001/ug-test/private
 * (basic auth), asked through the host; the credentials stored by `registry login` are used for
 * the tags API and given to the engine for the pull, and never written in clear.
 */
import {execFile} from 'node:child_process'
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {promisify} from 'node:util'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {aims, homeWithHost, ROOT} from '../support/aims.js'
import {docker, purgeTenant} from '../support/engine.js'
import {bedRegistries, registryDigest} from '../support/registry.js'

const run = promisify(execFile)
const TENANT = `ugr-${Math.random().toString(36).slice(2, 7)}`
const OPEN = '127.0.0.1:5000/ug-test/tags'
const PRIVATE = '127.0.0.1:5001/ug-test/private'
const registries = bedRegistries()
const env = {
  AIMS_CATALOG_PATH: join(ROOT, 'test', 'fixtures', 'upgrade-plugs'),
  AIMS_SECRETS_STORE: 'file',
}
let home: string
const ug = (args: string[], input?: string) =>
  aims(args, {home, env, timeoutMs: 120_000, ...(input !== undefined ? {input} : {})})

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? filesUnder(path) : [path]
  })
}

beforeAll(async () => {
  // 2 is a newer major; sick is not a version (never offered).
  for (const tag of ['1', '1.1', '2', 'sick']) {
    await docker(['tag', 'aims-fixture/web:1', `${OPEN}:${tag}`])
    await docker(['push', `${OPEN}:${tag}`])
  }
  for (const tag of ['1', '1.3']) {
    await docker(['tag', 'aims-fixture/web:1', `${PRIVATE}:${tag}`])
    await run('docker', ['push', `${PRIVATE}:${tag}`], {env: {...process.env, DOCKER_CONFIG: registries.dockerConfig}})
  }
  await docker(['rmi', `${PRIVATE}:1`, `${PRIVATE}:1.3`]).catch(() => '')
  home = await homeWithHost()
}, 180_000)

afterAll(async () => {
  await purgeTenant(TENANT)
  await docker(['rmi', `${PRIVATE}:1`]).catch(() => '')
})

describe('catalog outdated and plug outdated', () => {
  it('lists exactly the newer tags in the pinned major, with the registry digests; --major adds the next', async () => {
    const result = await ug(['catalog', 'outdated', '--registry', '127.0.0.1:5000', '--json'])
    expect(result.code, result.stderr).toBe(0)
    const row = result.json().rows.find((entry: {subject: string}) => entry.subject === 'ug-tags')
    expect(row).toMatchObject({image: `${OPEN}:1`, tag: '1', newer: ['1.1'], latest: {tag: '1.1'}})
    expect(row.digest).toBe(await registryDigest(registries.open, 'ug-test/tags', '1'))
    const major = (await ug(['catalog', 'outdated', '--registry', '127.0.0.1:5000', '--major', '--json'])).json()
    const newer = major.rows.find((entry: {subject: string}) => entry.subject === 'ug-tags').newer
    // sick and other non-version tags are never offered.
    expect(newer).toEqual(['1.1', '2'])
    expect(newer).not.toContain('sick')
  }, 60_000)

  it('a private registry: refused without login; registry login stores the password (never in clear) and it works', async () => {
    const before = await ug(['catalog', 'outdated', '--registry', '127.0.0.1:5001', '--json'])
    expect(before.code).toBe(0)
    expect(before.json().rows[0].error).toMatch(/refused the tags of ug-test\/private/)
    const {password, username} = registries.credentials()

    const wrong = await ug(['registry', 'login', '127.0.0.1:5001', '--username', username, '--password-stdin'], 'nope')
    expect(wrong.code).toBe(2)
    expect(wrong.stderr).toMatch(/refused the username or password/)

    const login = await ug(
      ['registry', 'login', '127.0.0.1:5001', '--username', username, '--password-stdin'],
      password,
    )
    expect(login.code, login.stderr).toBe(0)
    expect(login.stdout + login.stderr).not.toContain(password)
    for (const file of filesUnder(home)) expect(readFileSync(file).includes(password), file).toBe(false)

    const after = (await ug(['catalog', 'outdated', '--registry', '127.0.0.1:5001', '--json'])).json()
    expect(after.rows).toEqual([
      expect.objectContaining({
        subject: 'ug-private',
        tag: '1',
        newer: ['1.3'],
        latest: expect.objectContaining({tag: '1.3'}),
      }),
    ])
    expect(JSON.stringify(after)).not.toContain(password)

    // The engine is given the credentials for the pull (the image is only in the auth registry).
    const up = await ug(['plug', 'up', 'ug-private', '--tenant', TENANT, '--yes'])
    expect(up.code, up.stderr).toBe(0)
    const outdated = await ug(['plug', 'outdated', `${TENANT}/ug-private`, '--json'])
    expect(outdated.json().rows).toEqual([
      expect.objectContaining({subject: `${TENANT}/ug-private`, service: 'web', newer: ['1.3']}),
    ])
    const table = await ug(['plug', 'outdated', `${TENANT}/ug-private`])
    expect(table.stdout).toMatch(/ug-private\s+web\s+127\.0\.0\.1:5001\/ug-test\/private:1\s+sha256:\S+\s+1\.3\s+1\.3/)
    // Without --to, an upgrade goes to the newest tag in the major.
    const upgrade = await ug(['plug', 'upgrade', `${TENANT}/ug-private`, '--dry-run'])
    expect(upgrade.code, upgrade.stderr).toBe(0)
    expect(upgrade.stdout).toContain(`${PRIVATE}:1 → ${PRIVATE}:1.3`)

    const logout = await ug(['registry', 'logout', '127.0.0.1:5001'])
    expect(logout.code).toBe(0)
    const gone = (await ug(['catalog', 'outdated', '--registry', '127.0.0.1:5001', '--json'])).json()
    expect(gone.rows[0].error).toMatch(/refused/)
  }, 180_000)

  it('bad input exits 2 before any connection', async () => {
    const bad = await ug(['registry', 'login', 'not a host', '--username', 'x', '--password-stdin'], 'y')
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/is not a registry host/)
    const badFilter = await ug(['catalog', 'outdated', '--registry', 'a b'])
    expect(badFilter.code).toBe(2)
  }, 30_000)
})
