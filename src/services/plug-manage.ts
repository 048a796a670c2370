/**
 * Changing a running instance: start, stop, restart, scale and down
 * (decommission). Each builds a Plan and passes the same gate as plug up;
 * each is recorded in the audit log.
 */
import {AimsError, ExitCode} from '../core/errors.js'
import {LABEL} from '../core/engine-types.js'
import type {InstanceView, ServiceReplica} from '../core/instances.js'
import {containerName, formatBytes, formatInstanceRef, tenantNetworkName, type InstanceRef} from '../core/names.js'
import type {Plan, PlanChange} from '../core/plan/plan.js'
import type {ScaleRequest} from '../core/plan/requests.js'
import {allocateHostPort, instanceFilesDir, instanceNetworkName, probeFromLabels} from '../core/plan/plug-up.js'
import {removeInstanceFiles} from './plug-up.js'
import type {AuditRecord} from './audit.js'
import {changeGates} from './change-gates.js'
import {readJournal, removeInterruptedDeploy, removeJournalTemps, type DeployJournal} from './deploy-journal.js'
import {passGate} from './gate.js'
import {holdHostLock} from './host-lock.js'
import {probeService} from './health.js'
import {gatherHostFacts, journalPath, networkInUse} from './host-facts.js'
import {readInstances, requireInstance} from './instances.js'
import {readKeptData} from './kept-data.js'
import type {KeptData} from '../core/kept-data.js'
import {recordAction} from './record-action.js'
import {DEFAULT_PROXY} from './proxy-manager.js'
import {confFileName, confOwner} from '../core/proxy/plug-conf.js'
import type {Engine, HostLock, LifecycleDeps} from './ports.js'
import {clearIntent, writeIntent} from './warden/store.js'

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`

export interface ChangeResult {
  /** unchanged: there was nothing to do (start of a running instance, stop of a stopped one); see `already`. */
  status: 'applied' | 'dry-run' | 'unchanged'
  /** With status unchanged: the state it is already in. */
  already?: 'running' | 'stopped'
  action: Plan['action']
  instance: string
  host: string
  plan: Plan
  /** Health of the entry after start/restart/scale. */
  health?: {ok: boolean; detail: string}
  durationMs: number
}

/** Services in deploy order, from the label written at deploy time (dependencies first). */
function deployOrder(view: InstanceView): string[] {
  const declared =
    view.declaredServices.length > 0
      ? view.declaredServices
      : [...new Set(view.replicas.map((replica) => replica.service))]
  const present = new Set(view.replicas.map((replica) => replica.service))
  return declared.filter((service) => present.has(service))
}

function replicasInOrder(view: InstanceView, reverse = false): ServiceReplica[] {
  const order = deployOrder(view)
  const sorted = [...view.replicas].sort(
    (a, b) => order.indexOf(a.service) - order.indexOf(b.service) || a.replica - b.replica,
  )
  return reverse ? sorted.reverse() : sorted
}

async function record(
  deps: LifecycleDeps,
  entry: Pick<AuditRecord, 'action' | 'target' | 'outcome' | 'detail'>,
): Promise<void> {
  await recordAction(deps, entry)
}

async function lockInstance(deps: LifecycleDeps, ref: InstanceRef): Promise<HostLock> {
  try {
    return await holdHostLock(deps, `instance-${ref.tenant}-${ref.instance}`, {
      timeoutMs: 15_000,
      doing: `changing ${formatInstanceRef(ref)}`,
      what: `the lock of ${formatInstanceRef(ref)}`,
    })
  } catch (error) {
    if (error instanceof AimsError && error.kind === 'conflict') {
      throw new AimsError('conflict', `another aims process is changing ${formatInstanceRef(ref)} right now`, {
        hint: 'wait for it to finish and retry',
      })
    }
    throw error
  }
}

/** The plug's health gate (retries × interval), recorded on the container at deploy; 60 s for older containers. */
export function healthBudgetMs(labels: Record<string, string> | undefined): number {
  const budget = Number(labels?.[LABEL.healthBudget])
  return Number.isFinite(budget) && budget > 0 ? budget : 60_000
}

/** Waits for a container to pass its probe (from its aims.health label). */
export async function awaitHealthy(
  deps: LifecycleDeps,
  engine: Engine,
  containerId: string,
  budgetMs = 60_000,
): Promise<{ok: boolean; detail: string}> {
  const started = deps.clock.now().getTime()
  let delay = 50
  for (;;) {
    const details = await engine.inspectContainer(containerId)
    if (!details) return {ok: false, detail: 'container is gone'}
    if (details.state === 'exited' || details.state === 'dead')
      return {
        ok: false,
        detail: `container ${details.state}${details.exitCode ? ` (exit code ${details.exitCode})` : ''}`,
      }
    const hostPort = Number(details.labels[LABEL.port]) || undefined
    const last = await probeService(deps.session, engine, {
      probe: probeFromLabels(details.labels),
      containerId,
      details,
      ...(hostPort ? {hostPort, entryContainerPort: details.ports[0]?.containerPort} : {}),
    })
    if (last.ok || deps.clock.now().getTime() - started >= budgetMs) return last
    await deps.clock.sleep(delay)
    delay = Math.min(delay * 2, 2000)
  }
}

function basePlan(
  action: Plan['action'],
  verb: string,
  view: InstanceView,
  host: string,
  changes: PlanChange[],
  facts: Plan['facts'] = [],
): Plan {
  return {
    action,
    summary: `${verb} ${view.ref} (${view.plug}) on ${host}`,
    host,
    target: view.ref,
    destructive: false,
    facts: [{label: 'instance', value: `${view.ref}: ${view.plug}, ${view.status}`}, ...facts],
    changes,
    gates: [],
  }
}

export async function changeState(
  deps: LifecycleDeps,
  ref: InstanceRef,
  action: 'start' | 'stop' | 'restart',
): Promise<ChangeResult> {
  const started = deps.clock.now().getTime()
  const engine = await deps.session.engine()
  const view = await requireInstance(deps.session, engine, ref)
  const host = deps.session.host.name
  const ordered = replicasInOrder(view, action === 'stop')
  // Idempotent: nothing to start or stop changes nothing, asks nothing and is not audited as applied.
  const already =
    action === 'stop' && ordered.every((replica) => replica.state !== 'running' && replica.state !== 'restarting')
      ? 'stopped'
      : action === 'start' && ordered.every((replica) => replica.state === 'running')
        ? 'running'
        : undefined
  if (already && ordered.length > 0) {
    const plan = basePlan(`plug-${action}`, action === 'stop' ? 'Stop' : 'Start', view, host, [])
    return {status: 'unchanged', already, action: plan.action, instance: view.ref, host, plan, durationMs: 0}
  }
  const verb = {start: 'Start', stop: 'Stop', restart: 'Restart'}[action]
  const plan = basePlan(
    `plug-${action}`,
    verb,
    view,
    host,
    ordered.map((replica) => ({action, kind: 'container', name: replica.containerName, detail: replica.state})),
  )
  // What runs again must fit, as at plug up: quota, capacity, cost (stopping only frees).
  if (action !== 'stop') plan.gates = await changeGates(deps, engine, view, {lower: 'stop another instance'})
  const decision = await passGate(plan, deps.approver)
  if (decision === 'dry-run')
    return {status: 'dry-run', action: plan.action, instance: view.ref, host, plan, durationMs: 0}

  const lock = await lockInstance(deps, ref)
  let health: {ok: boolean; detail: string} | undefined
  try {
    for (const replica of ordered) {
      deps.progress({
        step: action === 'stop' ? 'stop' : action === 'start' ? 'start' : 'restart',
        message:
          `${action === 'stop' ? 'stopping' : action === 'start' ? 'starting' : 'restarting'} ` +
          `${replica.containerName}`,
      })
      // No timeout given: Docker uses each container's own stop grace (the catalog's stop_grace_seconds).
      if (action === 'stop') await engine.stopContainer(replica.containerId)
      else if (action === 'start') await engine.startContainer(replica.containerId)
      else await engine.restartContainer(replica.containerId)
    }
    if (action !== 'stop') {
      const entry = ordered.find((replica) => replica.entry)
      if (entry) {
        deps.progress({step: 'health', message: `waiting for ${entry.service} to be healthy`})
        health = await awaitHealthy(
          deps,
          engine,
          entry.containerId,
          healthBudgetMs((await engine.inspectContainer(entry.containerId))?.labels),
        )
      }
    }
  } catch (error) {
    await record(deps, {
      action: `plug ${action}`,
      target: view.ref,
      outcome: 'failed',
      detail: (error as Error).message,
    })
    throw error
  } finally {
    await lock.release()
  }
  await record(deps, {
    action: `plug ${action}`,
    target: view.ref,
    outcome: 'applied',
    ...(health ? {detail: health.detail} : {}),
  })
  await recordIntent(deps, ref, action)
  if (health && !health.ok) {
    throw new AimsError(
      'unhealthy',
      `${view.ref} was ${action === 'start' ? 'started' : 'restarted'} but is not healthy: ${health.detail}`,
      {hint: `see aims plug logs ${view.ref}`, exitCode: ExitCode.failure},
    )
  }
  return {
    status: 'applied',
    action: plan.action,
    instance: view.ref,
    host,
    plan,
    ...(health ? {health} : {}),
    durationMs: deps.clock.now().getTime() - started,
  }
}

/**
 * A stop by a person is an intent the warden respects (it never "heals" an instance stopped on
 * purpose); a start or restart withdraws it. Best effort: the change itself already happened.
 */
async function recordIntent(deps: LifecycleDeps, ref: InstanceRef, action: 'start' | 'stop' | 'restart') {
  if (deps.origin.kind === 'warden') return
  try {
    const shell = await deps.session.shell()
    if (action === 'stop')
      await writeIntent(shell, deps.session.host.stateDir, ref, {
        state: 'stopped',
        by: deps.actor,
        at: deps.clock.now().toISOString(),
      })
    else await clearIntent(shell, deps.session.host.stateDir, ref)
  } catch {
    // the warden then treats the instance as down, and says so
  }
}

export interface DownResult extends ChangeResult {
  removed: {containers: string[]; volumes: string[]; networks: string[]; proxyConf: boolean}
  keptVolumes: string[]
}

const nothingRemoved = (): DownResult['removed'] => ({containers: [], volumes: [], networks: [], proxyConf: false})

/** What `plug down --dry-run` answers, whichever kind of leftover it was about. */
const downDryRun = (instance: string, host: string, plan: Plan): DownResult => ({
  status: 'dry-run',
  action: 'plug-down',
  instance,
  host,
  plan,
  durationMs: 0,
  removed: nothingRemoved(),
  keptVolumes: [],
})

/**
 * The instance is gone but nginx still routes its name (containers removed by
 * hand, or a crash between steps): `plug down` removes the leftover route.
 */
async function downLeftoverRoute(deps: LifecycleDeps, ref: InstanceRef, missing: AimsError): Promise<DownResult> {
  const host = deps.session.host
  const file = confFileName(ref.tenant, ref.instance)
  const content = (
    await (await deps.session.shell()).readFile(`${host.nginxConfDir}/${file}`).catch(() => undefined)
  )?.toString('utf8')
  const owner = content ? confOwner(content) : undefined
  if (!deps.proxy || !owner || owner.tenant !== ref.tenant || owner.instance !== ref.instance) throw missing
  const target = formatInstanceRef(ref)
  const plan: Plan = {
    action: 'plug-down',
    summary: `Remove the leftover route of ${target} on ${host.name}`,
    host: host.name,
    target,
    destructive: true,
    confirmWord: ref.instance,
    facts: [{label: 'instance', value: `${target}: no containers left, but nginx still routes it`}],
    changes: [{action: 'remove', kind: 'proxy-conf', name: file, detail: `${host.nginxConfDir}/${file}`}],
    gates: [],
  }
  const decision = await passGate(plan, deps.approver)
  if (decision === 'dry-run') return downDryRun(target, host.name, plan)
  const started = deps.clock.now().getTime()
  const removed = await deps.proxy.remove(ref.tenant, ref.instance)
  await record(deps, {action: 'plug down', target, outcome: 'applied', detail: 'removed a leftover proxy route'})
  return {
    status: 'applied',
    action: 'plug-down',
    instance: target,
    host: host.name,
    plan,
    durationMs: deps.clock.now().getTime() - started,
    removed: {...nothingRemoved(), proxyConf: removed},
    keptVolumes: [],
  }
}

/** `plug down` of an instance whose containers are gone but whose volumes were kept (--keep-data). */
async function downKeptData(
  deps: LifecycleDeps,
  engine: Engine,
  ref: InstanceRef,
  kept: KeptData,
): Promise<DownResult> {
  const host = deps.session.host.name
  const plan: Plan = {
    action: 'plug-down',
    summary: `Remove the kept data of ${kept.ref} on ${host}`,
    host,
    target: kept.ref,
    destructive: true,
    confirmWord: ref.instance,
    facts: [
      {
        label: 'instance',
        value: `${kept.ref}: no containers, ${plural(kept.volumes.length, 'volume')} kept by plug down --keep-data`,
      },
    ],
    changes: kept.volumes.map((name) => ({
      action: 'remove' as const,
      kind: 'volume' as const,
      name,
      detail: 'its data is deleted',
    })),
    gates: [],
  }
  const decision = await passGate(plan, deps.approver)
  if (decision === 'dry-run') return downDryRun(kept.ref, host, plan)
  const started = deps.clock.now().getTime()
  const lock = await lockInstance(deps, ref)
  const removed = nothingRemoved()
  try {
    for (const name of kept.volumes) {
      deps.progress({step: 'remove', message: `removing volume ${name}`})
      await engine.removeVolume(name)
      removed.volumes.push(name)
    }
  } catch (error) {
    await record(deps, {action: 'plug down', target: kept.ref, outcome: 'failed', detail: (error as Error).message})
    throw error
  } finally {
    await lock.release()
  }
  await record(deps, {
    action: 'plug down',
    target: kept.ref,
    outcome: 'applied',
    detail: `removed the kept data: ${removed.volumes.join(', ')}`,
  })
  return {
    status: 'applied',
    action: 'plug-down',
    instance: kept.ref,
    host,
    plan,
    durationMs: deps.clock.now().getTime() - started,
    removed,
    keptVolumes: [],
  }
}

/** `plug down` of a deploy that was interrupted before (or while) creating its containers. */
async function downInterrupted(
  deps: LifecycleDeps,
  engine: Engine,
  ref: InstanceRef,
  journal: DeployJournal,
  options: {keepData: boolean},
): Promise<DownResult> {
  const host = deps.session.host.name
  const labels = {[LABEL.managed]: 'true', [LABEL.tenant]: journal.tenant, [LABEL.instance]: journal.instance}
  const [volumes, networks] = await Promise.all([engine.listVolumes({labels}), engine.listNetworks({labels})])
  const plan: Plan = {
    action: 'plug-down',
    summary: `Remove the interrupted deploy of ${journal.ref} on ${host}`,
    host,
    target: journal.ref,
    destructive: true,
    confirmWord: journal.instance,
    facts: [
      {
        label: 'instance',
        value:
          `${journal.ref}: a deploy${journal.plug ? ` of ${journal.plug}` : ''} that was interrupted` +
          `${journal.startedAt ? ` (started ${journal.startedAt})` : ''}`,
      },
    ],
    changes: [
      ...volumes.map((volume) => ({
        action: options.keepData ? ('keep' as const) : ('remove' as const),
        kind: 'volume' as const,
        name: volume.name,
      })),
      ...networks.map((network) => ({action: 'remove' as const, kind: 'network' as const, name: network.name})),
      {action: 'remove', kind: 'instance', name: journal.ref, detail: 'its deploy journal and any route'},
    ],
    gates: [],
  }
  const decision = await passGate(plan, deps.approver)
  if (decision === 'dry-run') return downDryRun(journal.ref, host, plan)
  const started = deps.clock.now().getTime()
  // The lock: a deploy still running holds it (then this is a conflict, not a cleanup).
  const lock = await lockInstance(deps, ref)
  let removed: DownResult['removed']
  try {
    deps.progress({step: 'remove', message: `removing the interrupted deploy of ${journal.ref}`})
    // Everything of the instance goes, whichever run created it (plug down is the instance's end).
    const {deployId: _anyRun, ...instance} = journal
    removed = await removeInterruptedDeploy({session: deps.session, proxy: deps.proxy}, engine, instance, {
      removeVolumes: !options.keepData,
    })
  } finally {
    await lock.release()
  }
  await record(deps, {
    action: 'plug down',
    target: journal.ref,
    outcome: 'applied',
    detail: 'removed an interrupted deploy',
  })
  return {
    status: 'applied',
    action: 'plug-down',
    instance: journal.ref,
    host,
    plan,
    durationMs: deps.clock.now().getTime() - started,
    removed,
    keptVolumes: options.keepData ? volumes.map((volume) => volume.name) : [],
  }
}

export async function plugDown(
  deps: LifecycleDeps,
  ref: InstanceRef,
  options: {keepData: boolean},
): Promise<DownResult> {
  const started = deps.clock.now().getTime()
  const engine = await deps.session.engine()
  let view: InstanceView
  try {
    view = await requireInstance(deps.session, engine, ref)
  } catch (error) {
    if (error instanceof AimsError && error.kind === 'not-found') {
      // A deploy killed before its first container still holds a volume, a network, a journal.
      const journal = await readJournal(deps.session, ref)
      if (journal) return downInterrupted(deps, engine, ref, journal, options)
      // What plug down --keep-data kept: a plug down of the instance removes it, after the typed name.
      const kept = (await readKeptData(deps.session, engine, ref)).find((item) => item.instance === ref.instance)
      if (kept) return downKeptData(deps, engine, ref, kept)
      // Nothing but a journal write cut before its rename: nothing to confirm, the scrap goes.
      await removeJournalTemps(deps.session, ref).catch(() => 0)
      return downLeftoverRoute(deps, ref, error)
    }
    throw error
  }
  const host = deps.session.host.name
  const labels = {[LABEL.managed]: 'true', [LABEL.tenant]: ref.tenant, [LABEL.instance]: ref.instance}
  const [volumes, networks, tenantInstances] = await Promise.all([
    engine.listVolumes({labels}),
    engine.listNetworks({labels}),
    readInstances(deps.session, engine, {tenant: ref.tenant}),
  ])
  const tenantNetwork = tenantNetworkName(ref.tenant)
  const tenantWillBeEmpty = tenantInstances.every((instance) => instance.instance === ref.instance)
  const changes: PlanChange[] = [
    ...replicasInOrder(view, true).map((replica) => ({
      action: 'remove' as const,
      kind: 'container' as const,
      name: replica.containerName,
      detail: `stop gracefully, then remove (${replica.state})`,
    })),
    ...volumes.map((volume) => ({
      action: options.keepData ? ('keep' as const) : ('remove' as const),
      kind: 'volume' as const,
      name: volume.name,
      ...(options.keepData ? {detail: '--keep-data'} : {detail: 'its data is deleted'}),
    })),
    ...networks.map((network) => ({action: 'remove' as const, kind: 'network' as const, name: network.name})),
    ...(tenantWillBeEmpty
      ? [
          {
            action: 'remove' as const,
            kind: 'network' as const,
            name: tenantNetwork,
            detail: 'the tenant has no other instance',
          },
        ]
      : []),
    ...(view.domain
      ? [
          {
            action: 'remove' as const,
            kind: 'proxy-conf' as const,
            name: `${ref.tenant}-${ref.instance}.conf`,
            detail: view.domain,
          },
        ]
      : []),
  ]
  const plan: Plan = {
    ...basePlan('plug-down', 'Decommission', view, host, changes),
    destructive: true,
    confirmWord: ref.instance,
  }
  const decision = await passGate(plan, deps.approver)
  if (decision === 'dry-run')
    return {
      status: 'dry-run',
      action: 'plug-down',
      instance: view.ref,
      host,
      plan,
      durationMs: 0,
      removed: {containers: [], volumes: [], networks: [], proxyConf: false},
      keptVolumes: [],
    }

  const lock = await lockInstance(deps, ref)
  const removed: DownResult['removed'] = {containers: [], volumes: [], networks: [], proxyConf: false}
  try {
    deps.progress({step: 'stop', message: `stopping ${view.ref}`})
    // Graceful: SIGTERM, then SIGKILL after each container's stop timeout.
    await Promise.all(
      replicasInOrder(view, true).map((replica) =>
        replica.state === 'running' || replica.state === 'restarting'
          ? engine.stopContainer(replica.containerId).catch(() => undefined)
          : undefined,
      ),
    )
    // Containers created since the listing (a racing scale) carry the same labels.
    const containers = await engine.listContainers({all: true, labels})
    for (const container of containers) {
      deps.progress({step: 'remove', message: `removing ${container.name}`})
      await engine.removeContainer(container.id, {force: true})
      removed.containers.push(container.name)
    }
    if (!options.keepData) {
      for (const volume of await engine.listVolumes({labels})) {
        deps.progress({step: 'remove', message: `removing volume ${volume.name}`})
        await engine.removeVolume(volume.name)
        removed.volumes.push(volume.name)
      }
    }
    for (const network of await engine.listNetworks({labels})) {
      // Link networks also hold the linked instance's container: detach it first.
      const details = await engine.inspectNetwork(network.id)
      for (const member of details?.containerNames ?? []) await engine.disconnectNetwork(network.id, member)
      await engine.removeNetwork(network.id)
      removed.networks.push(network.name)
    }
    const tenant = await engine.inspectNetwork(tenantNetwork)
    if (tenant && !(await networkInUse(engine, tenantNetwork))) {
      const gone = await engine.removeNetwork(tenant.id).then(
        () => true,
        () => false,
      )
      if (gone) removed.networks.push(tenantNetwork)
    }
    if (deps.proxy) {
      deps.progress({step: 'proxy', message: 'removing the proxy route'})
      removed.proxyConf = await deps.proxy.remove(ref.tenant, ref.instance)
    }
    // Rendered config files (catalog files:) are re-rendered by the next deploy: they go with the instance.
    await removeInstanceFiles(
      await deps.session.shell(),
      instanceFilesDir(deps.session.host.stateDir, ref.tenant, ref.instance),
    )
    await (
      await deps.session.shell()
    )
      .removeFile(journalPath(deps.session.host.stateDir, ref.tenant, ref.instance))
      .catch(() => undefined)
  } catch (error) {
    await record(deps, {action: 'plug down', target: view.ref, outcome: 'failed', detail: (error as Error).message})
    throw error
  } finally {
    await lock.release()
  }
  const keptVolumes = options.keepData ? volumes.map((volume) => volume.name) : []
  await record(deps, {
    action: 'plug down',
    target: view.ref,
    outcome: 'applied',
    detail:
      `removed ${plural(removed.containers.length, 'container')}, ${plural(removed.volumes.length, 'volume')}, ` +
      plural(removed.networks.length, 'network') +
      (keptVolumes.length > 0 ? `; kept ${keptVolumes.join(', ')}` : ''),
  })
  return {
    status: 'applied',
    action: 'plug-down',
    instance: view.ref,
    host,
    plan,
    durationMs: deps.clock.now().getTime() - started,
    removed,
    keptVolumes,
  }
}

export interface ScaleResult extends ChangeResult {
  replicas: number
  ports: number[]
}

export async function plugScale(deps: LifecycleDeps, ref: InstanceRef, request: ScaleRequest): Promise<ScaleResult> {
  const {cpus, memoryBytes} = request
  const started = deps.clock.now().getTime()
  const engine = await deps.session.engine()
  const view = await requireInstance(deps.session, engine, ref)
  const host = deps.session.host.name
  const entries = view.replicas.filter((replica) => replica.entry).sort((a, b) => a.replica - b.replica)
  const first = entries[0]
  if (!first)
    throw new AimsError('engine', `${view.ref} has no entry container to scale`, {
      hint: 'redeploy it: aims plug down, then aims plug up',
    })
  const current = entries.length
  const target = request.replicas ?? current
  const changes: PlanChange[] = []
  for (let replica = current + 1; replica <= target; replica++)
    changes.push({
      action: 'create',
      kind: 'container',
      name: containerName(ref.tenant, ref.instance, first.service, replica),
      detail: 'copy of replica 1 on a new host port',
    })
  for (const replica of entries.filter((item) => item.replica > target))
    changes.push({action: 'remove', kind: 'container', name: replica.containerName})
  if (cpus !== undefined || memoryBytes !== undefined) {
    for (const replica of entries.filter((item) => item.replica <= target))
      changes.push({
        action: 'update',
        kind: 'container',
        name: replica.containerName,
        detail: [cpus !== undefined ? `${cpus} CPU` : '', memoryBytes !== undefined ? formatBytes(memoryBytes) : '']
          .filter(Boolean)
          .join(', '),
      })
  }
  if (view.domain && target !== current)
    changes.push({
      action: 'write',
      kind: 'proxy-conf',
      name: `${ref.tenant}-${ref.instance}.conf`,
      detail: `${target} upstream server${target === 1 ? '' : 's'}`,
    })
  const plan = basePlan('plug-scale', 'Scale', view, host, changes, [
    {label: 'replicas', value: `${current} → ${target} (${first.service})`},
  ])
  // The same gates as plug up, on the instance as it will be: a scale is refused where a deploy would be.
  plan.gates = await changeGates(deps, engine, view, {
    entryReplicas: target,
    ...(cpus !== undefined ? {entryCpus: cpus} : {}),
    ...(memoryBytes !== undefined ? {entryMemoryBytes: memoryBytes} : {}),
    lower: 'lower --replicas or --memory',
  })
  const decision = await passGate(plan, deps.approver)
  if (decision === 'dry-run')
    return {
      status: 'dry-run',
      action: 'plug-scale',
      instance: view.ref,
      host,
      plan,
      durationMs: 0,
      replicas: current,
      ports: entries.flatMap((entry) => (entry.hostPort ? [entry.hostPort] : [])),
    }

  const lock = await lockInstance(deps, ref)
  let health: {ok: boolean; detail: string} | undefined
  try {
    const createdIds: string[] = []
    let details: Awaited<ReturnType<Engine['inspectContainer']>>
    if (target > current) {
      const allocation = await deps.session.lock('alloc', {wait: true, timeoutMs: 120_000})
      try {
        // Ports of every container and of host processes (a port something listens on cannot be published).
        const used = new Set((await gatherHostFacts(deps.session, engine, ref.tenant)).facts.usedPorts)
        details = await engine.inspectContainer(first.containerId)
        const binding = details?.ports[0]
        if (!binding)
          throw new AimsError('engine', `${first.containerName} publishes no port`, {hint: 'redeploy the instance'})
        for (let replica = current + 1; replica <= target; replica++) {
          const port = allocateHostPort(used)
          if (port === undefined)
            throw new AimsError('quota', 'no free host port left in 51000-51999', {hint: 'take down unused instances'})
          used.add(port)
          const name = containerName(ref.tenant, ref.instance, first.service, replica)
          deps.progress({step: 'scale', message: `creating ${name} on port ${port}`})
          createdIds.push(
            await engine.cloneContainer(first.containerId, {
              name,
              labels: {[LABEL.replica]: String(replica), [LABEL.port]: String(port), [LABEL.deployId]: deps.newId()},
              ports: [{...binding, hostPort: port}],
            }),
          )
        }
      } finally {
        await allocation.release()
      }
      try {
        for (const id of createdIds) await engine.startContainer(id)
        for (const id of createdIds) {
          health = await awaitHealthy(deps, engine, id, healthBudgetMs(details?.labels))
          if (!health.ok)
            throw new AimsError(
              'unhealthy',
              `a new replica of ${view.ref} did not become healthy: ${health.detail}; the new replicas were removed`,
              {hint: `see aims plug logs ${view.ref}`, exitCode: ExitCode.unhealthy},
            )
        }
      } catch (error) {
        // Nothing half-scaled stays behind: the replicas of this run go, the instance is as before.
        for (const created of createdIds) await engine.removeContainer(created, {force: true}).catch(() => undefined)
        throw error
      }
    }
    for (const replica of entries.filter((item) => item.replica > target).reverse()) {
      deps.progress({step: 'scale', message: `removing ${replica.containerName}`})
      await engine.stopContainer(replica.containerId).catch(() => undefined)
      await engine.removeContainer(replica.containerId, {force: true})
    }
    if (cpus !== undefined || memoryBytes !== undefined) {
      const all = await readInstances(deps.session, engine, {tenant: ref.tenant})
      const now = all.find((instance) => instance.instance === ref.instance)
      for (const replica of (now?.replicas ?? []).filter((item) => item.entry)) {
        deps.progress({step: 'scale', message: `updating limits of ${replica.containerName}`})
        await engine.updateContainer(replica.containerId, {
          ...(memoryBytes !== undefined ? {memoryBytes} : {}),
          ...(cpus !== undefined ? {nanoCpus: Math.round(cpus * 1e9)} : {}),
        })
      }
    }
  } catch (error) {
    await record(deps, {action: 'plug scale', target: view.ref, outcome: 'failed', detail: (error as Error).message})
    throw error
  } finally {
    await lock.release()
  }
  const after = (await readInstances(deps.session, engine, {tenant: ref.tenant})).find(
    (instance) => instance.instance === ref.instance,
  )
  const routes = after ? await routesOf(engine, ref) : []
  const ports = (after?.replicas ?? [])
    .filter((replica) => replica.entry)
    .flatMap((replica) => (replica.hostPort ? [replica.hostPort] : []))
  if (deps.proxy && after?.domain && target !== current) {
    deps.progress({
      step: 'proxy',
      message: `routing ${after.domain} to ${ports.length} replica${ports.length === 1 ? '' : 's'}`,
    })
    const plug = await deps.catalog?.find(view.plug)
    await deps.proxy.apply(
      {
        tenant: ref.tenant,
        instance: ref.instance,
        plug: view.plug,
        domain: after.domain,
        proxy: plug?.plug.proxy ?? DEFAULT_PROXY,
        ...(routes.length > 0 ? {routes} : {}),
      },
      ports,
    )
  }
  await record(deps, {
    action: 'plug scale',
    target: view.ref,
    outcome: 'applied',
    detail:
      `replicas ${current} → ${target}` +
      (cpus !== undefined ? `, ${cpus} CPU` : '') +
      (memoryBytes !== undefined ? `, ${formatBytes(memoryBytes)}` : ''),
  })
  return {
    status: 'applied',
    action: 'plug-scale',
    instance: view.ref,
    host,
    plan,
    ...(health ? {health} : {}),
    durationMs: deps.clock.now().getTime() - started,
    replicas: target,
    ports,
  }
}

export {instanceNetworkName}

/** The path routes recorded on the entry at deploy (aims.routes), so a re-rendered conf keeps them. */
async function routesOf(engine: Engine, ref: InstanceRef): Promise<Array<{path: string; hostPort: number}>> {
  const [entry] = await engine.listContainers({
    all: true,
    labels: {
      [LABEL.managed]: 'true',
      [LABEL.tenant]: ref.tenant,
      [LABEL.instance]: ref.instance,
      [LABEL.entry]: 'true',
      [LABEL.replica]: '1',
    },
  })
  try {
    const parsed = JSON.parse(entry?.labels[LABEL.routes] ?? '[]') as Array<{path: string; hostPort: number}>
    return Array.isArray(parsed) ? parsed.map((route) => ({path: route.path, hostPort: route.hostPort})) : []
  } catch {
    return []
  }
}
