/**
 * Upgrades, releases, rollbacks, backups and restores, driven through the built aims against the
 * bed: the fixture's image comes from the bed's real registry (127.0.0.1:5000/ug-test/web, tags 1,
 * 2 and a broken `sick` that writes to the volume before it hangs, pushed here), traffic goes
 * through the bed's nginx, data lives in real volumes.
 */
import {createHash} from 'node:crypto'
import {appendFileSync, existsSync, mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {execFile} from 'node:child_process'
import {promisify} from 'node:util'
import {aims, homeWithHost, ROOT} from '../support/aims.js'
import {docker, httpGet, purgeTenant, removeConfs} from '../support/engine.js'

const run = promisify(execFile)
const suffix = Math.random().toString(36).slice(2, 7)
const TENANT = `ug-${suffix}`
const OTHER = `ugo-${suffix}`
const DOMAIN = 'ug.aims.test'
const REPO = '127.0.0.1:5000/ug-test/web'
const env = {AIMS_CATALOG_PATH: join(ROOT, 'test', 'fixtures', 'upgrade-plugs')}
const container = (tenant: string) => `aims-${tenant}-ug-web-web`
const viaNginx = (tenant: string) => httpGet('http://127.0.0.1/', {Host: `ug-web.${tenant}.${DOMAIN}`})
let home: string

const sh = (tenant: string, script: string) => docker(['exec', container(tenant), 'sh', '-c', script])
/** Every file of the data volume with its md5, sorted: what "byte-identical" is checked against. */
const volumeSums = async (tenant: string) =>
  (await sh(tenant, 'cd /data && find . -type f -exec md5sum {} \\; | sort -k2')).trim()
const imageOf = async (tenant: string) =>
  (await docker(['inspect', '--format', '{{.Config.Image}}', container(tenant)])).trim()
const ug = (args: string[], timeoutMs = 120_000) => aims(args, {home, env, timeoutMs})

async function buildAndPush(tag: string, dockerfile: string): Promise<void> {
  const child = run('docker', ['build', '-q', '-t', `${REPO}:${tag}`, '-'])
  child.child.stdin!.end(dockerfile)
  await child
  await docker(['push', `${REPO}:${tag}`])
}

beforeAll(async () => {
  await docker(['tag', 'aims-fixture/web:1', `${REPO}:1`])
  await docker(['push', `${REPO}:1`])
  await buildAndPush('2', 'FROM aims-fixture/web:1\nLABEL ug.version=2\nENV UG_VERSION=2\n')
  // Broken: it changes the data (as a migration would) and never answers HTTP.
  await buildAndPush(
    'sick',
    'FROM aims-fixture/sick:1\nCMD ["/bin/sh","-c","echo migrated-by-sick > /data/state; exec /bin/sick"]\n',
  )
  home = await homeWithHost('vps', ['--domain', DOMAIN])
}, 180_000)

afterAll(async () => {
  await purgeTenant(TENANT)
  await purgeTenant(OTHER)
  await removeConfs((name) => name.startsWith(`${TENANT}-`) || name.startsWith(`${OTHER}-`))
  await run('rm', ['-rf', `/var/lib/aims/backups/${TENANT}`, `/var/lib/aims/backups/${OTHER}`]).catch(() => undefined)
  await run('rm', ['-rf', `/var/lib/aims/releases/${TENANT}`, `/var/lib/aims/releases/${OTHER}`]).catch(() => undefined)
})

describe('plug upgrade, automatic rollback, rollback and releases', () => {
  it('v1 → v2 is healthy with the data intact and recorded as a release', async () => {
    const up = await ug(['plug', 'up', 'ug-web', '--tenant', TENANT, '--yes', '--json'])
    expect(up.code, up.stderr).toBe(0)
    await sh(TENANT, 'echo v1-data > /data/state')
    const secret = (await sh(TENANT, 'echo $APP_SECRET')).trim()
    expect(secret).toMatch(/^[A-Za-z0-9]{24}$/)

    const dry = await ug(['plug', 'upgrade', `${TENANT}/ug-web`, '--to', '2', '--dry-run'])
    expect(dry.code).toBe(0)
    expect(dry.stdout).toContain(`${REPO}:1 → ${REPO}:2`)
    expect(await imageOf(TENANT)).toBe(`${REPO}:1`)

    const upgrade = await ug(['plug', 'upgrade', `${TENANT}/ug-web`, '--to', '2', '--yes', '--json'])
    expect(upgrade.code, upgrade.stderr).toBe(0)
    const result = upgrade.json()
    expect(result).toMatchObject({status: 'applied', action: 'upgrade', to: {web: `${REPO}:2`}, release: {id: 2}})
    expect(result.backup).toMatch(/^\d{8}T\d{6}Z-/)
    expect(await imageOf(TENANT)).toBe(`${REPO}:2`)
    expect((await sh(TENANT, 'cat /data/state')).trim()).toBe('v1-data')
    expect((await sh(TENANT, 'echo $UG_VERSION')).trim()).toBe('2')
    expect(await viaNginx(TENANT)).toEqual({status: 200, body: 'hello from the upgrade fixture\n'})
    // Only the new container is left (the previous one is removed once the new one is healthy).
    const names = await docker(['ps', '-a', '--filter', `label=aims.tenant=${TENANT}`, '--format', '{{.Names}}'])
    expect(names.trim().split('\n')).toEqual([container(TENANT)])

    const releases = (await ug(['plug', 'releases', `${TENANT}/ug-web`, '--json'])).json()
    expect(releases.releases.map((r: {id: number; status: string}) => [r.id, r.status])).toEqual([
      [1, 'previous'],
      [2, 'active'],
    ])
    expect(releases.releases[1].services.web.digest).toMatch(/^127\.0\.0\.1:5000\/ug-test\/web@sha256:[0-9a-f]{64}$/)
    // Secrets are redacted in the history on the host.
    const onHost = readFileSync(`/var/lib/aims/releases/${TENANT}/ug-web.json`, 'utf8')
    expect(onHost).not.toContain(secret)
    expect(JSON.parse(onHost).releases[0].services.web.env.APP_SECRET).toBe('••••••')
  }, 180_000)

  it('v2 → a broken tag is rolled back automatically with the data as it was, exit 4, still serving', async () => {
    await sh(TENANT, 'echo v2-data > /data/state')
    const upgrade = await ug(['plug', 'upgrade', `${TENANT}/ug-web`, '--to', 'sick', '--yes'])
    expect(upgrade.code, upgrade.stderr).toBe(4)
    expect(upgrade.stderr).toMatch(/failed its health gate/)
    expect(upgrade.stderr).toMatch(/rolled back to release 2/)
    expect(upgrade.stderr).toMatch(/data restored from snapshot/)
    expect(await imageOf(TENANT)).toBe(`${REPO}:2`)
    // The broken version wrote "migrated-by-sick"; the snapshot put the data back.
    expect((await sh(TENANT, 'cat /data/state')).trim()).toBe('v2-data')
    expect(await viaNginx(TENANT)).toEqual({status: 200, body: 'hello from the upgrade fixture\n'})
    const releases = (await ug(['plug', 'releases', `${TENANT}/ug-web`, '--json'])).json()
    expect(releases.releases.map((r: {id: number; status: string}) => [r.id, r.status])).toEqual([
      [1, 'previous'],
      [2, 'active'],
      [3, 'failed'],
    ])
    const audit = readFileSync('/var/lib/aims/audit.jsonl', 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as {action: string; target: string; outcome: string})
      .filter((record) => record.target === `${TENANT}/ug-web` && record.action === 'plug upgrade')
    expect(audit.map((record) => record.outcome)).toEqual(['applied', 'rolled-back'])
  }, 180_000)

  it('rollback --to 1 goes back to v1; the history says so', async () => {
    const rollback = await ug(['plug', 'rollback', `${TENANT}/ug-web`, '--to', '1', '--yes', '--json'])
    expect(rollback.code, rollback.stderr).toBe(0)
    expect(rollback.json()).toMatchObject({action: 'rollback', to: {web: `${REPO}:1`}, release: {id: 4}})
    expect(await imageOf(TENANT)).toBe(`${REPO}:1`)
    expect((await sh(TENANT, 'cat /data/state')).trim()).toBe('v2-data')
    expect(await viaNginx(TENANT)).toEqual({status: 200, body: 'hello from the upgrade fixture\n'})
    const table = await ug(['plug', 'releases', `${TENANT}/ug-web`])
    expect(table.stdout).toMatch(/^4\s+active\s+rollback\s+\S+\s+web=127\.0\.0\.1:5000\/ug-test\/web:1/m)
    expect(table.stdout).toMatch(/^3\s+failed\s+upgrade/m)
    // Nothing to roll back to that failed; a release not kept is named.
    const failed = await ug(['plug', 'rollback', `${TENANT}/ug-web`, '--to', '3', '--yes'])
    expect(failed.code).toBe(2)
    expect(failed.stderr).toMatch(/release 3 failed its health gate/)
  }, 180_000)

  it('bad input is refused before anything is touched (exit 2)', async () => {
    const badTag = await ug(['plug', 'upgrade', `${TENANT}/ug-web`, '--to', 'no/such tag', '--yes'])
    expect(badTag.code).toBe(2)
    expect(badTag.stderr).toMatch(/--to no\/such tag: not a valid tag/)
    const same = await ug(['plug', 'upgrade', `${TENANT}/ug-web`, '--to', '1', '--yes'])
    expect(same.code).toBe(2)
    expect(same.stderr).toMatch(/already runs/)
    expect(await imageOf(TENANT)).toBe(`${REPO}:1`)
  }, 60_000)
})

describe('plug backup, backups and restore', () => {
  let backupId: string
  let sums: string

  it('backup → plug down → plug up → restore gives byte-identical volume contents', async () => {
    await sh(TENANT, 'echo backed-up > /data/state; mkdir -p /data/sub; head -c 300000 /dev/urandom > /data/sub/blob')
    sums = await volumeSums(TENANT)
    const backup = await ug(['plug', 'backup', `${TENANT}/ug-web`, '--yes', '--json'])
    expect(backup.code, backup.stderr).toBe(0)
    const record = backup.json().backup
    backupId = record.id
    expect(record).toMatchObject({consistency: 'pause', reason: 'manual', volumes: [{name: 'data'}]})
    // The archive's checksum on the host is the one recorded.
    const {stdout} = await run('sha256sum', [record.file])
    expect(stdout.split(' ')[0]).toBe(record.sha256)
    const list = await ug(['plug', 'backups', `${TENANT}/ug-web`, '--json'])
    expect(list.json().backups.map((entry: {id: string}) => entry.id)).toContain(backupId)

    const down = await ug(['plug', 'down', `${TENANT}/ug-web`, '--yes'])
    expect(down.code, down.stderr).toBe(0)
    const up = await ug(['plug', 'up', 'ug-web', '--tenant', TENANT, '--yes'])
    expect(up.code, up.stderr).toBe(0)
    expect(await volumeSums(TENANT)).toBe('')

    const restore = await ug(['plug', 'restore', `${TENANT}/ug-web`, backupId, '--yes', '--json'])
    expect(restore.code, restore.stderr).toBe(0)
    expect(restore.json()).toMatchObject({status: 'applied', sha256: record.sha256, health: {ok: true}})
    expect(await volumeSums(TENANT)).toBe(sums)
    expect(await viaNginx(TENANT)).toEqual({status: 200, body: 'hello from the upgrade fixture\n'})
  }, 240_000)

  it("a restore into another tenant fills only that tenant's volume", async () => {
    const up = await ug(['plug', 'up', 'ug-web', '--tenant', OTHER, '--yes'])
    expect(up.code, up.stderr).toBe(0)
    await sh(TENANT, 'echo changed-after-backup > /data/state')
    const before = await volumeSums(TENANT)
    const restore = await ug(['plug', 'restore', `${OTHER}/ug-web`, `${TENANT}/ug-web:${backupId}`, '--yes'])
    expect(restore.code, restore.stderr).toBe(0)
    expect(await volumeSums(OTHER)).toBe(sums)
    expect(await volumeSums(TENANT)).toBe(before)
    // Each tenant's container is only on its own networks.
    const networks = await docker(['inspect', '--format', '{{json .NetworkSettings.Networks}}', container(OTHER)])
    expect(Object.keys(JSON.parse(networks)).every((name) => name.includes(OTHER))).toBe(true)
  }, 180_000)

  it('--out streams the archive to a local file with its sha256; a changed file is refused before any change', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aims-ug-'))
    const file = join(dir, 'web.tar.gz')
    const backup = await ug(['plug', 'backup', `${TENANT}/ug-web`, '--out', file, '--yes', '--json'])
    expect(backup.code, backup.stderr).toBe(0)
    const sha = createHash('sha256').update(readFileSync(file)).digest('hex')
    expect(backup.json().backup.sha256).toBe(sha)
    expect(readFileSync(`${file}.sha256`, 'utf8')).toBe(`${sha}  web.tar.gz\n`)
    // Nothing kept on the host for a download.
    expect(existsSync(`/var/lib/aims/backups/${TENANT}/ug-web/${backup.json().backup.id}.tar.gz`)).toBe(false)
    const expected = await volumeSums(TENANT)

    await sh(OTHER, 'echo other > /data/state')
    const otherBefore = await volumeSums(OTHER)
    const restore = await ug(['plug', 'restore', `${OTHER}/ug-web`, file, '--yes'])
    expect(restore.code, restore.stderr).toBe(0)
    expect(await volumeSums(OTHER)).toBe(expected)
    expect(expected).not.toBe(otherBefore)

    await sh(OTHER, 'echo after > /data/state')
    const untouched = await volumeSums(OTHER)
    appendFileSync(file, 'x')
    const damaged = await ug(['plug', 'restore', `${OTHER}/ug-web`, file, '--yes'])
    expect(damaged.code).toBe(2)
    expect(damaged.stderr).toMatch(/does not match its checksum/)
    expect(await volumeSums(OTHER)).toBe(untouched)
  }, 180_000)
})
