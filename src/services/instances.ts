/**
 * Reading instances from the engine (labels are the truth): list with live
 * health, status of one, logs. One container listing per call, probes in
 * parallel over the one connection.
 */
import {AimsError} from '../core/errors.js'
import {LABEL, type ContainerDetails, type LogLine} from '../core/engine-types.js'
import {
  findInstance,
  groupInstances,
  secretKeysFromLabels,
  withoutImageDefaults,
  type InstanceHealth,
  type InstanceView,
} from '../core/instances.js'
import {formatInstanceRef, type InstanceRef} from '../core/names.js'
import {maskEnv} from '../core/plan/env.js'
import {redactSecrets, secretEnvValues} from '../core/text/redact.js'
import {probeFromLabels} from '../core/plan/plug-up.js'
import {closest} from '../core/suggest.js'
import {httpProbe, probeService, tcpProbe, type ProbeResult} from './health.js'
import type {Engine, HostSession} from './ports.js'

export interface ProbedInstance extends InstanceView {
  healthDetail?: string
}

export async function readInstances(
  session: HostSession,
  engine: Engine,
  filter: {tenant?: string} = {},
): Promise<InstanceView[]> {
  const containers = await engine.listContainers({
    all: true,
    labels: {[LABEL.managed]: 'true', ...(filter.tenant ? {[LABEL.tenant]: filter.tenant} : {})},
  })
  return groupInstances(containers, {
    ...(session.host.domain ? {domain: session.host.domain} : {}),
    tls: Boolean(session.host.tls),
  })
}

/** Live health of the entry service without inspecting: probes go straight to the host port. */
export async function probeEntry(
  session: HostSession,
  view: InstanceView,
  labels: Record<string, string> | undefined,
): Promise<ProbeResult & {health: InstanceHealth}> {
  const entry =
    view.replicas.find((replica) => replica.entry && replica.replica === 1) ??
    view.replicas.find((replica) => replica.entry)
  if (!entry) return {ok: false, detail: 'no entry service', health: 'unknown'}
  if (entry.state !== 'running')
    return {
      ok: false,
      detail: `entry is ${entry.state}`,
      health: view.status === 'restarting' ? 'unhealthy' : 'unknown',
    }
  const probe = probeFromLabels(labels)
  let result: ProbeResult
  if (probe.type === 'http' && entry.hostPort)
    result = await httpProbe(session, entry.hostAddress ?? '127.0.0.1', entry.hostPort, probe.path, 1500)
  else if (probe.type === 'tcp' && entry.hostPort)
    result = await tcpProbe(session, entry.hostAddress ?? '127.0.0.1', entry.hostPort, 1500)
  else if (entry.health !== 'none') result = {ok: entry.health === 'healthy', detail: `Docker health: ${entry.health}`}
  else result = {ok: true, detail: 'running'}
  return {...result, health: result.ok ? 'healthy' : entry.health === 'starting' ? 'starting' : 'unhealthy'}
}

export async function listInstances(
  session: HostSession,
  options: {tenant?: string; probe: boolean},
): Promise<ProbedInstance[]> {
  const engine = await session.engine()
  const containers = await engine.listContainers({
    all: true,
    labels: {[LABEL.managed]: 'true', ...(options.tenant ? {[LABEL.tenant]: options.tenant} : {})},
  })
  const views = groupInstances(containers, {
    ...(session.host.domain ? {domain: session.host.domain} : {}),
    tls: Boolean(session.host.tls),
  })
  if (!options.probe) return views
  const labelsById = new Map(containers.map((container) => [container.id, container.labels]))
  return Promise.all(
    views.map(async (view) => {
      const entry = view.replicas.find((replica) => replica.entry)
      const probed = await probeEntry(session, view, entry ? labelsById.get(entry.containerId) : undefined)
      return {...view, health: probed.health, healthDetail: probed.detail}
    }),
  )
}

/** Finds an instance or fails with exit 2 and the closest names. */
export async function requireInstance(session: HostSession, engine: Engine, ref: InstanceRef): Promise<InstanceView> {
  const views = await readInstances(session, engine)
  const found = findInstance(views, ref)
  if (found) return found
  const refs = views.map((view) => view.ref)
  const sameName = views.filter((view) => view.instance === ref.instance).map((view) => view.ref)
  const suggestions = sameName.length > 0 ? sameName : closest(formatInstanceRef(ref), refs)
  throw new AimsError('not-found', `no instance ${formatInstanceRef(ref)} on ${session.host.name}`, {
    hint:
      suggestions.length > 0
        ? `did you mean ${suggestions.map((item) => `"${item}"`).join(' or ')}?`
        : views.length > 0
          ? 'see aims plug ls'
          : 'nothing is deployed there yet: aims plug up PLUG',
  })
}

export interface ServiceStatus {
  service: string
  replica: number
  container: string
  image: string
  state: string
  startedAt?: string
  restartCount: number
  hostPort?: number
  health: string
  healthDetail: string
  memoryLimitBytes?: number
  cpus?: number
  /** Env with secret values masked. */
  env: Record<string, string>
  ips: Record<string, string>
  mounts: Array<{volume?: string; path: string}>
}

export interface InstanceStatus {
  instance: ProbedInstance
  services: ServiceStatus[]
}

export async function instanceStatus(session: HostSession, ref: InstanceRef): Promise<InstanceStatus> {
  const engine = await session.engine()
  const view = await requireInstance(session, engine, ref)
  const details = await Promise.all(view.replicas.map((replica) => engine.inspectContainer(replica.containerId)))
  const services = await Promise.all(
    view.replicas.map(async (replica, index): Promise<ServiceStatus> => {
      const detail = details[index] as ContainerDetails | undefined
      const result = detail
        ? await probeService(session, engine, {
            probe: probeFromLabels(detail.labels),
            containerId: detail.id,
            details: detail,
            ...(replica.hostPort ? {hostPort: replica.hostPort, entryContainerPort: entryContainerPort(detail)} : {}),
          })
        : {ok: false, detail: 'container is gone'}
      const secretKeys = secretKeysFromLabels(detail?.labels)
      return {
        service: replica.service,
        replica: replica.replica,
        container: replica.containerName,
        image: replica.image,
        state: detail?.state ?? 'missing',
        ...(detail?.startedAt ? {startedAt: detail.startedAt.toISOString()} : {}),
        restartCount: detail?.restartCount ?? 0,
        ...(replica.hostPort ? {hostPort: replica.hostPort} : {}),
        health: result.ok ? 'healthy' : detail?.state === 'running' ? 'unhealthy' : 'down',
        healthDetail: result.detail,
        ...(detail?.memoryBytes ? {memoryLimitBytes: detail.memoryBytes} : {}),
        ...(detail?.nanoCpus ? {cpus: detail.nanoCpus / 1e9} : {}),
        env: maskEnv(withoutImageDefaults(detail?.env ?? {}), secretKeys),
        ips: detail?.ips ?? {},
        mounts: (detail?.mounts ?? []).map((mount) => ({
          ...(mount.name ? {volume: mount.name} : {}),
          path: mount.destination,
        })),
      }
    }),
  )
  const entry = services.find(
    (service) => view.replicas.find((replica) => replica.containerName === service.container)?.entry,
  )
  const instance: ProbedInstance = {
    ...view,
    health: entry
      ? entry.health === 'healthy'
        ? 'healthy'
        : entry.state === 'running'
          ? 'unhealthy'
          : 'unknown'
      : view.health,
    ...(entry ? {healthDetail: entry.healthDetail} : {}),
  }
  return {instance, services}
}

function entryContainerPort(detail: ContainerDetails): number | undefined {
  return detail.ports[0]?.containerPort
}

export interface LogOptions {
  tail: number
  service?: string
}

export interface ServiceLogLine extends LogLine {
  service: string
  replica: number
  /** How many replicas of the service the lines come from (lines are labelled service#N when more than one). */
  replicas?: number
}

const replicaCounts = (replicas: Array<{service: string}>) => {
  const counts = new Map<string, number>()
  for (const replica of replicas) counts.set(replica.service, (counts.get(replica.service) ?? 0) + 1)
  return counts
}

async function logTargets(session: HostSession, ref: InstanceRef, service: string | undefined) {
  const engine = await session.engine()
  const view = await requireInstance(session, engine, ref)
  const services = [...new Set(view.replicas.map((replica) => replica.service))]
  if (service && !services.includes(service)) {
    throw new AimsError('not-found', `${formatInstanceRef(ref)} has no service "${service}"`, {
      hint: `its services: ${services.join(', ')}`,
    })
  }
  const replicas = view.replicas.filter((replica) => !service || replica.service === service)
  // The values of the instance's secret env vars (any service's: an app may print another's): masked in every line.
  const details = await Promise.all(view.replicas.map((replica) => engine.inspectContainer(replica.containerId)))
  const secrets = [
    ...new Set(
      details.flatMap((detail) => (detail ? secretEnvValues(detail.env, secretKeysFromLabels(detail.labels)) : [])),
    ),
  ]
  return {engine, view, replicas, redact: (text: string) => redactSecrets(text, secrets)}
}

/** The last lines of each selected container, merged in time order. */
export async function instanceLogs(
  session: HostSession,
  ref: InstanceRef,
  options: LogOptions,
): Promise<ServiceLogLine[]> {
  const {engine, replicas, redact} = await logTargets(session, ref, options.service)
  const counts = replicaCounts(replicas)
  const perContainer = await Promise.all(
    replicas.map(async (replica) =>
      (await engine.logs(replica.containerId, {tail: options.tail, timestamps: true})).map((line) => ({
        ...line,
        text: redact(line.text),
        service: replica.service,
        replica: replica.replica,
        replicas: counts.get(replica.service) ?? 1,
      })),
    ),
  )
  // --tail N: the last N lines in all, by time (each container gives its last N, the newest N of those stay).
  const merged = perContainer
    .flat()
    .map((line, index) => ({line, index}))
    .sort((a, b) => (a.line.time?.getTime() ?? 0) - (b.line.time?.getTime() ?? 0) || a.index - b.index)
    .map(({line}) => line)
  return options.tail === 0 ? [] : merged.slice(-options.tail)
}

/** Follows the logs of the selected containers until the signal aborts. */
export async function followInstanceLogs(
  session: HostSession,
  ref: InstanceRef,
  options: LogOptions & {signal: AbortSignal; onLine: (line: ServiceLogLine) => void},
): Promise<void> {
  const {engine, replicas, redact} = await logTargets(session, ref, options.service)
  const counts = replicaCounts(replicas)
  await Promise.all(
    replicas.map(async (replica) => {
      for await (const line of engine.followLogs(replica.containerId, {tail: options.tail, signal: options.signal}))
        options.onLine({
          ...line,
          text: redact(line.text),
          service: replica.service,
          replica: replica.replica,
          replicas: counts.get(replica.service) ?? 1,
        })
    }),
  )
}
