/** The alert sink with the flap cooldown: a flapping instance is one incident, not a message per flap. */
import {describe, expect, it} from 'vitest'
import type {AlertPayload} from '../../../../src/core/warden/alerts.js'
import {judge, type InstanceTrack, type Observation} from '../../../../src/core/warden/healing.js'
import {DEFAULT_POLICY, type WardenPolicy} from '../../../../src/core/warden/policy.js'
import {hostAlertSink, writeChannels} from '../../../../src/services/warden/alert-sink.js'
import {makeWorld} from '../../../support/lifecycle-fakes.js'

const STATE = '/var/lib/aims'
const policy: WardenPolicy = {...DEFAULT_POLICY, interval: 10, failAfter: 2, recoverAfter: 1, flapCooldown: 10}
const obs = (ok: boolean): Observation => ({
  ref: 'wd/web',
  ok,
  detail: ok ? 'HTTP 200 on /health' : 'HTTP 500 on /health',
  stoppedOnPurpose: false,
  deployId: 'd1',
  rollbackAvailable: false,
})

describe('hostAlertSink', () => {
  it('sends down, each step and recovered once; later flaps of the incident send only what is new', async () => {
    const world = makeWorld()
    await writeChannels(world.shell, STATE, [
      {id: 'a1', kind: 'webhook', target: 'http://127.0.0.1:9/hook', createdAt: '2026-03-01T09:00:00Z'},
    ])
    const sent: AlertPayload[] = []
    const sink = await hostAlertSink({
      shell: world.shell,
      stateDir: STATE,
      clock: world.clock,
      log: () => {},
      session: world.session,
      newId: world.deps.newId,
      transport: {send: async (_kind, _url, payload) => void sent.push(payload)},
      policy: () => policy,
    })
    let track: InstanceTrack | undefined
    let incidents = 0
    // Eight flaps, a minute apart: fail, fail, ok.
    const samples = Array.from({length: 8}, () => [obs(false), obs(false), obs(true)]).flat()
    for (const [index, sample] of samples.entries()) {
      const now = new Date(Date.parse('2026-03-01T10:00:00Z') + index * 20_000)
      const result = judge(track, sample, policy, now, () => `inc-${++incidents}`)
      track = result.track
      sink.notify(result.notes, now)
      await new Promise((resolve) => setImmediate(resolve))
      await sink.flush()
    }
    expect(incidents).toBe(1)
    expect(sent.map((payload) => `${payload.event}${payload.step ? `:${payload.step}` : ''}`)).toEqual([
      'down',
      'healing:restart',
      'recovered',
      'down', // "down again … (flapping)": the only second "down"
      'healing:restart',
      'recovered',
      // The third "down" is not sent; the step it brings is, and whether it worked.
      'healing:recreate',
      'recovered',
      'gave-up',
      'recovered', // after "gave up", a recovery is news again
      // Flaps 5 to 8: nothing new to say (the ladder is spent; the same "gave up", the same "recovered").
    ])
    expect(sent[3]!.message).toContain('flapping')
    expect(new Set(sent.map((payload) => payload.incident))).toEqual(new Set(['inc-1']))
  })
})
