/**
 * The resource gates of a change to an existing instance (scale, start,
 * restart): the same quota, capacity and cost checks plug up makes
 * (core/plan/resource-gates.ts), judged on the instance as it will be after
 * the change. Reads what the host has and what the instance holds now.
 */
import {DEFAULT_PRICES} from '../core/catalog/cost.js'
import {LABEL} from '../core/engine-types.js'
import type {InstanceView} from '../core/instances.js'
import type {GateCheck} from '../core/plan/plan.js'
import {tenantPolicy} from '../core/plan/policy.js'
import {resourceGates, type Resources} from '../core/plan/resource-gates.js'
import {gatherHostFacts} from './host-facts.js'
import type {Engine, LifecycleDeps} from './ports.js'

/** What the instance's entry service will be after the change. */
export interface ChangeShape {
  /** Entry replicas after the change (scale --replicas; otherwise as now). */
  entryReplicas?: number
  /** New CPU limit of each entry replica (scale --cpus). */
  entryCpus?: number
  /** New memory limit of each entry replica (scale --memory). */
  entryMemoryBytes?: number
  /** What the fix of a failed capacity gate suggests lowering. */
  lower: string
}

/** Preferences and prices, when the composition root gave them (context.lifecycleDeps always does). */
type GateDeps = LifecycleDeps

const zero = (): Resources => ({cpus: 0, memoryBytes: 0, diskBytes: 0})

export async function changeGates(
  deps: GateDeps,
  engine: Engine,
  view: InstanceView,
  shape: ChangeShape,
): Promise<GateCheck[]> {
  const {facts} = await gatherHostFacts(deps.session, engine, view.tenant)
  const details = await Promise.all(view.replicas.map((replica) => engine.inspectContainer(replica.containerId)))
  const current = zero()
  const running = zero()
  const after = zero()
  let largest = 0
  const entries = view.replicas.filter((replica) => replica.entry)
  const entryReplicas = shape.entryReplicas ?? entries.length
  let entryShape: {cpus: number; memoryBytes: number; diskBytes: number} | undefined
  for (const [index, replica] of view.replicas.entries()) {
    const detail = details[index]
    const held = {
      cpus: (detail?.nanoCpus ?? 0) / 1e9,
      memoryBytes: detail?.memoryBytes ?? 0,
      diskBytes: Number(detail?.labels[LABEL.diskEstimate] ?? 0) || 0,
    }
    current.cpus += held.cpus
    current.memoryBytes += held.memoryBytes
    current.diskBytes += held.diskBytes
    if (replica.state === 'running' || replica.state === 'restarting') running.memoryBytes += held.memoryBytes
    if (replica.entry) {
      entryShape ??= held
      continue
    }
    after.cpus += held.cpus
    after.memoryBytes += held.memoryBytes
    largest = Math.max(largest, held.cpus)
  }
  if (entryShape) {
    const cpus = shape.entryCpus ?? entryShape.cpus
    const memoryBytes = shape.entryMemoryBytes ?? entryShape.memoryBytes
    after.cpus += cpus * entryReplicas
    after.memoryBytes += memoryBytes * entryReplicas
    // Replicas share the instance's volumes: the disk is counted once.
    after.diskBytes += entryShape.diskBytes
    largest = Math.max(largest, cpus)
  }
  const usage = facts.tenantUsage
  const tenantInstances = facts.instances.filter((instance) => instance.tenant === view.tenant)
  const plug = await deps.catalog?.find(view.plug).catch(() => undefined)
  return resourceGates({
    host: deps.session.host,
    tenant: view.tenant,
    instancesAfter: tenantInstances.filter((instance) => instance.instance !== view.instance).length + 1,
    tenantOthers: {
      cpus: Math.max(0, usage.cpus - current.cpus),
      memoryBytes: Math.max(0, usage.memoryBytes - current.memoryBytes),
      diskBytes: Math.max(0, usage.diskBytes - current.diskBytes),
    },
    instanceAfter: after,
    // What runs after the change, beyond what runs now: the memory the host must have free.
    added: {memoryBytes: Math.max(0, after.memoryBytes - running.memoryBytes), diskBytes: 0},
    largestContainerCpus: largest,
    facts,
    policy: tenantPolicy(deps.preferences ?? {}, view.tenant),
    prices: deps.prices ?? DEFAULT_PRICES,
    ...(plug ? {needsTier: {plug: plug.plug.id, tier: plug.plug.tier}} : {}),
    lower: shape.lower,
  })
}
