import {describe, expect, it} from 'vitest'
import {
  backoffSeconds,
  judge,
  ladder,
  type InstanceTrack,
  type Observation,
} from '../../../../src/core/warden/healing.js'
import {DEFAULT_POLICY, type WardenPolicy} from '../../../../src/core/warden/policy.js'

const policy: WardenPolicy = {...DEFAULT_POLICY, interval: 10, failAfter: 3, recoverAfter: 2, restartAttempts: 2}
const obs = (ok: boolean, extra: Partial<Observation> = {}): Observation => ({
  ref: 'acme/web',
  ok,
  detail: ok ? 'HTTP 200 on /health' : 'HTTP 500 on /health',
  stoppedOnPurpose: false,
  deployId: 'd1',
  rollbackAvailable: false,
  ...extra,
})

/** Feeds samples at 10 s steps; returns the track, every note kind and every act. */
function feed(samples: Observation[], start: InstanceTrack | undefined = undefined, p = policy, t0 = 0) {
  let track = start
  const notes: string[] = []
  const acts: string[] = []
  let incidents = 0
  samples.forEach((sample, index) => {
    const result = judge(track, sample, p, new Date(t0 + index * 10_000), () => `inc-${++incidents}`)
    track = result.track
    notes.push(...result.notes.map((note) => (note.step ? `${note.kind}:${note.step}` : note.kind)))
    if (result.act) acts.push(result.act)
  })
  return {track: track!, notes, acts}
}

describe('judge', () => {
  it('never calls one bad sample an incident: down only after failAfter failures in a row', () => {
    const one = feed([obs(true), obs(false), obs(true), obs(false), obs(false), obs(true)])
    expect(one.notes).not.toContain('down')
    expect(one.acts).toEqual([])
    expect(one.track.state).toBe('healthy')
    const three = feed([obs(true), obs(false), obs(false), obs(false)])
    expect(three.notes).toEqual(['probe-failed', 'probe-failed', 'probe-failed', 'down', 'healing:restart'])
    expect(three.acts).toEqual(['restart'])
    expect(three.track.state).toBe('healing')
  })

  it('recovers only after recoverAfter good samples, and closes the incident', () => {
    const down = feed([obs(false), obs(false), obs(false)])
    const after = feed([obs(true)], down.track, policy, 30_000)
    expect(after.track.state).toBe('healing')
    const recovered = feed([obs(true), obs(true)], down.track, policy, 30_000)
    expect(recovered.notes).toEqual(['recovered'])
    expect(recovered.track.state).toBe('healthy')
    expect(recovered.track.incident).toBeUndefined()
  })

  it('climbs restart × N → recreate → gave up, waiting a doubling backoff between steps', () => {
    const samples = Array.from({length: 30}, () => obs(false))
    const {acts, notes, track} = feed(samples)
    expect(acts).toEqual(['restart', 'restart', 'recreate'])
    expect(notes.filter((note) => note === 'gave-up')).toHaveLength(1)
    expect(track.state).toBe('gave-up')
    // nothing more once given up
    expect(feed([obs(false), obs(false)], track, policy, 400_000).acts).toEqual([])
  })

  it('includes rollback only when a previous image is known', () => {
    expect(ladder(policy, false)).toEqual(['restart', 'restart', 'recreate'])
    expect(ladder(policy, true)).toEqual(['restart', 'restart', 'recreate', 'rollback'])
    expect(backoffSeconds({...policy, maxBackoff: 25}, 0)).toBe(10)
    expect(backoffSeconds({...policy, maxBackoff: 25}, 3)).toBe(25)
  })

  it('skips what the policy forbids and asks for what needs a person', () => {
    const strict = {...policy, restart: 'no' as const, recreate: 'ask' as const}
    const {acts, notes} = feed([obs(false), obs(false), obs(false)], undefined, strict)
    expect(acts).toEqual([])
    expect(notes).toEqual(expect.arrayContaining(['skipped:restart', 'needs-approval:recreate', 'gave-up']))
  })

  it('stops a given-up instance only when the policy says so', () => {
    const stopping = {...policy, restartAttempts: 0, recreate: 'no' as const, stop: 'yes' as const}
    expect(feed([obs(false), obs(false), obs(false)], undefined, stopping).acts).toEqual(['stop'])
  })

  it('never heals an instance stopped on purpose, and a new deploy starts over after giving up', () => {
    const stopped = feed(Array.from({length: 6}, () => obs(false, {stoppedOnPurpose: true})))
    expect(stopped.acts).toEqual([])
    expect(stopped.notes).toEqual(['stopped-on-purpose'])
    const gaveUp = feed(Array.from({length: 30}, () => obs(false)))
    const redeployed = feed([obs(true, {deployId: 'd2'})], gaveUp.track, policy, 400_000)
    expect(redeployed.track.state).toBe('healthy')
  })
})

describe('judge: the flap cooldown', () => {
  const flappy: WardenPolicy = {...policy, flapCooldown: 10}
  const cycle = (track: InstanceTrack | undefined, t0: number, p = flappy) =>
    feed([obs(false), obs(false), obs(false), obs(true), obs(true)], track, p, t0)

  it('a failure within the cooldown after a recovery reopens the same incident and resumes its ladder', () => {
    const first = cycle(undefined, 0)
    expect(first.notes).toEqual([
      'probe-failed',
      'probe-failed',
      'probe-failed',
      'down',
      'healing:restart',
      'recovered',
    ])
    expect(first.track.closed).toEqual({incident: 'inc-1', at: 40_000, attempt: 1})
    // Two minutes later it fails again: still inc-1, and the next rung is the second restart.
    const again = judge(first.track, obs(false), flappy, new Date(160_000), () => 'inc-new')
    const twice = judge(again.track, obs(false), flappy, new Date(170_000), () => 'inc-new')
    const third = judge(twice.track, obs(false), flappy, new Date(180_000), () => 'inc-new')
    expect(third.track.incident).toBe('inc-1')
    expect(third.notes.map((note) => [note.kind, note.step, note.reopened])).toEqual([
      ['probe-failed', undefined, undefined],
      ['down', undefined, true],
      ['healing', 'restart', true],
    ])
    expect(third.notes[1]!.detail).toMatch(/^down again 2 min after recovering \(flapping\)/)
    expect(third.notes[2]!.detail).toBe('restart (step 2 of 3)')
    expect(third.track.flapping).toBe(true)
  })

  it('a flapping crash loop still ends in "gave up" (the ladder is not reset by each short recovery)', () => {
    let track: InstanceTrack | undefined
    const notes: string[] = []
    for (let round = 0; round < 5; round++) {
      const result = cycle(track, round * 100_000)
      track = result.track
      notes.push(...result.notes.filter((note) => note !== 'probe-failed'))
    }
    expect(notes.filter((note) => note.startsWith('healing:'))).toEqual([
      'healing:restart',
      'healing:restart',
      'healing:recreate',
    ])
    expect(notes).toContain('gave-up')
  })

  it('after the cooldown, or with it off (the default), a failure is a new incident', () => {
    const first = cycle(undefined, 0)
    const late = feed([obs(false), obs(false), obs(false)], first.track, flappy, 40_000 + 11 * 60_000)
    expect(late.track.incident).toBe('inc-1') // feed's own counter starts over: a fresh incident id
    expect(late.track.flapping).toBeUndefined()
    expect(late.notes).toContain('healing:restart')
    expect(late.track.attempt).toBe(1)
    expect(DEFAULT_POLICY.flapCooldown).toBe(0)
    const off = cycle(undefined, 0, policy)
    const soon = feed([obs(false), obs(false), obs(false)], off.track, policy, 60_000)
    expect(soon.track.flapping).toBeUndefined()
    expect(soon.track.attempt).toBe(1)
  })

  it('a person stopping it forgets the closed incident', () => {
    const first = cycle(undefined, 0)
    const stopped = judge(first.track, obs(false, {stoppedOnPurpose: true}), flappy, new Date(60_000), () => 'x')
    expect(stopped.track.closed).toBeUndefined()
  })
})
