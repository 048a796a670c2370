/**
 * `aims plug backup | backups | restore`: the volumes of an instance as one archive, made
 * consistent by the plug's backup hook (a dump into the volume) or by pausing its containers
 * while tar runs, streamed through the one SSH connection (to the host's backup dir, or to a
 * local file), with a manifest inside and the archive's sha256 beside it. A restore checks the
 * checksum before it touches anything.
 */
import {createHash} from 'node:crypto'
import {Writable} from 'node:stream'
import {
  backupId,
  backupsDir,
  EMPTY_VOLUMES_SCRIPT,
  restoreMapping,
  tarCreateArgv,
  tarExtractArgv,
  volumeShortName,
  volumesRoot,
  type BackupManifest,
  type BackupRecord,
  type BackupVolume,
} from '../core/backup/backup.js'
import type {Plug} from '../core/catalog/schema.js'
import {LABEL} from '../core/engine-types.js'
import {AimsError} from '../core/errors.js'
import type {InstanceView} from '../core/instances.js'
import {formatInstanceRef, type InstanceNames, type InstanceRef} from '../core/names.js'
import type {Plan} from '../core/plan/plan.js'
import {sanitizeUntrusted} from '../core/text/sanitize.js'
import {passGate} from './gate.js'
import {requireInstance} from './instances.js'
import {awaitHealthy, healthBudgetMs} from './plug-manage.js'
import {recordAction} from './record-action.js'
import type {Engine, HostLock, HostShell, LifecycleDeps} from './ports.js'

/** A local file a backup streams into (the adapter opens it; `close` flushes it). */
export interface BackupSink {
  stream: NodeJS.WritableStream
  close(): Promise<void>
  readonly path: string
}

/** A local archive to restore from, with the checksum written beside it at backup time. */
export interface BackupSource {
  readonly path: string
  manifest: BackupManifest
  sha256: string
  /** The sha256 file's value (FILE.sha256); undefined when there is none. */
  expectedSha256: string | undefined
  open(): NodeJS.ReadableStream
}

export interface BackupRequest {
  ref: InstanceRef
  reason: BackupManifest['reason']
  /** Stream the archive here instead of keeping it on the host. */
  sink?: BackupSink | undefined
  /** Keep a copy on the host too when streaming to a local file. */
  keepOnHost?: boolean
}

export interface BackupResult {
  status: 'applied' | 'dry-run'
  instance: string
  host: string
  plan: Plan
  backup?: BackupRecord
  /** The local file the archive went to. */
  out?: string
  durationMs: number
}

const SPARE = ''

/** The instance's volumes, as the engine has them (with their mountpoints). */
export async function instanceVolumes(
  engine: Engine,
  ref: InstanceNames,
): Promise<Array<BackupVolume & {mountpoint: string | undefined}>> {
  const volumes = await engine.listVolumes({
    labels: {[LABEL.managed]: 'true', [LABEL.tenant]: ref.tenant, [LABEL.instance]: ref.instance},
  })
  return volumes
    .map((volume) => ({
      name: volumeShortName(volume.name, ref.tenant, ref.instance),
      volume: volume.name,
      mountpoint: volume.mountpoint,
    }))
    .sort((a, b) => a.name.localeCompare(b.name))
}

async function plugOf(deps: LifecycleDeps, id: string): Promise<Plug | undefined> {
  return (await deps.catalog?.find(id).catch(() => undefined))?.plug
}

function backupPlan(view: InstanceView, host: string, volumes: BackupVolume[], how: string, where: string): Plan {
  return {
    action: 'plug-backup',
    summary: `Back up ${view.ref} (${view.plug}) on ${host}`,
    host,
    target: view.ref,
    destructive: false,
    facts: [
      {label: 'volumes', value: volumes.map((volume) => volume.name).join(', ')},
      {label: 'consistency', value: how},
      {label: 'to', value: where},
    ],
    changes: [{action: 'write', kind: 'volume', name: where, detail: 'archive of the volumes (tar.gz, sha256)'}],
    gates: [],
  }
}

/** `aims plug backup`: through the gate, then the archive. */
export async function plugBackup(deps: LifecycleDeps, request: BackupRequest): Promise<BackupResult> {
  const started = deps.clock.now().getTime()
  const engine = await deps.session.engine()
  const view = await requireInstance(deps.session, engine, request.ref)
  const volumes = await instanceVolumes(engine, request.ref)
  if (volumes.length === 0)
    throw new AimsError('validation', `${view.ref} has no volumes: there is nothing to back up`, {
      hint: 'only plugs that keep data in volumes have backups',
    })
  const plug = await plugOf(deps, view.plug)
  const host = deps.session.host.name
  const how = plug?.backup?.hook
    ? `hook in ${plug.backup.hook.service}: ${plug.backup.hook.command.join(' ')}`
    : 'containers paused while copying'
  const where = request.sink
    ? `${request.sink.path}${request.keepOnHost ? ' and the host' : ''}`
    : `${backupsDir(deps.session.host.stateDir, view.tenant, view.instance)}/`
  const plan = backupPlan(view, host, volumes, sanitizeUntrusted(how), where)
  if ((await passGate(plan, deps.approver)) === 'dry-run')
    return {status: 'dry-run', instance: view.ref, host, plan, durationMs: 0}
  try {
    const backup = await takeBackup(deps, engine, view, {
      reason: request.reason,
      ...(request.sink ? {sink: request.sink} : {}),
      ...(request.keepOnHost ? {keepOnHost: true} : {}),
    })
    await recordAction(deps, {
      action: 'plug backup',
      target: view.ref,
      outcome: 'applied',
      detail: `${backup.id} (${backup.bytes} bytes, sha256 ${backup.sha256.slice(0, 12)})`,
    })
    return {
      status: 'applied',
      instance: view.ref,
      host,
      plan,
      backup,
      ...(request.sink ? {out: request.sink.path} : {}),
      durationMs: deps.clock.now().getTime() - started,
    }
  } catch (error) {
    await recordAction(deps, {
      action: 'plug backup',
      target: view.ref,
      outcome: 'failed',
      detail: (error as Error).message,
    }).catch(() => undefined)
    throw error
  }
}

/**
 * The archive itself (no gate: plug backup passed it, an upgrade's plan includes it, a schedule
 * was approved when written). Consistent by the plug's hook, else by pausing the running
 * containers for the copy; containers already stopped are copied as they are.
 */
export async function takeBackup(
  deps: Pick<LifecycleDeps, 'session' | 'clock' | 'newId' | 'actor' | 'progress' | 'catalog'>,
  engine: Engine,
  view: InstanceView,
  options: {reason: BackupManifest['reason']; sink?: BackupSink; keepOnHost?: boolean},
): Promise<BackupRecord> {
  const shell = await deps.session.shell()
  const volumes = await instanceVolumes(engine, view)
  const root = volumesRoot(volumes)
  const plug = await plugOf(deps as LifecycleDeps, view.plug)
  const id = backupId(
    deps.clock.now(),
    deps
      .newId()
      .replace(/[^a-z0-9]/gi, '')
      .slice(-6),
  )
  const dir = backupsDir(deps.session.host.stateDir, view.tenant, view.instance)
  const running = view.replicas.filter((replica) => replica.state === 'running')
  const hook = plug?.backup?.hook
  const consistency: BackupManifest['consistency'] = hook ? 'hook' : running.length > 0 ? 'pause' : 'stopped'
  const manifest: BackupManifest = {
    version: 1,
    id,
    tenant: view.tenant,
    instance: view.instance,
    plug: view.plug,
    createdAt: deps.clock.now().toISOString(),
    createdBy: deps.actor,
    consistency,
    reason: options.reason,
    volumes: volumes.map(({name, volume}) => ({name, volume})),
    images: Object.fromEntries(view.replicas.map((replica) => [replica.service, replica.image])),
  }
  const staging = `${dir}/.${id}`
  await shell.mkdirp(staging)
  await shell.writeFile(`${staging}/manifest.json`, `${JSON.stringify(manifest, null, 2)}\n`, 0o600)
  const tar = (output: string) => tarCreateArgv({output, manifestDir: staging, root, volumes, compress: true})
  const paused: string[] = []
  try {
    if (hook) await runHook(deps, engine, view, hook, 'backup')
    else
      for (const replica of running) {
        await engine.pauseContainer(replica.containerId)
        paused.push(replica.containerId)
      }
    deps.progress({step: 'backup', message: `archiving ${volumes.map((volume) => volume.name).join(', ')}`})
    let sha256: string
    let bytes: number
    const file = `${dir}/${id}.tar.gz`
    if (options.sink) {
      ;({sha256, bytes} = await streamArchive(shell, tar('-'), options.sink))
    } else {
      const result = await shell.exec(tar(`${file}.part`), {timeoutMs: 6 * 3600_000})
      if (result.exitCode !== 0) throw tarFailed('backup', result.stderr)
      ;({sha256, bytes} = await hashOnHost(shell, `${file}.part`))
      await shell.rename(`${file}.part`, file)
    }
    const record: BackupRecord = {...manifest, sha256, bytes, file: options.sink ? SPARE : file}
    if (!options.sink || options.keepOnHost) {
      if (options.sink) {
        const result = await shell.exec(tar(file), {timeoutMs: 6 * 3600_000})
        if (result.exitCode !== 0) throw tarFailed('backup', result.stderr)
        const onHost = await hashOnHost(shell, file)
        await shell.writeFile(`${dir}/${id}.json`, JSON.stringify({...record, ...onHost, file}), 0o600)
      } else await shell.writeFile(`${dir}/${id}.json`, JSON.stringify(record), 0o600)
    }
    return record
  } finally {
    for (const container of paused) await engine.unpauseContainer(container).catch(() => undefined)
    await shell.exec(['rm', '-rf', staging]).catch(() => undefined)
  }
}

async function runHook(
  deps: Pick<LifecycleDeps, 'progress'>,
  engine: Engine,
  view: InstanceView,
  hook: {service: string; command: string[]},
  what: 'backup' | 'restore',
): Promise<void> {
  const replica = view.replicas.find((candidate) => candidate.service === hook.service && candidate.replica === 1)
  if (!replica)
    throw new AimsError('validation', `the ${what} hook runs in ${hook.service}, which ${view.ref} does not have`, {
      hint: 'fix the catalog entry (backup.hook.service)',
    })
  deps.progress({step: what, message: `${what} hook in ${hook.service}`})
  const result = await engine.execInContainer(replica.containerName, hook.command)
  if (result.exitCode !== 0)
    throw new AimsError(
      'remote',
      `the ${what} hook in ${hook.service} failed (exit ${result.exitCode}): ` +
        sanitizeUntrusted(result.output.trim().split('\n').slice(-3).join(' ')),
      {hint: `run it by hand to see why: docker exec ${replica.containerName} ${hook.command.join(' ')}`},
    )
}

const tarFailed = (what: string, stderr: string) =>
  new AimsError(
    'remote',
    `the ${what} failed on the host: ${sanitizeUntrusted(stderr.trim().split('\n').slice(-2).join(' '))}`,
    {
      hint: 'check the free space under /var/lib/aims and that GNU tar is installed',
    },
  )

async function hashOnHost(shell: HostShell, file: string): Promise<{sha256: string; bytes: number}> {
  const result = await shell.exec(['sh', '-c', 'sha256sum "$1" && stat -c %s "$1"', 'sh', file])
  const [line, size] = result.stdout.trim().split('\n')
  const sha256 = line?.split(/\s+/)[0] ?? ''
  if (result.exitCode !== 0 || !/^[0-9a-f]{64}$/.test(sha256))
    throw new AimsError('remote', `cannot checksum ${file} on the host: ${result.stderr.trim()}`)
  return {sha256, bytes: Number(size)}
}

/** tar's stdout through the SSH channel into the sink, hashed on the way. */
async function streamArchive(
  shell: HostShell,
  argv: string[],
  sink: BackupSink,
): Promise<{sha256: string; bytes: number}> {
  const hash = createHash('sha256')
  let bytes = 0
  const tee = new Writable({
    highWaterMark: 1 << 20,
    write(chunk: Buffer, _encoding, done) {
      hash.update(chunk)
      bytes += chunk.length
      if (sink.stream.write(chunk)) done()
      else sink.stream.once('drain', () => done())
    },
  })
  const result = await shell.execStream(argv, {stdout: tee, timeoutMs: 6 * 3600_000})
  await new Promise<void>((resolve) => tee.end(resolve))
  await sink.close()
  if (result.exitCode !== 0) throw tarFailed('backup', result.stderr)
  return {sha256: hash.digest('hex'), bytes}
}

// ---- listing -------------------------------------------------------------------------------

export async function listBackups(deps: Pick<LifecycleDeps, 'session'>, ref: InstanceNames): Promise<BackupRecord[]> {
  const shell = await deps.session.shell()
  const dir = backupsDir(deps.session.host.stateDir, ref.tenant, ref.instance)
  const names = (await shell.listDir(dir)) ?? []
  const records: BackupRecord[] = []
  for (const name of names.filter((file) => file.endsWith('.json')).sort()) {
    const text = await shell.readFile(`${dir}/${name}`)
    try {
      if (text) records.push(JSON.parse(text.toString('utf8')) as BackupRecord)
    } catch {
      // an unreadable index entry is skipped, not fatal
    }
  }
  return records
}

export async function findBackup(
  deps: Pick<LifecycleDeps, 'session'>,
  ref: InstanceNames,
  id: string,
): Promise<BackupRecord> {
  const found = (await listBackups(deps, ref)).find((record) => record.id === id)
  if (!found)
    throw new AimsError('not-found', `no backup ${id} of ${formatInstanceRef(ref)} on ${deps.session.host.name}`, {
      hint: `see aims plug backups ${formatInstanceRef(ref)}`,
    })
  return found
}

// ---- restore -------------------------------------------------------------------------------

export type RestoreFrom = {kind: 'host'; ref: InstanceNames; id: string} | {kind: 'file'; source: BackupSource}

export interface RestoreResult {
  status: 'applied' | 'dry-run'
  instance: string
  host: string
  plan: Plan
  from: string
  sha256?: string
  health?: {ok: boolean; detail: string}
  durationMs: number
}

/** `aims plug restore INSTANCE FROM`: checksum first, then the gate (it replaces data), then stop → extract → start. */
export async function plugRestore(deps: LifecycleDeps, ref: InstanceRef, from: RestoreFrom): Promise<RestoreResult> {
  const started = deps.clock.now().getTime()
  const engine = await deps.session.engine()
  const shell = await deps.session.shell()
  const view = await requireInstance(deps.session, engine, ref)
  const host = deps.session.host.name
  const volumes = await instanceVolumes(engine, ref)
  const record = from.kind === 'host' ? await findBackup(deps, from.ref, from.id) : undefined
  const manifest = record ?? (from.kind === 'file' ? from.source.manifest : undefined)!
  const label = from.kind === 'host' ? `${formatInstanceRef(from.ref)} backup ${from.id}` : from.source.path
  await verifyChecksum(shell, from, record)
  const mapping = restoreMapping(manifest, volumes)
  const plan: Plan = {
    action: 'plug-restore',
    summary: `Restore ${view.ref} (${view.plug}) on ${host} from ${label}`,
    host,
    target: view.ref,
    destructive: true,
    confirmWord: view.instance,
    facts: [
      {label: 'from', value: `${label} (${manifest.createdAt}, plug ${manifest.plug})`},
      {label: 'volumes', value: mapping.map((entry) => `${entry.from} → ${entry.to}`).join(', ')},
    ],
    changes: [
      ...view.replicas.map((replica) => ({
        action: 'stop' as const,
        kind: 'container' as const,
        name: replica.containerName,
      })),
      ...mapping.map((entry) => ({
        action: 'remove' as const,
        kind: 'volume' as const,
        name: entry.to,
        detail: 'its contents are replaced by the backup',
      })),
      ...view.replicas.map((replica) => ({
        action: 'start' as const,
        kind: 'container' as const,
        name: replica.containerName,
      })),
    ],
    gates: [],
  }
  if (manifest.plug !== view.plug)
    throw new AimsError('validation', `the backup is of plug ${manifest.plug}, ${view.ref} runs ${view.plug}`, {
      hint: 'restore into an instance of the same plug',
    })
  if ((await passGate(plan, deps.approver)) === 'dry-run')
    return {status: 'dry-run', instance: view.ref, host, plan, from: label, durationMs: 0}
  const lock = await lockInstance(deps, ref)
  let health: {ok: boolean; detail: string} | undefined
  try {
    health = await restoreInto(deps, engine, view, {record, from, mapping, root: volumesRoot(volumes)})
    await recordAction(deps, {action: 'plug restore', target: view.ref, outcome: 'applied', detail: label})
  } catch (error) {
    await recordAction(deps, {
      action: 'plug restore',
      target: view.ref,
      outcome: 'failed',
      detail: (error as Error).message,
    }).catch(() => undefined)
    throw error
  } finally {
    await lock.release()
  }
  return {
    status: 'applied',
    instance: view.ref,
    host,
    plan,
    from: label,
    sha256: record?.sha256 ?? (from.kind === 'file' ? from.source.sha256 : ''),
    ...(health ? {health} : {}),
    durationMs: deps.clock.now().getTime() - started,
  }
}

async function verifyChecksum(shell: HostShell, from: RestoreFrom, record: BackupRecord | undefined): Promise<void> {
  if (from.kind === 'host') {
    const actual = await hashOnHost(shell, record!.file)
    if (actual.sha256 !== record!.sha256)
      throw new AimsError(
        'remote',
        `backup ${record!.id} is damaged: its sha256 is ${actual.sha256.slice(0, 16)}…, ` +
          `${record!.sha256.slice(0, 16)}… was recorded`,
        {hint: 'restore from another backup (aims plug backups)'},
      )
    return
  }
  const {source} = from
  if (!source.expectedSha256)
    throw new AimsError('validation', `${source.path}.sha256 is missing: the archive cannot be checked`, {
      hint: 'keep the .sha256 file aims wrote beside the archive',
    })
  if (source.expectedSha256 !== source.sha256)
    throw new AimsError('validation', `${source.path} does not match its checksum (${source.path}.sha256)`, {
      hint: 'the file was changed or cut short: download the backup again',
    })
}

/**
 * Stops the instance, empties the volumes, extracts the archive into them and starts it again
 * (dependencies first), running the plug's restore hook when it has one. Returns the entry's health.
 */
export async function restoreInto(
  deps: Pick<LifecycleDeps, 'session' | 'clock' | 'progress' | 'catalog'> & Partial<LifecycleDeps>,
  engine: Engine,
  view: InstanceView,
  input: {
    record: BackupRecord | undefined
    from?: RestoreFrom
    mapping: Array<{from: string; to: string}>
    root: string
    /** Start the instance again afterwards (default true). */
    start?: boolean
  },
): Promise<{ok: boolean; detail: string} | undefined> {
  const shell = await deps.session.shell()
  const order = [...view.replicas].sort((a, b) => a.replica - b.replica)
  deps.progress({step: 'stop', message: `stopping ${view.ref}`})
  for (const replica of [...order].reverse()) await engine.stopContainer(replica.containerId)
  deps.progress({step: 'restore', message: `restoring ${input.mapping.map((entry) => entry.from).join(', ')}`})
  const emptied = await shell.exec([
    'sh',
    '-c',
    EMPTY_VOLUMES_SCRIPT,
    'sh',
    input.root,
    ...input.mapping.map((entry) => entry.to),
  ])
  if (emptied.exitCode !== 0) throw tarFailed('restore', emptied.stderr)
  const file = input.from?.kind === 'file' ? '-' : input.record!.file
  const argv = tarExtractArgv({archive: file, root: input.root, mapping: input.mapping, compress: true})
  const result =
    input.from?.kind === 'file'
      ? await shell.execStream(argv, {stdin: input.from.source.open(), timeoutMs: 6 * 3600_000})
      : await shell.exec(argv, {timeoutMs: 6 * 3600_000})
  if (result.exitCode !== 0) throw tarFailed('restore', result.stderr)
  if (input.start === false) return undefined
  const declared = view.declaredServices
  const starting = [...order].sort(
    (a, b) => declared.indexOf(a.service) - declared.indexOf(b.service) || a.replica - b.replica,
  )
  for (const replica of starting) await engine.startContainer(replica.containerId)
  const plug = await plugOf(deps as LifecycleDeps, view.plug)
  if (plug?.backup?.restore) await runHook(deps, engine, view, plug.backup.restore, 'restore')
  const entry = starting.find((replica) => replica.entry)
  if (!entry) return undefined
  return awaitHealthy(
    deps as LifecycleDeps,
    engine,
    entry.containerId,
    healthBudgetMs((await engine.inspectContainer(entry.containerId))?.labels),
  )
}

async function lockInstance(deps: LifecycleDeps, ref: InstanceRef): Promise<HostLock> {
  try {
    return await deps.session.lock(`instance-${ref.tenant}-${ref.instance}`, {wait: true, timeoutMs: 15_000})
  } catch (error) {
    if (error instanceof AimsError && error.kind === 'conflict')
      throw new AimsError('conflict', `another aims process is changing ${formatInstanceRef(ref)} right now`, {
        hint: 'wait for it to finish and retry',
      })
    throw error
  }
}
