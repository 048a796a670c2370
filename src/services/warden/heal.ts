/**
 * The warden's healing actions. Each is a plan through the one gate (passGate) with the warden's
 * approver — the policy decides what a person would have — and is audited with origin `warden`:
 * restart and stop are the same changeState a person's `plug restart`/`plug stop` runs; recreate
 * and rollback replace each container by a fresh copy (rollback: of the previous image).
 */
import {AimsError} from '../../core/errors.js'
import {LABEL} from '../../core/engine-types.js'
import {instanceRef, type InstanceRef} from '../../core/names.js'
import type {Plan} from '../../core/plan/plan.js'
import type {HealingStep} from '../../core/warden/healing.js'
import type {HealingAction, WardenPolicy} from '../../core/warden/policy.js'
import {passGate, type Approver} from '../gate.js'
import {requireInstance} from '../instances.js'
import {awaitHealthy, changeState, healthBudgetMs} from '../plug-manage.js'
import type {LifecycleDeps} from '../ports.js'
import {recordAction} from '../record-action.js'
import {writeIntent} from './store.js'

/** Label an upgrade writes on a container: the image it replaced, the rung rollback returns to. */
export const PREVIOUS_IMAGE_LABEL = 'aims.previous-image'

const ACTION_OF: Partial<Record<Plan['action'], HealingAction>> = {
  'plug-restart': 'restart',
  'plug-stop': 'stop',
  'warden-recreate': 'recreate',
  'warden-rollback': 'rollback',
}

/** The gate's approver for the warden: what the policy allows is applied, anything else refused. */
export function wardenApprover(policy: () => WardenPolicy, log: (plan: Plan) => void = () => undefined): Approver {
  return {
    show: log,
    async decide(plan) {
      const action = ACTION_OF[plan.action]
      if (action && policy()[action] === 'yes') return 'apply'
      throw new AimsError('not-confirmed', `the warden policy does not allow ${action ?? plan.action} on its own`, {
        hint: `aims warden policy ${action ?? plan.action} yes`,
      })
    },
  }
}

export interface HealOutcome {
  outcome: 'applied' | 'failed'
  detail: string
}

/** Runs one step; never throws (a failed step is an outcome the ladder climbs past). */
export async function heal(deps: LifecycleDeps, ref: string, step: HealingStep | 'stop'): Promise<HealOutcome> {
  const [tenant = '', instance = ''] = ref.split('/')
  try {
    const typed = instanceRef(tenant, instance)
    if (step === 'restart') {
      const result = await changeState(deps, typed, 'restart')
      return {outcome: 'applied', detail: result.health?.detail ?? 'restarted'}
    }
    if (step === 'stop') {
      await changeState(deps, typed, 'stop')
      await writeIntent(await deps.session.shell(), deps.session.host.stateDir, typed, {
        state: 'stopped',
        by: deps.actor,
        at: deps.clock.now().toISOString(),
      })
      return {outcome: 'applied', detail: 'stopped after giving up'}
    }
    return await replace(deps, typed, step)
  } catch (error) {
    return {outcome: 'failed', detail: (error as Error).message}
  }
}

async function replace(deps: LifecycleDeps, ref: InstanceRef, step: 'recreate' | 'rollback'): Promise<HealOutcome> {
  const engine = await deps.session.engine()
  if (!engine.recreateContainer) throw new AimsError('engine', 'this engine cannot recreate containers')
  const view = await requireInstance(deps.session, engine, ref)
  const entry = view.replicas.find((replica) => replica.entry) ?? view.replicas[0]
  const details = entry ? await engine.inspectContainer(entry.containerId) : undefined
  const image = step === 'rollback' ? details?.labels[PREVIOUS_IMAGE_LABEL] : undefined
  if (step === 'rollback' && !image) throw new AimsError('not-found', 'no previous image is recorded to roll back to')
  const host = deps.session.host.name
  const plan: Plan = {
    action: step === 'recreate' ? 'warden-recreate' : 'warden-rollback',
    summary: `${step === 'recreate' ? 'Recreate' : 'Roll back'} ${view.ref} (${view.plug}) on ${host}`,
    host,
    target: view.ref,
    destructive: false,
    facts: [{label: 'instance', value: `${view.ref}: ${view.plug}, ${view.status}`}],
    changes: view.replicas.map((replica) => ({
      action: 'recreate',
      kind: 'container',
      name: replica.containerName,
      detail: image ? `from ${image}` : 'from its own spec',
    })),
    gates: [],
  }
  if ((await passGate(plan, deps.approver)) === 'dry-run') return {outcome: 'applied', detail: 'dry run'}
  const lock = await deps.session.lock(`instance-${ref.tenant}-${ref.instance}`, {wait: true, timeoutMs: 15_000})
  const action = `warden ${step}`
  let health: {ok: boolean; detail: string} | undefined
  try {
    let entryId: string | undefined
    for (const replica of view.replicas) {
      const id = await engine.recreateContainer(replica.containerId, image ? {image} : {})
      await engine.startContainer(id)
      if (replica === entry) entryId = id
    }
    if (entryId) {
      const labels = (await engine.inspectContainer(entryId))?.labels
      health = await awaitHealthy(deps, engine, entryId, healthBudgetMs(labels ?? {[LABEL.managed]: 'true'}))
    }
  } catch (error) {
    await recordAction(deps, {action, target: view.ref, outcome: 'failed', detail: (error as Error).message})
    throw error
  } finally {
    await lock.release()
  }
  await recordAction(deps, {
    action,
    target: view.ref,
    outcome: health && !health.ok ? 'failed' : 'applied',
    detail: health?.detail ?? step,
  })
  if (health && !health.ok) return {outcome: 'failed', detail: `${step}d but not healthy: ${health.detail}`}
  return {outcome: 'applied', detail: health?.detail ?? `${step} done`}
}
