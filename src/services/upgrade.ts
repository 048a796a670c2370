/**
 * `aims plug upgrade | rollback | releases`: another image for an instance's service, through the
 * gate, with a snapshot of its volumes first; replicas replaced one at a time (the old container
 * kept, stopped, until the new one passes the health gate); on failure the previous containers
 * and the snapshot are put back automatically and aims exits 4. Every deploy, upgrade and
 * rollback is a release on the host (releases/TENANT/INSTANCE.json), the last 3 kept.
 */
import {restoreMapping, volumesRoot, type BackupRecord} from '../core/backup/backup.js'
import {LABEL} from '../core/engine-types.js'
import {AimsError, ExitCode} from '../core/errors.js'
import {secretKeysFromLabels, type InstanceView, type ServiceReplica} from '../core/instances.js'
import {formatInstanceRef, type InstanceNames, type InstanceRef} from '../core/names.js'
import type {Plan, PlanChange} from '../core/plan/plan.js'
import {
  activeRelease,
  addRelease,
  parseHistory,
  redactEnv,
  releasesPath,
  rollbackTarget,
  type Release,
  type ReleaseAction,
  type ReleaseHistory,
  type ReleaseService,
} from '../core/releases/releases.js'
import {withTag} from '../core/releases/image-ref.js'
import {newestTagFor, pullAuth, type OutdatedDeps} from './registry.js'
import {instanceVolumes, restoreInto, takeBackup} from './backup.js'
import {passGate} from './gate.js'
import {requireInstance} from './instances.js'
import {awaitHealthy, healthBudgetMs} from './plug-manage.js'
import {recordAction} from './record-action.js'
import type {Engine, HostLock, LifecycleDeps, RecordDeps} from './ports.js'

export interface UpgradeRequest {
  ref: InstanceRef
  /** The tag to go to (the same repository). */
  to: string
  /** The service whose image changes (default: the entry service). */
  service?: string | undefined
}

export interface RollbackRequest {
  ref: InstanceRef
  /** The release to go back to (default: the one before the active one). */
  to?: number | undefined
}

export interface UpgradeResult {
  status: 'applied' | 'dry-run'
  action: 'upgrade' | 'rollback'
  instance: string
  host: string
  plan: Plan
  /** service → image before and after. */
  from: Record<string, string>
  to: Record<string, string>
  release?: Release
  backup?: string
  durationMs: number
}

export interface ReleasesResult {
  instance: string
  host: string
  releases: Release[]
}

// ---- the history on the host ------------------------------------------------------------------

export async function readHistory(deps: Pick<RecordDeps, 'session'>, ref: InstanceNames): Promise<ReleaseHistory> {
  const shell = await deps.session.shell()
  const text = await shell.readFile(releasesPath(deps.session.host.stateDir, ref.tenant, ref.instance))
  return parseHistory(text?.toString('utf8'), ref.tenant, ref.instance)
}

async function writeHistory(deps: Pick<RecordDeps, 'session'>, history: ReleaseHistory): Promise<void> {
  const shell = await deps.session.shell()
  const path = releasesPath(deps.session.host.stateDir, history.tenant, history.instance)
  await shell.mkdirp(path.slice(0, path.lastIndexOf('/')))
  await shell.writeFile(path, `${JSON.stringify(history, null, 2)}\n`, 0o600)
}

/** What the instance runs now, per service (secret env values redacted). */
export async function currentServices(engine: Engine, view: InstanceView): Promise<Record<string, ReleaseService>> {
  const services: Record<string, ReleaseService> = {}
  for (const replica of view.replicas) {
    const existing = services[replica.service]
    if (existing) {
      existing.replicas++
      continue
    }
    const details = await engine.inspectContainer(replica.containerId)
    const image = await engine.inspectImage(replica.image).catch(() => undefined)
    const secretKeys = secretKeysFromLabels(details?.labels)
    const repository = replica.image.replace(/@.*$/, '').replace(/:[^:/]+$/, '')
    const digest = image?.repoDigests.find((entry) => entry.startsWith(`${repository}@`)) ?? image?.repoDigests[0]
    services[replica.service] = {
      image: replica.image,
      ...(image ? {imageId: image.id} : {}),
      ...(digest ? {digest} : {}),
      replicas: 1,
      env: redactEnv(details?.env ?? {}, secretKeys),
      ...(details?.memoryBytes ? {memoryBytes: details.memoryBytes} : {}),
      ...(details?.nanoCpus ? {nanoCpus: details.nanoCpus} : {}),
    }
  }
  return services
}

/** Records what an instance runs as a new active release (plug up calls this once it is ready). */
export async function recordRelease(
  deps: Pick<RecordDeps, 'session' | 'clock' | 'actor'>,
  ref: InstanceRef,
  action: ReleaseAction,
): Promise<Release> {
  const engine = await deps.session.engine()
  const view = await requireInstance(deps.session, engine, ref)
  const history = addRelease(await readHistory(deps, ref), {
    at: deps.clock.now().toISOString(),
    actor: deps.actor,
    action,
    status: 'active',
    services: await currentServices(engine, view),
  })
  await writeHistory(deps, history)
  return history.releases.at(-1)!
}

export async function plugReleases(deps: Pick<RecordDeps, 'session'>, ref: InstanceRef): Promise<ReleasesResult> {
  const history = await readHistory(deps, ref)
  if (history.releases.length === 0) {
    // No history yet (deployed before releases were recorded): the instance must exist to say so.
    await requireInstance(deps.session, await deps.session.engine(), ref)
  }
  return {instance: formatInstanceRef(ref), host: deps.session.host.name, releases: history.releases}
}

// ---- upgrade and rollback ---------------------------------------------------------------------

export async function plugUpgrade(deps: LifecycleDeps, request: UpgradeRequest): Promise<UpgradeResult> {
  const engine = await deps.session.engine()
  const view = await requireInstance(deps.session, engine, request.ref)
  const entry = view.replicas.find((replica) => replica.entry) ?? view.replicas[0]
  const service = request.service ?? entry?.service
  const first = view.replicas.find((replica) => replica.service === service && replica.replica === 1)
  if (!service || !first)
    throw new AimsError('not-found', `${view.ref} has no service ${service ?? '(none)'}`, {
      hint: `its services: ${[...new Set(view.replicas.map((replica) => replica.service))].join(', ')}`,
    })
  const image = withTag(first.image, request.to)
  if (image === first.image)
    throw new AimsError('validation', `${view.ref} already runs ${image}`, {
      hint: 'pick another tag (aims plug outdated shows the newer ones)',
    })
  return switchImages(deps, engine, view, {
    ref: request.ref,
    action: 'upgrade',
    images: {[service]: image},
    snapshot: true,
  })
}

export async function plugRollback(deps: LifecycleDeps, request: RollbackRequest): Promise<UpgradeResult> {
  const engine = await deps.session.engine()
  const view = await requireInstance(deps.session, engine, request.ref)
  const history = await readHistory(deps, request.ref)
  const target = rollbackTarget(history, request.to)
  const images: Record<string, string> = {}
  const running = await currentServices(engine, view)
  for (const [service, wanted] of Object.entries(target.services)) {
    const now = running[service]
    if (!now) continue
    const reference = await runnableImage(engine, wanted)
    if (now.imageId && wanted.imageId ? now.imageId !== wanted.imageId : now.image !== wanted.image)
      images[service] = reference
  }
  if (Object.keys(images).length === 0)
    throw new AimsError('validation', `${view.ref} already runs what release ${target.id} ran`, {
      hint: 'see aims plug releases',
    })
  return switchImages(deps, engine, view, {
    ref: request.ref,
    action: 'rollback',
    images,
    snapshot: false,
    targetRelease: target.id,
  })
}

/** The tag when it still names the image the release ran; else its digest, else the engine's image id. */
async function runnableImage(engine: Engine, wanted: ReleaseService): Promise<string> {
  if (!wanted.imageId) return wanted.image
  const byTag = await engine.inspectImage(wanted.image).catch(() => undefined)
  if (byTag?.id === wanted.imageId) return wanted.image
  if (wanted.digest && (await engine.inspectImage(wanted.digest).catch(() => undefined))) return wanted.digest
  if (await engine.inspectImage(wanted.imageId).catch(() => undefined)) return wanted.imageId
  if (wanted.digest) return wanted.digest
  throw new AimsError('not-found', `the image release ran (${wanted.image}) is no longer on the host`, {
    hint: 'pull it again, or upgrade to a tag with aims plug upgrade --to TAG',
  })
}

interface Swap {
  name: string
  previous: string
  next?: string
  replica: ServiceReplica
}

async function switchImages(
  deps: LifecycleDeps,
  engine: Engine,
  view: InstanceView,
  input: {
    ref: InstanceRef
    action: 'upgrade' | 'rollback'
    images: Record<string, string>
    snapshot: boolean
    targetRelease?: number
  },
): Promise<UpgradeResult> {
  const started = deps.clock.now().getTime()
  const host = deps.session.host.name
  const replicas = view.replicas
    .filter((replica) => replica.service in input.images)
    .sort((a, b) => a.replica - b.replica)
  const from = Object.fromEntries(replicas.map((replica) => [replica.service, replica.image]))
  const volumes = input.snapshot ? await instanceVolumes(engine, view) : []
  const plan = switchPlan(
    view,
    host,
    input,
    from,
    replicas,
    volumes.map((volume) => volume.name),
  )
  if ((await passGate(plan, deps.approver)) === 'dry-run')
    return {
      status: 'dry-run',
      action: input.action,
      instance: view.ref,
      host,
      plan,
      from,
      to: input.images,
      durationMs: 0,
    }

  const lock = await lockInstance(deps, view)
  const swaps: Swap[] = []
  let backup: BackupRecord | undefined
  let history = await readHistory(deps, view)
  try {
    for (const image of new Set(Object.values(input.images))) await pullIfMissing(deps, engine, image)
    if (!activeRelease(history)) {
      history = addRelease(history, {
        at: deps.clock.now().toISOString(),
        actor: deps.actor,
        action: 'deploy',
        status: 'active',
        services: await currentServices(engine, view),
      })
    }
    if (volumes.length > 0) {
      deps.progress({step: 'backup', message: `snapshot of ${view.ref} before the upgrade`})
      backup = await takeBackup(deps, engine, view, {reason: 'pre-upgrade'})
    }
    const releaseId = Math.max(0, ...history.releases.map((release) => release.id)) + 1
    for (const replica of replicas) {
      const swap: Swap = {name: replica.containerName, previous: replica.containerId, replica}
      swaps.push(swap)
      await replaceReplica(deps, engine, swap, input.images[replica.service]!, releaseId)
    }
  } catch (error) {
    const reason = (error as Error).message
    const reverted = await revert(deps, engine, view, swaps, backup).catch((revertError: Error) => revertError)
    if (swaps.length > 0 || backup) {
      history = addRelease(history, {
        at: deps.clock.now().toISOString(),
        actor: deps.actor,
        action: input.action,
        status: 'failed',
        services: {},
        reason,
        ...(backup ? {backup: backup.id} : {}),
      })
      await writeHistory(deps, history).catch(() => undefined)
    }
    await lock.release()
    const unhealthy = error instanceof AimsError && error.kind === 'unhealthy'
    await recordAction(deps, {
      action: `plug ${input.action}`,
      target: view.ref,
      outcome: unhealthy ? 'rolled-back' : 'failed',
      detail: reason,
    }).catch(() => undefined)
    if (reverted instanceof Error)
      throw new AimsError('engine', `${reason}; putting the previous release back failed too: ${reverted.message}`, {
        hint: `see aims plug status ${view.ref}; the snapshot is ${backup?.id ?? 'none'} (aims plug restore)`,
      })
    if (!unhealthy) throw error
    const back = activeRelease(history)
    throw new AimsError(
      'unhealthy',
      `${view.ref}: the ${input.action} to ${Object.values(input.images).join(', ')} failed its health gate ` +
        `(${reason}); ` +
        `rolled back to release ${back?.id ?? '?'} (${Object.values(from).join(', ')})` +
        (backup ? `, data restored from snapshot ${backup.id}` : ''),
      {
        hint: `see aims plug logs ${view.ref}; aims plug releases ${view.ref}`,
        exitCode: ExitCode.unhealthy,
        details: {releases: history.releases.map((release) => ({id: release.id, status: release.status}))},
      },
    )
  }
  try {
    for (const swap of swaps) await engine.removeContainer(swap.previous, {force: true})
    history = addRelease(history, {
      at: deps.clock.now().toISOString(),
      actor: deps.actor,
      action: input.action,
      status: 'active',
      services: await currentServices(engine, await requireInstance(deps.session, engine, input.ref)),
      ...(backup ? {backup: backup.id} : {}),
    })
    await writeHistory(deps, history)
  } finally {
    await lock.release()
  }
  await recordAction(deps, {
    action: `plug ${input.action}`,
    target: view.ref,
    outcome: 'applied',
    detail: Object.entries(input.images)
      .map(([service, image]) => `${service}: ${from[service]} → ${image}`)
      .join(', '),
  })
  return {
    status: 'applied',
    action: input.action,
    instance: view.ref,
    host,
    plan,
    from,
    to: input.images,
    release: history.releases.at(-1)!,
    ...(backup ? {backup: backup.id} : {}),
    durationMs: deps.clock.now().getTime() - started,
  }
}

function switchPlan(
  view: InstanceView,
  host: string,
  input: {action: 'upgrade' | 'rollback'; images: Record<string, string>; targetRelease?: number},
  from: Record<string, string>,
  replicas: ServiceReplica[],
  volumes: string[],
): Plan {
  const verb = input.action === 'upgrade' ? 'Upgrade' : 'Roll back'
  const changes: PlanChange[] = [
    ...[...new Set(Object.values(input.images))].map((image) => ({
      action: 'pull' as const,
      kind: 'image' as const,
      name: image,
      detail: 'unless the host has it',
    })),
    ...(volumes.length > 0
      ? [{action: 'write' as const, kind: 'volume' as const, name: volumes.join(', '), detail: 'snapshot first'}]
      : []),
    ...replicas.map((replica) => ({
      action: 'update' as const,
      kind: 'container' as const,
      name: replica.containerName,
      detail: `${replica.image} → ${input.images[replica.service]}`,
    })),
  ]
  const several = replicas.length > 1
  return {
    action: input.action === 'upgrade' ? 'plug-upgrade' : 'plug-rollback',
    summary:
      `${verb} ${view.ref} (${view.plug}) on ${host}` +
      (input.targetRelease ? ` to release ${input.targetRelease}` : ''),
    host,
    target: view.ref,
    destructive: false,
    facts: [
      ...Object.entries(input.images).map(([service, image]) => ({
        label: service,
        value: `${from[service]} → ${image}`,
      })),
      {
        label: 'strategy',
        value: several
          ? 'rolling: one replica at a time, each through the health gate'
          : 'replace: stop, start the new container, health gate (the old one is kept until it passes)',
      },
      {label: 'snapshot', value: volumes.length > 0 ? `volumes ${volumes.join(', ')} first` : 'none'},
      {label: 'on failure', value: 'the previous containers (and the snapshot) are put back automatically, exit 4'},
    ],
    changes,
    gates: [],
  }
}

async function pullIfMissing(deps: LifecycleDeps, engine: Engine, image: string): Promise<void> {
  if (await engine.imageExists(image)) return
  deps.progress({step: 'pull', message: `pulling ${image}`})
  const auth = deps.registryAuth ? await pullAuth(deps.registryAuth, image) : undefined
  await engine.pullImage(
    image,
    (event) =>
      deps.progress({
        step: 'pull',
        message: `${image}: ${event.status}${event.layer ? ` ${event.layer}` : ''}`,
        ...(event.current !== undefined ? {current: event.current} : {}),
        ...(event.total !== undefined ? {total: event.total} : {}),
      }),
    auth,
  )
}

/** Stop the old replica, keep it under NAME-prev, start a copy on the new image, health gate. */
async function replaceReplica(
  deps: LifecycleDeps,
  engine: Engine,
  swap: Swap,
  image: string,
  releaseId: number,
): Promise<void> {
  const details = await engine.inspectContainer(swap.previous)
  if (!details) throw new AimsError('engine', `container ${swap.name} disappeared during the upgrade`)
  const stale = await engine.inspectContainer(`${swap.name}-prev`)
  if (stale) await engine.removeContainer(stale.id, {force: true})
  deps.progress({step: 'upgrade', message: `replacing ${swap.name} with ${image}`})
  await engine.stopContainer(swap.previous)
  await engine.renameContainer(swap.previous, `${swap.name}-prev`)
  swap.next = await engine.cloneContainer(swap.previous, {
    name: swap.name,
    image,
    labels: {[LABEL.release]: String(releaseId)},
    ports: details.ports,
  })
  await engine.startContainer(swap.next)
  deps.progress({step: 'health', message: `waiting for ${swap.replica.service} on ${image}`})
  const health = await awaitHealthy(deps, engine, swap.next, healthBudgetMs(details.labels))
  if (!health.ok)
    throw new AimsError('unhealthy', `${swap.replica.service} on ${image}: ${health.detail}`, {
      exitCode: ExitCode.unhealthy,
    })
}

/** Puts the previous containers back (newest swap first), the snapshot into the volumes, and starts them. */
async function revert(
  deps: LifecycleDeps,
  engine: Engine,
  view: InstanceView,
  swaps: Swap[],
  backup: BackupRecord | undefined,
): Promise<void> {
  if (swaps.length === 0) return
  deps.progress({step: 'rollback', message: `putting ${view.ref}'s previous release back`})
  for (const swap of [...swaps].reverse()) {
    if (swap.next) await engine.removeContainer(swap.next, {force: true})
    const previous = await engine.inspectContainer(swap.previous)
    if (previous && previous.name !== swap.name) await engine.renameContainer(swap.previous, swap.name)
  }
  if (backup) {
    const volumes = await instanceVolumes(engine, view)
    await restoreInto(deps, engine, view, {
      record: backup,
      mapping: restoreMapping(backup, volumes),
      root: volumesRoot(volumes),
      start: false,
    })
  }
  const order = view.declaredServices
  const replicas = [...view.replicas].sort(
    (a, b) => order.indexOf(a.service) - order.indexOf(b.service) || a.replica - b.replica,
  )
  for (const replica of replicas) {
    const state = (await engine.inspectContainer(replica.containerId))?.state
    if (state !== 'running') await engine.startContainer(replica.containerId)
  }
  const entry = replicas.find((replica) => replica.entry)
  if (entry) await awaitHealthy(deps, engine, entry.containerId, 60_000)
}

async function lockInstance(deps: LifecycleDeps, ref: InstanceNames): Promise<HostLock> {
  try {
    return await deps.session.lock(`instance-${ref.tenant}-${ref.instance}`, {wait: false})
  } catch (error) {
    if (error instanceof AimsError && error.kind === 'conflict')
      throw new AimsError('conflict', `another aims process is changing ${formatInstanceRef(ref)} right now`, {
        hint: 'wait for it to finish and retry',
      })
    throw error
  }
}

/** Without --to: the newest tag of the service's image in its registry (within its major unless `major`). */
export async function newestTag(
  deps: LifecycleDeps & OutdatedDeps,
  ref: InstanceRef,
  options: {service?: string | undefined; major: boolean},
): Promise<string> {
  const view = await requireInstance(deps.session, await deps.session.engine(), ref)
  const entry = view.replicas.find((replica) => replica.entry) ?? view.replicas[0]
  const service = options.service ?? entry?.service
  const replica = view.replicas.find((candidate) => candidate.service === service)
  if (!replica)
    throw new AimsError('not-found', `${view.ref} has no service ${service ?? '(none)'}`, {
      hint: 'see aims plug status',
    })
  const tag = await newestTagFor(deps, replica.image, options.major)
  if (!tag)
    throw new AimsError(
      'validation',
      `${view.ref} runs the newest tag of ${replica.image}${options.major ? '' : ' in its major'}`,
      {
        hint: options.major
          ? 'nothing to upgrade to'
          : 'add --major to consider newer major versions, or pass --to TAG',
      },
    )
  return tag
}
