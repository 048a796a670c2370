import {describe, expect, it} from 'vitest'
import type {LifecycleEvent} from '../../../src/core/events.js'
import {
  healthBaseline,
  healthChangeMessage,
  healthChanges,
  instanceVerdict,
  type ServiceHealth,
} from '../../../src/core/health-report.js'

const service = (name: string, ok: boolean, detail: string, replica = 1): ServiceHealth => ({
  service: name,
  replica,
  container: `c-${name}`,
  state: 'running',
  ok,
  detail,
})
const event = (
  action: LifecycleEvent['action'],
  instance: string,
  extra: Partial<LifecycleEvent> = {},
): LifecycleEvent => ({
  v: 1,
  id: `${action}-${instance}-${Math.random()}`,
  time: new Date().toISOString(),
  action,
  tenant: 'acme',
  instance,
  message: '',
  actor: 'me',
  origin: 'cli',
  ...extra,
})

describe('instanceVerdict', () => {
  it('is healthy when every container runs and passes its probe', () => {
    expect(
      instanceVerdict('running', [
        service('web', true, 'HTTP 200 on /health'),
        service('db', true, 'TCP 5432 accepts connections'),
      ]),
    ).toEqual({health: 'healthy', detail: 'HTTP 200 on /health'})
  })
  it('names the first failing service', () => {
    expect(
      instanceVerdict('running', [service('web', true, 'ok'), service('web', false, 'HTTP 500 on /health', 2)]),
    ).toEqual({health: 'unhealthy', detail: 'web #2: HTTP 500 on /health'})
    expect(instanceVerdict('partial', [service('web', true, 'ok')])).toEqual({
      health: 'unhealthy',
      detail: 'instance is partial',
    })
  })
  it('calls an instance stopped on purpose stopped, not unhealthy', () => {
    expect(instanceVerdict('stopped', [service('web', false, 'container is exited')]).health).toBe('stopped')
  })
})

describe('health changes', () => {
  it('takes the last known health from the host events (a passed health gate counts as healthy)', () => {
    const baseline = healthBaseline([
      event('deploy-ready', 'a'),
      event('health-changed', 'b', {health: 'unhealthy'}),
      event('restarted', 'b'),
      event('health-changed', 'c', {health: 'unhealthy'}),
      event('deploy-ready', 'd'),
      event('decommissioned', 'd'),
    ])
    expect(Object.fromEntries(baseline)).toEqual({'acme/a': 'healthy', 'acme/b': 'healthy', 'acme/c': 'unhealthy'})
  })

  it('reports only definite changes, and a first sight is a baseline', () => {
    const known = new Map([['acme/a', 'healthy' as const]])
    const changes = healthChanges(known, [
      {tenant: 'acme', instance: 'a', health: 'unhealthy', detail: 'HTTP 500 on /health'},
      {tenant: 'acme', instance: 'b', health: 'healthy', detail: 'ok'},
      {tenant: 'acme', instance: 'c', health: 'starting', detail: 'not yet'},
    ])
    expect(changes).toEqual([
      {ref: 'acme/a', tenant: 'acme', instance: 'a', from: 'healthy', to: 'unhealthy', detail: 'HTTP 500 on /health'},
    ])
    expect(healthChangeMessage(changes[0]!)).toBe('health changed: healthy → unhealthy (HTTP 500 on /health)')
    // Watching on: b is now known; "stopped"/"starting" change nothing; a recovers.
    expect(
      healthChanges(known, [
        {tenant: 'acme', instance: 'b', health: 'stopped', detail: ''},
        {tenant: 'acme', instance: 'a', health: 'healthy', detail: 'HTTP 200'},
      ]).map((change) => `${change.ref}:${change.to}`),
    ).toEqual(['acme/a:healthy'])
    expect(
      healthChanges(known, [{tenant: 'acme', instance: 'b', health: 'unhealthy', detail: 'x'}]).map(
        (change) => change.from,
      ),
    ).toEqual(['healthy'])
  })
})
