/**
 * `aims sandbox`: start, list, exec in, shell into and remove throwaway containers, and
 * `expireSandboxes`, the TTL sweep the warden runs as a periodic task (every sandbox command runs it
 * too, so TTLs hold without the warden).
 */
import {LABEL} from '../core/engine-types.js'
import {AimsError} from '../core/errors.js'
import {formatBytes} from '../core/names.js'
import type {Plan} from '../core/plan/plan.js'
import {sandboxContainerName, sandboxNetworkName, sandboxSpecs, type SandboxRequest} from '../core/sandbox/sandbox.js'
import {passGate} from './gate.js'
import type {Clock, Engine, HostSession, LifecycleDeps} from './ports.js'
import {recordAction} from './record-action.js'

export interface SandboxView {
  id: string
  tenant: string
  image: string
  state: string
  expiresAt: string
  /** Seconds left (0 when overdue). */
  secondsLeft: number
}

export interface SandboxCreateResult extends SandboxView {
  status: 'running' | 'dry-run'
  network: string
  limits: {cpus: number; memoryBytes: number; pids: number}
  plan: Plan
}

function toView(labels: Record<string, string>, image: string, state: string, now: Date): SandboxView {
  const expiresAt = labels[LABEL.expiresAt] ?? ''
  return {
    id: labels[LABEL.sandbox] ?? '',
    tenant: labels[LABEL.tenant] ?? '',
    image,
    state,
    expiresAt,
    secondsLeft: Math.max(0, Math.round((Date.parse(expiresAt) - now.getTime()) / 1000)) || 0,
  }
}

/**
 * Removes every sandbox past its expiry, and the networks of sandboxes that are gone (the engine
 * removes an expired sandbox's container by itself; its network stays until this sweep). Idempotent.
 */
export async function expireSandboxes(
  deps: {session: HostSession},
  now: Date,
): Promise<{removed: string[]; networks: string[]}> {
  const engine = await deps.session.engine()
  const containers = await engine.listContainers({all: true, labels: {[LABEL.sandbox]: true}})
  const removed: string[] = []
  for (const container of containers) {
    const expires = Date.parse(container.labels[LABEL.expiresAt] ?? '')
    if (Number.isNaN(expires) || expires > now.getTime()) continue
    await engine.removeContainer(container.id, {force: true})
    removed.push(container.labels[LABEL.sandbox] ?? container.name)
  }
  const alive = new Set(
    containers
      .filter((container) => !removed.includes(container.labels[LABEL.sandbox] ?? ''))
      .map((container) => container.labels[LABEL.sandbox]),
  )
  const networks: string[] = []
  for (const network of await engine.listNetworks({labels: {[LABEL.sandbox]: true}})) {
    if (alive.has(network.labels[LABEL.sandbox])) continue
    await engine.removeNetwork(network.id).catch(() => undefined)
    networks.push(network.name)
  }
  return {removed, networks}
}

export async function listSandboxes(
  deps: {session: HostSession; clock: Clock},
  filter: {tenant?: string} = {},
): Promise<SandboxView[]> {
  const now = deps.clock.now()
  await expireSandboxes(deps, now)
  const engine = await deps.session.engine()
  const containers = await engine.listContainers({
    all: true,
    labels: {[LABEL.sandbox]: true, ...(filter.tenant ? {[LABEL.tenant]: filter.tenant} : {})},
  })
  return containers
    .map((container) => toView(container.labels, container.image, container.state, now))
    .sort((a, b) => a.expiresAt.localeCompare(b.expiresAt))
}

const ttlText = (seconds: number) => (seconds < 120 ? `${seconds} s` : `${Math.round(seconds / 60)} min`)

export async function createSandbox(deps: LifecycleDeps, request: SandboxRequest): Promise<SandboxCreateResult> {
  const now = deps.clock.now()
  await expireSandboxes(deps, now)
  const engine = await deps.session.engine()
  const host = deps.session.host.name
  const specs = sandboxSpecs(request, {now, actor: deps.actor})
  const limits = {cpus: request.nanoCpus / 1e9, memoryBytes: request.memoryBytes, pids: request.pidsLimit}
  const plan: Plan = {
    action: 'sandbox-create',
    summary: `Start the sandbox ${request.id} (${request.image}) on ${host} for ${ttlText(request.ttlSeconds)}`,
    host,
    target: request.id,
    destructive: false,
    facts: [
      {label: 'image', value: request.image},
      {label: 'expires', value: `${specs.expiresAt} (removed by the engine at its TTL)`},
      {label: 'limits', value: `${limits.cpus} CPU, ${formatBytes(limits.memoryBytes)}, ${limits.pids} processes`},
      {label: 'isolation', value: 'own network, no published ports, no mounts, no Docker socket'},
    ],
    changes: [
      {action: 'create', kind: 'network', name: specs.network.name},
      {action: 'create', kind: 'container', name: specs.container.name, detail: request.image},
    ],
    gates: [],
  }
  const view = {
    ...toView(specs.container.labels, request.image, 'created', now),
    network: specs.network.name,
    limits,
    plan,
  }
  if ((await passGate(plan, deps.approver)) === 'dry-run') return {...view, status: 'dry-run'}
  try {
    if (!(await engine.imageExists(request.image))) {
      deps.progress({step: 'pull', message: `pulling ${request.image}`})
      await engine.pullImage(request.image)
    }
    await engine.createNetwork(specs.network)
    await engine.createContainer(specs.container)
    deps.progress({step: 'start', message: `starting ${request.id}`})
    await engine.startContainer(specs.container.name)
  } catch (error) {
    await engine.removeContainer(specs.container.name, {force: true}).catch(() => undefined)
    await engine.removeNetwork(specs.network.name).catch(() => undefined)
    await recordAction(deps, {
      action: 'sandbox',
      target: request.id,
      outcome: 'failed',
      detail: (error as Error).message,
    })
    throw error
  }
  await recordAction(deps, {
    action: 'sandbox',
    target: request.id,
    outcome: 'applied',
    detail: `${request.image} until ${specs.expiresAt}`,
  })
  return {...view, state: 'running', status: 'running'}
}

/** The running sandbox, or not-found (after expiring overdue ones: an expired sandbox is gone). */
export async function requireSandbox(
  deps: {session: HostSession; clock: Clock},
  id: string,
): Promise<{engine: Engine; view: SandboxView}> {
  await expireSandboxes(deps, deps.clock.now())
  const engine = await deps.session.engine()
  const [container] = await engine.listContainers({all: true, labels: {[LABEL.sandbox]: id}})
  if (!container || container.state !== 'running')
    throw new AimsError('not-found', `no running sandbox ${id} on ${deps.session.host.name}`, {
      hint: 'it may have reached its TTL; see aims sandbox ls, or start one with aims sandbox',
    })
  return {engine, view: toView(container.labels, container.image, container.state, deps.clock.now())}
}

export async function removeSandbox(
  deps: LifecycleDeps,
  id: string,
): Promise<{status: 'removed' | 'dry-run'; id: string; plan: Plan}> {
  await expireSandboxes(deps, deps.clock.now())
  const engine = await deps.session.engine()
  const [container] = await engine.listContainers({all: true, labels: {[LABEL.sandbox]: id}})
  if (!container)
    throw new AimsError('not-found', `no sandbox ${id} on ${deps.session.host.name}`, {hint: 'see aims sandbox ls'})
  const plan: Plan = {
    action: 'sandbox-rm',
    summary: `Remove the sandbox ${id} from ${deps.session.host.name}`,
    host: deps.session.host.name,
    target: id,
    destructive: false,
    facts: [{label: 'image', value: container.image}],
    changes: [
      {action: 'remove', kind: 'container', name: sandboxContainerName(id), detail: 'and everything in it'},
      {action: 'remove', kind: 'network', name: sandboxNetworkName(id)},
    ],
    gates: [],
  }
  if ((await passGate(plan, deps.approver)) === 'dry-run') return {status: 'dry-run', id, plan}
  await engine.removeContainer(container.id, {force: true})
  // The engine finishes removing an auto-removed container a moment later: the network frees up then.
  for (let attempt = 0; attempt < 20; attempt++) {
    const gone = await engine.removeNetwork(sandboxNetworkName(id)).then(
      () => true,
      () => false,
    )
    if (gone) break
    await deps.clock.sleep(100)
  }
  await recordAction(deps, {action: 'sandbox rm', target: id, outcome: 'applied'})
  return {status: 'removed', id, plan}
}
