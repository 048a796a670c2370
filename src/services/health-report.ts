/**
 * `aims health`: the live health of every instance (or one), with each
 * service's probe result — the same probes the deploy's health gate runs,
 * all in parallel over the one connection — and "health changed" events
 * recorded when an instance's health differs from the host's last record.
 */
import {LABEL, type ContainerSummary} from '../core/engine-types.js'
import {
  healthBaseline,
  healthChangeMessage,
  healthChanges,
  instanceVerdict,
  type HealthChange,
  type InstanceHealthReport,
  type ServiceHealth,
} from '../core/health-report.js'
import {findInstance, groupInstances, type InstanceView} from '../core/instances.js'
import type {InstanceRef} from '../core/names.js'
import {probeFromLabels} from '../core/plan/plug-up.js'
import {probeService} from './health.js'
import {requireInstance} from './instances.js'
import {emitLifecycleEvent, readRecentLifecycleEvents, type EventEmitterDeps} from './lifecycle-events.js'
import type {Engine, HostSession} from './ports.js'

export interface HealthQuery {
  tenant?: string
  ref?: InstanceRef
}

/** Probes every container of one instance (from one listing's summaries). */
export async function probeInstance(
  session: HostSession,
  engine: Engine,
  view: InstanceView,
  summaries: ReadonlyMap<string, ContainerSummary>,
): Promise<InstanceHealthReport> {
  const services = await Promise.all(
    view.replicas.map(async (replica): Promise<ServiceHealth> => {
      const summary = summaries.get(replica.containerId)
      const entryPort = summary?.ports[0]?.containerPort
      const result =
        replica.state === 'running'
          ? await probeService(session, engine, {
              probe: probeFromLabels(summary?.labels),
              containerId: replica.containerId,
              ...(replica.hostPort && entryPort ? {hostPort: replica.hostPort, entryContainerPort: entryPort} : {}),
            })
          : {ok: false, detail: `container is ${replica.state}`}
      return {
        service: replica.service,
        replica: replica.replica,
        container: replica.containerName,
        state: replica.state,
        ok: result.ok,
        detail: result.detail,
      }
    }),
  )
  const verdict = instanceVerdict(view.status, services)
  return {
    tenant: view.tenant,
    instance: view.instance,
    ref: view.ref,
    plug: view.plug,
    status: view.status,
    health: verdict.health,
    detail: verdict.detail,
    services,
  }
}

export async function checkHealth(session: HostSession, query: HealthQuery): Promise<InstanceHealthReport[]> {
  const engine = await session.engine()
  const tenant = query.ref?.tenant ?? query.tenant
  const containers = await engine.listContainers({
    all: true,
    labels: {[LABEL.managed]: 'true', ...(tenant ? {[LABEL.tenant]: tenant} : {})},
  })
  let views = groupInstances(containers, {
    ...(session.host.domain ? {domain: session.host.domain} : {}),
    tls: Boolean(session.host.tls),
  })
  if (query.ref) {
    const found = findInstance(views, query.ref)
    views = [found ?? (await requireInstance(session, engine, query.ref))]
  }
  const summaries = new Map(containers.map((container) => [container.id, container]))
  return Promise.all(views.map((view) => probeInstance(session, engine, view, summaries)))
}

/**
 * Compares the reports with the last health the host's events record for
 * each instance and records the changes. Best effort: a host whose events
 * cannot be read records nothing.
 */
export async function recordHealthChanges(
  deps: EventEmitterDeps & {session: HostSession},
  reports: InstanceHealthReport[],
): Promise<HealthChange[]> {
  if (!deps.recordEvent) return []
  let known: Map<string, 'healthy' | 'unhealthy'>
  try {
    known = healthBaseline(
      (await readRecentLifecycleEvents(await deps.session.shell(), deps.session.host.stateDir)).events,
    )
  } catch {
    return []
  }
  const changes = healthChanges(known, reports)
  for (const change of changes) {
    await emitLifecycleEvent(deps, {
      action: 'health-changed',
      tenant: change.tenant,
      instance: change.instance,
      message: healthChangeMessage(change),
      health: change.to,
    })
  }
  return changes
}
