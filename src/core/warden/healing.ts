/**
 * The warden's judgement of one instance, sweep after sweep: hysteresis (down only after
 * `failAfter` failed sweeps in a row, healthy again only after `recoverAfter` good ones) and the
 * escalation ladder (restart × restartAttempts → recreate → rollback when a previous image is
 * known → give up), with a backoff that doubles between steps. Pure: the caller probes, acts
 * and records; this decides.
 */
import type {HealingAction, WardenPolicy} from './policy.js'

export type WardenState = 'healthy' | 'degraded' | 'down' | 'healing' | 'gave-up' | 'stopped'
export type HealingStep = 'restart' | 'recreate' | 'rollback'

export interface InstanceTrack {
  ref: string
  state: WardenState
  fails: number
  oks: number
  /** Healing steps taken (or skipped) in this incident: the index of the next rung. */
  attempt: number
  /** Not before this time (ms) is the next step taken. */
  nextActionAt: number
  /** The open incident (from the first "down" to "recovered"). */
  incident?: string
  /** The deploy the track belongs to: a new deploy starts over, even after "gave up". */
  deployId?: string
  /** The incident closed last, so a failure within the policy's flap cooldown reopens it. */
  closed?: {incident: string; at: number; attempt: number}
  /** The open incident was reopened (flapping): its down/recovered are not alerted again. */
  flapping?: boolean
  lastAction?: {step: HealingStep | 'stop'; outcome: 'applied' | 'failed' | 'skipped'; at: string; detail: string}
  since: string
}

export interface Observation {
  ref: string
  ok: boolean
  detail: string
  /** A person stopped it (`plug stop`): never healed. */
  stoppedOnPurpose: boolean
  deployId?: string | undefined
  /** A previous image is recorded, so rollback is a rung of the ladder. */
  rollbackAvailable: boolean
}

export type NoteKind =
  | 'probe-failed'
  | 'down'
  | 'recovered'
  | 'stopped-on-purpose'
  | 'healing'
  | 'skipped'
  | 'needs-approval'
  | 'gave-up'
  | 'action-failed'
  | 'action-applied'

/** What happened, for the history, the events and the alerts. */
export interface Note {
  kind: NoteKind
  ref: string
  detail: string
  incident?: string
  step?: HealingStep | 'stop'
  /** Part of a reopened (flapping) incident. */
  reopened?: boolean
}

export interface Judgement {
  track: InstanceTrack
  notes: Note[]
  /** What the caller should do now (through the gate), if anything. */
  act?: HealingStep | 'stop'
}

/** The rungs of the ladder for this policy, in order. */
export function ladder(policy: WardenPolicy, rollbackAvailable: boolean): HealingStep[] {
  return [
    ...Array.from({length: policy.restartAttempts}, () => 'restart' as const),
    'recreate',
    ...(rollbackAvailable ? (['rollback'] as const) : []),
  ]
}

/** Seconds to wait after the step at `attempt` before the next one. */
export function backoffSeconds(policy: WardenPolicy, attempt: number): number {
  return Math.min(policy.interval * 2 ** attempt, policy.maxBackoff)
}

function fresh(observation: Observation, nowIso: string): InstanceTrack {
  return {
    ref: observation.ref,
    state: 'healthy',
    fails: 0,
    oks: 0,
    attempt: 0,
    nextActionAt: 0,
    ...(observation.deployId ? {deployId: observation.deployId} : {}),
    since: nowIso,
  }
}

/**
 * One sweep's sample of one instance. `newIncident` names a new incident when one opens.
 * Steps the policy does not allow are skipped (noted), and the next rung is tried at once.
 */
export function judge(
  previous: InstanceTrack | undefined,
  observation: Observation,
  policy: WardenPolicy,
  now: Date,
  newIncident: () => string,
): Judgement {
  const nowIso = now.toISOString()
  const nowMs = now.getTime()
  let track: InstanceTrack =
    previous && previous.deployId === observation.deployId ? {...previous} : fresh(observation, nowIso)
  const notes: Note[] = []
  const note = (kind: NoteKind, detail: string, step?: HealingStep | 'stop') =>
    notes.push({
      kind,
      ref: track.ref,
      detail,
      ...(track.incident ? {incident: track.incident} : {}),
      ...(step ? {step} : {}),
      ...(track.flapping ? {reopened: true} : {}),
    })
  const become = (state: WardenState) => {
    if (track.state !== state) track = {...track, state, since: nowIso}
  }

  if (observation.stoppedOnPurpose) {
    if (track.state !== 'stopped') note('stopped-on-purpose', 'stopped by a person: not healed')
    const {incident: _closed, flapping: _flapping, closed: _last, ...rest} = track
    track = {...rest, fails: 0, oks: 0, attempt: 0, nextActionAt: 0}
    become('stopped')
    return {track, notes}
  }

  if (observation.ok) {
    track = {...track, oks: track.oks + 1, fails: 0}
    if (track.state === 'down' || track.state === 'healing' || track.state === 'gave-up') {
      if (track.oks >= policy.recoverAfter) {
        note('recovered', observation.detail)
        const {incident: closed, flapping: _flapping, ...rest} = track
        track = {
          ...rest,
          attempt: 0,
          nextActionAt: 0,
          ...(closed ? {closed: {incident: closed, at: nowMs, attempt: track.attempt}} : {}),
        }
        become('healthy')
      }
    } else become('healthy')
    return {track, notes}
  }

  track = {...track, fails: track.fails + 1, oks: 0}
  if (track.state === 'gave-up') return {track, notes}
  note('probe-failed', observation.detail)
  if (track.state === 'healthy' || track.state === 'degraded' || track.state === 'stopped') {
    if (track.fails < policy.failAfter) {
      become('degraded')
      return {track, notes}
    }
    const closed = track.closed
    const {closed: _closed, ...open} = track
    if (closed && policy.flapCooldown > 0 && nowMs - closed.at < policy.flapCooldown * 60_000) {
      // Flapping: the same incident again, its ladder resumed where it was (a crash loop still ends in "gave up").
      track = {...open, incident: closed.incident, attempt: closed.attempt, nextActionAt: 0, flapping: true}
      become('down')
      note(
        'down',
        `down again ${Math.round((nowMs - closed.at) / 60_000)} min after recovering (flapping): ${observation.detail}`,
      )
    } else {
      track = {...open, incident: newIncident(), attempt: 0, nextActionAt: 0}
      become('down')
      note('down', `down after ${track.fails} failed checks: ${observation.detail}`)
    }
  }
  if (nowMs < track.nextActionAt) return {track, notes}
  return {...climb(track, observation, policy, nowMs, note), notes}
}

function climb(
  start: InstanceTrack,
  observation: Observation,
  policy: WardenPolicy,
  nowMs: number,
  note: (kind: NoteKind, detail: string, step?: HealingStep | 'stop') => void,
): Omit<Judgement, 'notes'> {
  let track = start
  const rungs = ladder(policy, observation.rollbackAvailable)
  while (track.attempt < rungs.length) {
    const step = rungs[track.attempt]!
    const permission = policy[step as HealingAction]
    if (permission === 'yes') {
      note('healing', `${step} (step ${track.attempt + 1} of ${rungs.length})`, step)
      track = {
        ...track,
        state: 'healing',
        attempt: track.attempt + 1,
        nextActionAt: nowMs + backoffSeconds(policy, track.attempt) * 1000,
      }
      return {track, act: step}
    }
    note(
      permission === 'ask' ? 'needs-approval' : 'skipped',
      permission === 'ask'
        ? `${step} needs a person: run aims plug ${step === 'rollback' ? 'up' : step} ${track.ref}`
        : `the policy forbids ${step}`,
      step,
    )
    track = {...track, attempt: track.attempt + 1}
  }
  note('gave-up', `gave up after ${rungs.length} steps: ${observation.detail}`)
  track = {...track, state: 'gave-up', since: new Date(nowMs).toISOString()}
  return {track, ...(policy.stop === 'yes' ? {act: 'stop' as const} : {})}
}

/** The step's outcome, recorded on the track (and noted) once the caller has run it. */
export function afterAction(
  track: InstanceTrack,
  step: HealingStep | 'stop',
  outcome: 'applied' | 'failed',
  detail: string,
  now: Date,
): {track: InstanceTrack; note: Note} {
  return {
    track: {...track, lastAction: {step, outcome, at: now.toISOString(), detail}},
    note: {
      kind: outcome === 'applied' ? 'action-applied' : 'action-failed',
      ref: track.ref,
      detail,
      step,
      ...(track.incident ? {incident: track.incident} : {}),
    },
  }
}

/** Notes that are worth a message to a person (probe failures and applied actions are history only). */
export const ALERTING: ReadonlySet<NoteKind> = new Set(['down', 'healing', 'needs-approval', 'gave-up', 'recovered'])
