import {describe, expect, it} from 'vitest'
import {heartbeatIsStale, wardenSummary} from '../../../../src/core/warden/summary.js'
import {heartbeatAt} from '../../../support/warden-heartbeat.js'

const NOW = Date.parse('2025-01-31T12:00:00Z')

describe('wardenSummary (the heartbeat as the dock shows it)', () => {
  it('absent without a heartbeat file or with one that has no time', () => {
    expect(wardenSummary(undefined, NOW)).toEqual({presence: 'absent', states: {}})
    expect(wardenSummary({at: 'yesterday'}, NOW)).toEqual({presence: 'absent', states: {}})
    expect(wardenSummary('not json', NOW)).toEqual({presence: 'absent', states: {}})
  })

  it('running with a recent heartbeat: last sweep, interval, every instance with its last action', () => {
    const summary = wardenSummary(heartbeatAt(NOW - 5000), NOW)
    expect(summary.presence).toBe('running')
    expect(summary.heartbeatAt).toBe(NOW - 5000)
    expect(summary.lastSweepAt).toBe(NOW - 17_000)
    expect(summary.intervalSeconds).toBe(30)
    expect(summary.states['acme/app-001']).toEqual({state: 'healthy'})
    expect(summary.states['acme/app-002']).toEqual({
      state: 'healing',
      lastAction: {step: 'restart', outcome: 'applied', at: '2025-01-31T11:59:50.000Z'},
    })
    expect(Object.keys(summary.states)).toHaveLength(4)
  })

  it('stale after three intervals (at least 30 s) without a heartbeat', () => {
    expect(wardenSummary(heartbeatAt(NOW - 89_000), NOW).presence).toBe('running')
    expect(wardenSummary(heartbeatAt(NOW - 91_000), NOW).presence).toBe('stale')
    // A 2 s interval: stale after 30 s, not 6 s (a slow sweep is not a dead warden).
    expect(wardenSummary(heartbeatAt(NOW - 20_000, {intervalSeconds: 2}), NOW).presence).toBe('running')
    expect(wardenSummary(heartbeatAt(NOW - 31_000, {intervalSeconds: 2}), NOW).presence).toBe('stale')
    expect(heartbeatIsStale(91, undefined)).toBe(true)
    expect(heartbeatIsStale(89, undefined)).toBe(false)
  })

  it('drops malformed instance entries (the file is untrusted)', () => {
    const beat = {
      ...heartbeatAt(NOW),
      states: {'a/ok': {state: 'down'}, 'a/bad': {since: 'x'}, 'a/null': null, 'a/action': {state: 'x', lastAction: 3}},
    }
    expect(wardenSummary(beat, NOW).states).toEqual({'a/ok': {state: 'down'}, 'a/action': {state: 'x'}})
  })
})
