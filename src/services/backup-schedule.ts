/**
 * Scheduled backups: `aims plug backup INSTANCE --every 1d --keep 7` writes a schedule on the host
 * (backup-schedules/TENANT/INSTANCE.json); the warden calls `runDueBackups(deps, now)` on its
 * interval, with no CLI process: each due schedule takes a backup (reason scheduled), prunes the
 * scheduled backups beyond `keep` (oldest first), uploads to S3 when the schedule says so, and
 * records the outcome (a failure is audited and raised as a `backup-failed` event for alerts).
 */
import {backupsDir, pruneList, type BackupRecord} from '../core/backup/backup.js'
import {s3ObjectKey, type S3Credentials, type S3Target} from '../core/backup/s3.js'
import {AimsError} from '../core/errors.js'
import {formatInstanceRef, instanceRef, type InstanceNames, type InstanceRef} from '../core/names.js'
import type {Plan} from '../core/plan/plan.js'
import {listBackups, takeBackup} from './backup.js'
import {passGate} from './gate.js'
import {requireInstance} from './instances.js'
import {recordAction} from './record-action.js'
import type {LifecycleDeps, RecordDeps} from './ports.js'

export interface BackupSchedule {
  version: 1
  tenant: string
  instance: string
  every: string
  everyMs: number
  keep: number
  s3?: S3Target
  createdAt: string
  createdBy: string
  lastRunAt?: string
  lastStatus?: 'ok' | 'failed'
  lastError?: string
  lastBackup?: string
}

export interface ScheduleResult {
  status: 'applied' | 'dry-run'
  instance: string
  host: string
  plan: Plan
  schedule: BackupSchedule
}

export const schedulesDir = (stateDir: string) => `${stateDir}/backup-schedules`
export const schedulePath = (stateDir: string, ref: InstanceNames) =>
  `${schedulesDir(stateDir)}/${ref.tenant}/${ref.instance}.json`

export async function readSchedule(
  deps: Pick<RecordDeps, 'session'>,
  ref: InstanceNames,
): Promise<BackupSchedule | undefined> {
  const shell = await deps.session.shell()
  const text = await shell.readFile(schedulePath(deps.session.host.stateDir, ref))
  if (!text) return undefined
  try {
    return JSON.parse(text.toString('utf8')) as BackupSchedule
  } catch {
    return undefined
  }
}

export function describeSchedule(schedule: BackupSchedule): string {
  const last = schedule.lastRunAt
    ? `; last run ${schedule.lastRunAt} ${schedule.lastStatus}${schedule.lastError ? ` (${schedule.lastError})` : ''}`
    : '; not run yet'
  const s3 = schedule.s3 ? `, uploaded to s3://${schedule.s3.bucket}/${schedule.s3.prefix}` : ''
  return `Schedule: every ${schedule.every}, keep ${schedule.keep}${s3}${last}`
}

export async function scheduleBackup(
  deps: LifecycleDeps,
  request: {ref: InstanceRef; every: string; everyMs: number; keep: number; s3?: S3Target},
): Promise<ScheduleResult> {
  const engine = await deps.session.engine()
  const view = await requireInstance(deps.session, engine, request.ref)
  const host = deps.session.host.name
  const path = schedulePath(deps.session.host.stateDir, request.ref)
  const previous = await readSchedule(deps, request.ref)
  const schedule: BackupSchedule = {
    version: 1,
    tenant: request.ref.tenant,
    instance: request.ref.instance,
    every: request.every,
    everyMs: request.everyMs,
    keep: request.keep,
    ...(request.s3 ? {s3: request.s3} : {}),
    createdAt: deps.clock.now().toISOString(),
    createdBy: deps.actor,
    ...(previous?.lastRunAt ? {lastRunAt: previous.lastRunAt} : {}),
  }
  const plan: Plan = {
    action: 'backup-schedule',
    summary: `Back up ${view.ref} every ${request.every} on ${host}, keeping ${request.keep}`,
    host,
    target: view.ref,
    destructive: false,
    facts: [
      {label: 'every', value: request.every},
      {label: 'keep', value: `${request.keep} scheduled backups (older ones are removed)`},
      {label: 'run by', value: 'the warden on the host (aims warden)'},
      ...(request.s3 ? [{label: 'upload', value: `s3://${request.s3.bucket}/${request.s3.prefix}`}] : []),
    ],
    changes: [{action: 'write', kind: 'instance', name: path, detail: previous ? 'replaces the schedule' : 'new'}],
    gates: [],
  }
  if ((await passGate(plan, deps.approver)) === 'dry-run')
    return {status: 'dry-run', instance: view.ref, host, plan, schedule}
  const shell = await deps.session.shell()
  await shell.mkdirp(path.slice(0, path.lastIndexOf('/')))
  await shell.writeFile(path, `${JSON.stringify(schedule, null, 2)}\n`, 0o600)
  await recordAction(deps, {
    action: 'plug backup',
    target: view.ref,
    outcome: 'applied',
    detail: `scheduled every ${request.every}, keep ${request.keep}`,
  })
  return {status: 'applied', instance: view.ref, host, plan, schedule}
}

/** Uploads an archive on the host to an S3-compatible bucket (the adapter streams it; SigV4). */
export interface S3Uploader {
  put(input: {credentials: S3Credentials; bucket: string; key: string; file: string; bytes: number}): Promise<void>
}

export interface DueBackupDeps extends Pick<
  LifecycleDeps,
  'session' | 'clock' | 'newId' | 'actor' | 'progress' | 'catalog' | 'audit' | 'origin'
> {
  recordEvent?: LifecycleDeps['recordEvent']
  /** S3 upload and its credentials (absent: schedules with s3 fail their upload, reported). */
  s3?: {uploader: S3Uploader; credentials: () => Promise<S3Credentials | undefined>}
}

export interface DueBackupOutcome {
  instance: string
  status: 'ok' | 'failed' | 'not-due'
  backup?: string
  pruned: string[]
  uploaded?: string
  error?: string
}

/**
 * The warden's task: every schedule whose last run is `everyMs` old (or that never ran) runs now.
 * Never throws for one instance's failure: it is recorded on the schedule, audited and evented.
 */
export async function runDueBackups(deps: DueBackupDeps, now: Date): Promise<DueBackupOutcome[]> {
  const shell = await deps.session.shell()
  const root = schedulesDir(deps.session.host.stateDir)
  const outcomes: DueBackupOutcome[] = []
  for (const tenant of (await shell.listDir(root)) ?? []) {
    for (const file of ((await shell.listDir(`${root}/${tenant}`)) ?? []).filter((name) => name.endsWith('.json'))) {
      let ref: InstanceRef
      try {
        ref = instanceRef(tenant, file.slice(0, -'.json'.length))
      } catch {
        continue
      }
      const schedule = await readSchedule(deps, ref)
      if (!schedule) continue
      const last = schedule.lastRunAt ? Date.parse(schedule.lastRunAt) : Number.NEGATIVE_INFINITY
      if (now.getTime() - last < schedule.everyMs) {
        outcomes.push({instance: formatInstanceRef(ref), status: 'not-due', pruned: []})
        continue
      }
      outcomes.push(await runOne(deps, ref, schedule, now))
    }
  }
  return outcomes
}

async function runOne(
  deps: DueBackupDeps,
  ref: InstanceRef,
  schedule: BackupSchedule,
  now: Date,
): Promise<DueBackupOutcome> {
  const shell = await deps.session.shell()
  const target = formatInstanceRef(ref)
  const record = {...deps, recordEvent: deps.recordEvent}
  try {
    const engine = await deps.session.engine()
    const view = await requireInstance(deps.session, engine, ref)
    const backup = await takeBackup(deps, engine, view, {reason: 'scheduled'})
    const scheduled = (await listBackups(deps, ref)).filter((entry) => entry.reason === 'scheduled')
    const pruned = await prune(deps, ref, pruneList(scheduled, schedule.keep))
    let uploaded: string | undefined
    if (schedule.s3) uploaded = await upload(deps, schedule.s3, backup)
    const {lastError: _cleared, ...rest} = schedule
    void _cleared
    const ran: BackupSchedule = {...rest, lastRunAt: now.toISOString(), lastStatus: 'ok', lastBackup: backup.id}
    await shell.writeFile(schedulePath(deps.session.host.stateDir, ref), `${JSON.stringify(ran, null, 2)}\n`, 0o600)
    await recordAction(record as RecordDeps, {
      action: 'plug backup',
      target,
      outcome: 'applied',
      detail:
        `scheduled ${backup.id}` +
        (pruned.length ? `, pruned ${pruned.join(', ')}` : '') +
        (uploaded ? `, uploaded ${uploaded}` : ''),
    }).catch(() => undefined)
    return {instance: target, status: 'ok', backup: backup.id, pruned, ...(uploaded ? {uploaded} : {})}
  } catch (error) {
    const message = (error as Error).message
    const failed: BackupSchedule = {...schedule, lastRunAt: now.toISOString(), lastStatus: 'failed', lastError: message}
    await shell
      .writeFile(schedulePath(deps.session.host.stateDir, ref), `${JSON.stringify(failed, null, 2)}\n`, 0o600)
      .catch(() => undefined)
    await recordAction(record as RecordDeps, {
      action: 'plug backup',
      target,
      outcome: 'failed',
      detail: `scheduled backup failed: ${message}`,
    }).catch(() => undefined)
    return {instance: target, status: 'failed', pruned: [], error: message}
  }
}

async function prune(deps: DueBackupDeps, ref: InstanceNames, old: BackupRecord[]): Promise<string[]> {
  const shell = await deps.session.shell()
  const dir = backupsDir(deps.session.host.stateDir, ref.tenant, ref.instance)
  for (const backup of old) {
    await shell.removeFile(`${dir}/${backup.id}.tar.gz`)
    await shell.removeFile(`${dir}/${backup.id}.json`)
  }
  return old.map((backup) => backup.id)
}

async function upload(deps: DueBackupDeps, target: S3Target, backup: BackupRecord): Promise<string> {
  const credentials = await deps.s3?.credentials()
  if (!deps.s3 || !credentials)
    throw new AimsError('validation', 'the schedule uploads to S3 but no S3 credentials are stored', {
      hint: 'aims login s3 (endpoint, region, access key, secret key)',
    })
  const key = s3ObjectKey(target, backup.tenant, backup.instance, `${backup.id}.tar.gz`)
  await deps.s3.uploader.put({credentials, bucket: target.bucket, key, file: backup.file, bytes: backup.bytes})
  return `s3://${target.bucket}/${key}`
}
