/**
 * The health sweep: every aims-managed instance in the policy's scope probed with the same probes
 * as `aims health` (probeInstance), judged with hysteresis (core/warden/healing.ts), healed through
 * the gate, and every note kept in the host's history, as a lifecycle event and, when it matters to
 * a person, as an alert.
 */
import {LABEL} from '../../core/engine-types.js'
import {groupInstances} from '../../core/instances.js'
import {afterAction, judge, type Note} from '../../core/warden/healing.js'
import {historyEvent} from '../../core/warden/history.js'
import {inScope, probeDue} from '../../core/warden/policy.js'
import {probeInstance} from '../health-report.js'
import {emitLifecycleEvent, type LifecycleEventInput} from '../lifecycle-events.js'
import {heal, PREVIOUS_IMAGE_LABEL} from './heal.js'
import type {WardenDeps} from './loop.js'
import {readIntents} from './store.js'

const EVENT_OF: Partial<Record<Note['kind'], Pick<LifecycleEventInput, 'action' | 'health'>>> = {
  down: {action: 'health-changed', health: 'unhealthy'},
  recovered: {action: 'recovered', health: 'healthy'},
  healing: {action: 'healing'},
  'gave-up': {action: 'gave-up'},
}

/** History, events and alerts for what a sweep (or a finished action) noticed. */
export async function recordNotes(deps: WardenDeps, notes: Note[]): Promise<void> {
  if (notes.length === 0) return
  const now = deps.clock.now()
  for (const note of notes) {
    await deps.history.append(historyEvent(note, deps.newId(), now)).catch((error: Error) => {
      deps.log(`history not written for ${note.ref}: ${error.message}`)
    })
    const event = EVENT_OF[note.kind]
    const [tenant = '', instance = ''] = note.ref.split('/')
    if (event)
      await emitLifecycleEvent(deps.lifecycle, {
        ...event,
        tenant,
        instance,
        message: `warden: ${note.kind === 'healing' ? `healing: ${note.detail}` : note.detail}`,
      })
    deps.log(`${note.ref}: ${note.kind}: ${note.detail}`)
  }
  deps.alerts.notify(notes, now)
}

export async function healthSweep(deps: WardenDeps, now: Date): Promise<void> {
  const started = deps.clock.now().getTime()
  const runtime = deps.runtime
  const policy = runtime.policy
  const engine = await deps.session.engine()
  const containers = await engine.listContainers({all: true, labels: {[LABEL.managed]: 'true'}})
  const inScopeContainers = containers.filter((container) => inScope(policy, container.labels[LABEL.tenant] ?? ''))
  const views = groupInstances(inScopeContainers, {
    ...(deps.session.host.domain ? {domain: deps.session.host.domain} : {}),
    tls: Boolean(deps.session.host.tls),
  })
  const summaries = new Map(inScopeContainers.map((container) => [container.id, container]))
  // An instance whose containers are only created is being deployed right now (plug up's own gate judges it).
  const judged = views.filter(
    (view) =>
      !runtime.busy.has(view.ref) &&
      view.status !== 'created' &&
      probeDue(policy, view.ref, view.plug, runtime.probedAt.get(view.ref), now.getTime()),
  )
  for (const view of judged) runtime.probedAt.set(view.ref, now.getTime())
  const [reports, intents] = await Promise.all([
    Promise.all(judged.map((view) => probeInstance(deps.session, engine, view, summaries))),
    readIntents(deps.shell, deps.stateDir),
  ])
  const byRef = new Map(views.map((view) => [view.ref, view]))
  const notes: Note[] = []
  let probes = 0
  for (const report of reports) {
    probes += report.services.length
    const view = byRef.get(report.ref)!
    const entry = view.replicas.find((replica) => replica.entry) ?? view.replicas[0]
    const labels = entry ? summaries.get(entry.containerId)?.labels : undefined
    const judgement = judge(
      runtime.tracks.get(report.ref),
      {
        ref: report.ref,
        ok: report.health === 'healthy',
        detail: report.detail,
        stoppedOnPurpose: intents.has(report.ref),
        deployId: view.deployId,
        rollbackAvailable: Boolean(labels?.[PREVIOUS_IMAGE_LABEL]),
      },
      policy,
      now,
      deps.newId,
    )
    runtime.tracks.set(report.ref, judgement.track)
    notes.push(...judgement.notes)
    if (judgement.act) startHealing(deps, report.ref, judgement.act)
  }
  // Instances that went away (plug down) are forgotten.
  for (const ref of runtime.tracks.keys()) if (!byRef.has(ref)) runtime.tracks.delete(ref)
  for (const ref of runtime.probedAt.keys()) if (!byRef.has(ref)) runtime.probedAt.delete(ref)
  await recordNotes(deps, notes)
  const ms = deps.clock.now().getTime() - started
  const previous = runtime.lastSweep
  runtime.lastSweep = {at: now, ms, instances: views.length, probes}
  const minutes = previous ? (now.getTime() - previous.at.getTime()) / 60_000 : policy.interval / 60
  runtime.probesPerMinute = minutes > 0 ? Math.round(probes / minutes) : probes
}

/** A healing step runs beside the loop: a slow restart does not hold up the other instances' sweep. */
function startHealing(deps: WardenDeps, ref: string, step: Parameters<typeof heal>[2]): void {
  const runtime = deps.runtime
  runtime.busy.add(ref)
  const running = (async () => {
    const result = await heal(deps.lifecycle, ref, step)
    const track = runtime.tracks.get(ref)
    if (track) {
      const after = afterAction(track, step, result.outcome, result.detail, deps.clock.now())
      runtime.tracks.set(ref, after.track)
      await recordNotes(deps, [after.note])
    }
  })()
    .catch((error: Error) => deps.log(`healing ${ref} failed: ${error.message}`))
    .finally(() => {
      runtime.busy.delete(ref)
      runtime.inFlight.delete(running)
    })
  runtime.inFlight.add(running)
}
