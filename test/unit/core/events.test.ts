import {describe, expect, it} from 'vitest'
import type {EngineEvent} from '../../../src/core/engine-types.js'
import {
  engineEventToAims,
  eventToJson,
  isNoiseAction,
  lifecycleActionFor,
  lifecycleEventToAims,
  parseLifecycleLines,
  parseSince,
  SeenEvents,
  sortEvents,
  type LifecycleEvent,
} from '../../../src/core/events.js'
import {AimsError} from '../../../src/core/errors.js'

const managed = {
  'aims.managed': 'true',
  'aims.tenant': 'acme',
  'aims.instance': 'web',
  'aims.service': 'app',
  name: 'aims-acme-web-app',
}
const engineEvent = (
  action: string,
  attributes: Record<string, string> = managed,
  type = 'container',
): EngineEvent => ({type, action, id: 'c0ffee00112233445566', time: new Date('2025-01-31T12:00:00.123Z'), attributes})

const lifecycle: LifecycleEvent = {
  v: 1,
  id: 'e1',
  time: '2025-01-31T12:00:01.000Z',
  action: 'deploy-ready',
  tenant: 'acme',
  instance: 'web',
  message: 'fixture-web on port 51000',
  actor: 'me@laptop',
  origin: 'cli',
  host: 'vps',
}

describe('engine events', () => {
  it('keeps what people care about and names the container', () => {
    expect(engineEventToAims(engineEvent('start'))).toMatchObject({
      type: 'container',
      action: 'start',
      tenant: 'acme',
      instance: 'web',
      service: 'app',
      source: 'engine',
      message: 'container aims-acme-web-app start',
    })
    expect(engineEventToAims(engineEvent('die', {...managed, exitCode: '137'}))?.message).toBe(
      'aims-acme-web-app exited (exit code 137)',
    )
    expect(engineEventToAims(engineEvent('health_status: unhealthy'))?.message).toBe(
      'aims-acme-web-app is unhealthy (Docker health check)',
    )
    expect(engineEventToAims(engineEvent('oom'))?.message).toBe('aims-acme-web-app ran out of memory')
  })

  it('drops health-check execs and other noise, and containers aims does not manage', () => {
    for (const action of ['exec_create: wget -q localhost', 'exec_start: wget', 'exec_die', 'attach', 'resize', 'top'])
      expect(isNoiseAction(action)).toBe(true)
    expect(engineEventToAims(engineEvent('exec_start: wget -qO- localhost:8080'))).toBeUndefined()
    expect(engineEventToAims(engineEvent('start', {name: 'someone-elses'}))).toBeUndefined()
    expect(isNoiseAction('start')).toBe(false)
  })

  it('gives every event a key that identifies it for de-duplication', () => {
    const a = engineEventToAims(engineEvent('start'))!
    const b = engineEventToAims(engineEvent('start'))!
    const c = engineEventToAims(engineEvent('stop'))!
    expect(a.key).toBe(b.key)
    expect(a.key).not.toBe(c.key)
    expect(lifecycleEventToAims(lifecycle).key).toBe('aims:e1')
  })
})

describe('the --json line', () => {
  it('has exactly the documented keys, null where a field does not apply', () => {
    expect(eventToJson(lifecycleEventToAims(lifecycle))).toEqual({
      type: 'lifecycle',
      action: 'deploy-ready',
      tenant: 'acme',
      instance: 'web',
      service: null,
      time: '2025-01-31T12:00:01.000Z',
      source: 'aims',
      message: 'fixture-web on port 51000',
      actor: 'me@laptop',
    })
    expect(Object.keys(eventToJson(engineEventToAims(engineEvent('start'))!)).sort()).toEqual([
      'action',
      'instance',
      'message',
      'service',
      'source',
      'tenant',
      'time',
      'type',
    ])
  })
})

describe('the host events file', () => {
  it('parses good lines and skips anything malformed or out of shape', () => {
    const lines = [
      JSON.stringify(lifecycle),
      'not json',
      JSON.stringify({...lifecycle, id: 'e2', action: 'rm -rf'}),
      JSON.stringify({...lifecycle, id: 'e3', tenant: 'Bad Tenant'}),
      JSON.stringify({...lifecycle, id: 'e4', time: 'yesterday'}),
      JSON.stringify({...lifecycle, id: 'e5', message: 7}),
      JSON.stringify({...lifecycle, id: 'e6', action: 'health-changed', health: 'unhealthy', origin: 'evil'}),
      '',
      '{"id": "partial',
    ].join('\n')
    const events = parseLifecycleLines(lines)
    expect(events.map((event) => event.id)).toEqual(['e1', 'e6'])
    expect(events[1]).toMatchObject({health: 'unhealthy', origin: 'cli'})
  })

  it('maps each audited outcome to a lifecycle action', () => {
    expect(lifecycleActionFor('plug up', 'applied')).toBe('deploy-ready')
    expect(lifecycleActionFor('plug up', 'rolled-back')).toBe('deploy-rolled-back')
    expect(lifecycleActionFor('plug up', 'failed')).toBe('deploy-failed')
    expect(lifecycleActionFor('plug restart', 'applied')).toBe('restarted')
    expect(lifecycleActionFor('plug stop', 'failed')).toBe('stop-failed')
    expect(lifecycleActionFor('plug scale', 'applied')).toBe('scaled')
    expect(lifecycleActionFor('plug down', 'applied')).toBe('decommissioned')
    expect(lifecycleActionFor('plug down', 'declined')).toBeUndefined()
    expect(lifecycleActionFor('plug frobnicate', 'applied')).toBeUndefined()
  })
})

describe('--since', () => {
  const now = new Date('2025-01-31T12:00:00Z')
  it('reads durations and ISO times', () => {
    expect(parseSince('90s', now).toISOString()).toBe('2025-01-31T11:58:30.000Z')
    expect(parseSince('10m', now).toISOString()).toBe('2025-01-31T11:50:00.000Z')
    expect(parseSince('1h30m', now).toISOString()).toBe('2025-01-31T10:30:00.000Z')
    expect(parseSince('2d', now).toISOString()).toBe('2025-01-29T12:00:00.000Z')
    expect(parseSince('2025-01-31T08:00:00Z', now).toISOString()).toBe('2025-01-31T08:00:00.000Z')
  })

  it('refuses anything else as a usage error with a hint', () => {
    for (const bad of ['', 'yesterday', '10 minutes', '-5m', '1w']) {
      const error = (() => {
        try {
          parseSince(bad, now)
        } catch (thrown) {
          return thrown
        }
      })()
      expect(error, bad).toBeInstanceOf(AimsError)
      expect((error as AimsError).exitCode).toBe(2)
      expect((error as AimsError).hint).toMatch(/10m/)
    }
    expect(() => parseSince('2099-01-01T00:00:00Z', now)).toThrow(/in the future/)
  })
})

describe('ordering and de-duplication', () => {
  it('sorts by time and keeps the original order of equal times', () => {
    const at = (ms: number, action: string) => ({...lifecycleEventToAims(lifecycle), time: new Date(ms), action})
    expect(sortEvents([at(3, 'c'), at(1, 'a'), at(3, 'd'), at(2, 'b')]).map((event) => event.action)).toEqual([
      'a',
      'b',
      'c',
      'd',
    ])
  })

  it('offers each key once and forgets the oldest beyond its capacity', () => {
    const seen = new SeenEvents(3)
    expect(['a', 'b', 'a', 'c', 'd'].map((key) => seen.firstTime(key))).toEqual([true, true, false, true, true])
    // "a" was the oldest and is forgotten; "d" is remembered.
    expect(seen.firstTime('a')).toBe(true)
    expect(seen.firstTime('d')).toBe(false)
  })
})
