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
