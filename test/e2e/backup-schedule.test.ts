/**
 * Scheduled backups with no CLI process: `aims plug backup --every 1d --keep 2 --s3 …` (the real CLI)
 * writes the schedule on the host; then the warden's task, `runDueBackups(deps, now)`, runs in this
 * process with the host's own composition (a local session on the bed's engine and /var/lib/aims, as
 * the warden container has) at simulated times: due runs back up and upload to a local S3 endpoint
 * (SigV4 checked), not-due runs do nothing, retention keeps 2, and a forced failure is recorded on
 * the schedule, audited and raised as a `backup-failed` event (what alerts are sent from).
 */
import {createHash} from 'node:crypto'
import {mkdtempSync, readFileSync} from 'node:fs'
import {readdir} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {execFile} from 'node:child_process'
import {promisify} from 'node:util'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {JsonlAuditLog} from '../../src/adapters/audit-file.js'
import {LocalHostSession} from '../../src/adapters/local-session.js'
import {HttpS3Uploader} from '../../src/adapters/s3-upload.js'
import {runDueBackups, type DueBackupDeps} from '../../src/services/backup-schedule.js'
import {hostLifecycleEventWriter} from '../../src/services/lifecycle-events.js'
import {silentProgress} from '../../src/services/progress.js'
import {aims, homeWithHost, ROOT} from '../support/aims.js'
import {docker, purgeTenant} from '../support/engine.js'
import {startFakeS3, type FakeS3} from '../support/fake-s3.js'

const run = promisify(execFile)
const TENANT = `ugs-${Math.random().toString(36).slice(2, 7)}`
const env = {AIMS_CATALOG_PATH: join(ROOT, 'test', 'fixtures', 'upgrade-plugs')}
const DIR = `/var/lib/aims/backups/${TENANT}/ug-web`
const DAY = 86_400_000
let home: string
let s3: FakeS3
let current = new Date('2026-12-03T03:00:00Z')
const auditFile = join(mkdtempSync(join(tmpdir(), 'aims-ugs-')), 'audit.jsonl')

const session = new LocalHostSession(
  {
    name: 'warden',
    kind: 'local',
    dockerSocket: '/var/run/docker.sock',
    nginxConfDir: '/etc/nginx/conf.d/plugs',
    stateDir: '/var/lib/aims',
  },
  {callTimeoutMs: 20_000},
)
let sequence = 0
const deps = (): DueBackupDeps => ({
  session,
  clock: {now: () => current, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms))},
  newId: () => `w${(++sequence).toString().padStart(5, '0')}`,
  actor: 'warden@vps',
  progress: silentProgress,
  audit: new JsonlAuditLog(auditFile),
  origin: {kind: 'cli'},
  recordEvent: hostLifecycleEventWriter(session),
  s3: {uploader: new HttpS3Uploader(session, {now: () => current}), credentials: async () => s3.credentials},
})
const archives = async () => (await readdir(DIR)).filter((name) => name.endsWith('.tar.gz')).sort()

beforeAll(async () => {
  s3 = await startFakeS3({buckets: ['ug-bucket']})
  home = await homeWithHost()
  const up = await aims(['plug', 'up', 'ug-web', '--tenant', TENANT, '--yes'], {home, env})
  if (up.code !== 0) throw new Error(up.stderr)
}, 120_000)

afterAll(async () => {
  await s3?.close()
  await purgeTenant(TENANT)
  await run('rm', ['-rf', `/var/lib/aims/backups/${TENANT}`, `/var/lib/aims/backup-schedules/${TENANT}`])
  await run('rm', ['-rf', `/var/lib/aims/releases/${TENANT}`])
})

describe('scheduled backups run by the warden task', () => {
  it('the CLI writes the schedule through the gate (bad input exits 2)', async () => {
    const bad = await aims(['plug', 'backup', `${TENANT}/ug-web`, '--every', '1m', '--yes'], {home, env})
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/at least 5 minutes/)
    const noTty = await aims(['plug', 'backup', `${TENANT}/ug-web`, '--every', '1d', '--keep', '2'], {home, env})
    expect(noTty.code).toBe(3)
    const write = await aims(
      [
        'plug',
        'backup',
        `${TENANT}/ug-web`,
        '--every',
        '1d',
        '--keep',
        '2',
        '--s3',
        's3://ug-bucket/aims',
        '--yes',
        '--json',
      ],
      {home, env},
    )
    expect(write.code, write.stderr).toBe(0)
    expect(write.json().schedule).toMatchObject({
      every: '1d',
      everyMs: DAY,
      keep: 2,
      s3: {bucket: 'ug-bucket', prefix: 'aims'},
    })
    const list = await aims(['plug', 'backups', `${TENANT}/ug-web`], {home, env})
    expect(list.stdout).toMatch(/Schedule: every 1d, keep 2, uploaded to s3:\/\/ug-bucket\/aims; not run yet/)
  }, 60_000)

  it('due runs back up and upload; a not-due run does nothing; retention keeps the newest 2', async () => {
    await docker(['exec', `aims-${TENANT}-ug-web-web`, 'sh', '-c', 'echo scheduled > /data/state'])
    const first = (await runDueBackups(deps(), current)).filter((outcome) => outcome.instance === `${TENANT}/ug-web`)
    expect(first).toEqual([expect.objectContaining({status: 'ok', pruned: []})])
    const key = `ug-bucket/aims/${TENANT}/ug-web/${first[0]!.backup}.tar.gz`
    expect(first[0]!.uploaded).toBe(`s3://${key}`)
    const onHost = readFileSync(`${DIR}/${first[0]!.backup}.tar.gz`)
    expect(createHash('sha256').update(s3.objects.get(key)!).digest('hex')).toBe(
      createHash('sha256').update(onHost).digest('hex'),
    )

    current = new Date(current.getTime() + 3_600_000)
    const notDue = (await runDueBackups(deps(), current)).find((outcome) => outcome.instance === `${TENANT}/ug-web`)
    expect(notDue).toMatchObject({status: 'not-due'})
    expect(await archives()).toHaveLength(1)

    current = new Date(current.getTime() + DAY)
    await runDueBackups(deps(), current)
    current = new Date(current.getTime() + DAY)
    const third = (await runDueBackups(deps(), current)).find((outcome) => outcome.instance === `${TENANT}/ug-web`)
    expect(third).toMatchObject({status: 'ok', pruned: [first[0]!.backup]})
    const kept = await archives()
    expect(kept).toHaveLength(2)
    expect(kept).not.toContain(`${first[0]!.backup}.tar.gz`)
    expect(s3.objects.size).toBe(3)
  }, 120_000)

  it('a forced failure is on the schedule, in the audit log and raised as a backup-failed event', async () => {
    await docker(['rm', '-f', `aims-${TENANT}-ug-web-web`])
    current = new Date(current.getTime() + DAY)
    const outcome = (await runDueBackups(deps(), current)).find((entry) => entry.instance === `${TENANT}/ug-web`)
    expect(outcome).toMatchObject({status: 'failed', error: expect.stringMatching(/no instance/)})
    const schedule = JSON.parse(readFileSync(`/var/lib/aims/backup-schedules/${TENANT}/ug-web.json`, 'utf8'))
    expect(schedule).toMatchObject({lastStatus: 'failed', lastError: expect.stringMatching(/no instance/)})
    const audit = readFileSync(auditFile, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
    expect(audit.at(-1)).toMatchObject({action: 'plug backup', target: `${TENANT}/ug-web`, outcome: 'failed'})
    const events = readFileSync('/var/lib/aims/events.jsonl', 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as {action: string; tenant: string})
      .filter((event) => event.tenant === TENANT)
    expect(events.map((event) => event.action)).toContain('backup-failed')
  }, 60_000)
})
