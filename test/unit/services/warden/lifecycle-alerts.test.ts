/**
 * Lifecycle events to the alert channels (policy alert-on): the warden's task reads the host's events
 * file (the real reading script, run locally on a scratch state dir) from where it stopped.
 */
import {appendFileSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import type {LifecycleAction, LifecycleEvent} from '../../../../src/core/events.js'
import {lifecycleAlertPayloads, type AlertPayload} from '../../../../src/core/warden/alerts.js'
import {DEFAULT_POLICY, setPolicyKey} from '../../../../src/core/warden/policy.js'
import {eventsPath} from '../../../../src/services/lifecycle-events.js'
import {hostAlertSink, writeChannels} from '../../../../src/services/warden/alert-sink.js'
import {newRuntime, type AlertSink, type WardenDeps} from '../../../../src/services/warden/loop.js'
import {lifecycleAlerts} from '../../../../src/services/warden/tasks.js'
import {hostWithStateDir, localShell} from '../../../support/dock-fakes.js'
import {makeWorld} from '../../../support/lifecycle-fakes.js'

const scratch = mkdtempSync(join(tmpdir(), 'aims-warden-lifecycle-'))
afterAll(() => rmSync(scratch, {recursive: true, force: true}))

let ids = 0
const event = (action: LifecycleAction, instance = 'web', message = action): LifecycleEvent => ({
  v: 1,
  id: `e${++ids}`,
  time: '2026-03-01T10:00:00.000Z',
  action,
  tenant: 'wd',
  instance,
  message,
  actor: 'me@laptop',
  origin: 'cli',
})
const line = (value: LifecycleEvent) => `${JSON.stringify(value)}\n`

describe('lifecycleAlertPayloads', () => {
  it('keeps the actions alert-on names, with a severity by outcome', () => {
    const events = [
      event('deploy-ready'),
      event('deploy-failed'),
      event('scaled'),
      event('decommissioned'),
      event('upgrade-rolled-back'),
      event('backup-failed'),
      event('health-changed'),
      event('started'),
    ]
    const payloads = lifecycleAlertPayloads(events, ['deploy', 'rolled-back', 'backup-failed'], 'vps')
    expect(payloads.map((payload) => [payload.event, payload.severity])).toEqual([
      ['deploy-ready', 'info'],
      ['deploy-failed', 'critical'],
      ['upgrade-rolled-back', 'warning'],
      ['backup-failed', 'critical'],
    ])
    expect(payloads[0]).toEqual({
      v: 1,
      event: 'deploy-ready',
      severity: 'info',
      host: 'vps',
      instance: 'wd/web',
      message: 'wd/web on vps: deploy-ready by me@laptop: deploy-ready',
      time: '2026-03-01T10:00:00.000Z',
    })
    expect(lifecycleAlertPayloads(events, [], 'vps')).toEqual([])
  })

  it('alert-on takes the documented names only', () => {
    expect(setPolicyKey(DEFAULT_POLICY, 'alert-on', 'deploy,scale').alertOn).toEqual(['deploy', 'scale'])
    expect(setPolicyKey(DEFAULT_POLICY, 'alert-on', '-').alertOn).toEqual([])
    expect(() => setPolicyKey(DEFAULT_POLICY, 'alert-on', 'deploy,reboot')).toThrow(
      /invalid value .*reboot.* for alert-on/,
    )
  })
})

describe('the lifecycle-alerts task', () => {
  it('starts at the end of the file (no replay), then sends what alert-on names, once', async () => {
    const stateDir = join(scratch, 'task')
    rmSync(stateDir, {recursive: true, force: true})
    const world = makeWorld()
    world.session.host = hostWithStateDir(stateDir)
    const {mkdirSync} = await import('node:fs')
    mkdirSync(stateDir, {recursive: true})
    writeFileSync(eventsPath(stateDir), line(event('deploy-ready', 'old')))
    const told: AlertPayload[] = []
    const sink: AlertSink = {
      notify: () => {},
      notifyLifecycle: (payloads) => void told.push(...payloads),
      queued: () => 0,
      flush: async () => {},
    }
    const deps = {
      session: world.session,
      shell: localShell(),
      alerts: sink,
      runtime: newRuntime(DEFAULT_POLICY, world.clock.now()),
    } as unknown as WardenDeps
    const now = world.clock.now()
    await lifecycleAlerts(deps, now)
    expect(deps.runtime.lifecycleOffset).toBeUndefined() // alert-on empty: nothing read
    deps.runtime.policy = setPolicyKey(DEFAULT_POLICY, 'alert-on', 'deploy,backup-failed')
    await lifecycleAlerts(deps, now)
    expect(told).toEqual([])
    appendFileSync(
      eventsPath(stateDir),
      [event('deploy-ready'), event('scaled'), event('backup-failed', 'db'), event('health-changed')]
        .map(line)
        .join(''),
    )
    await lifecycleAlerts(deps, now)
    expect(told.map((payload) => `${payload.event} ${payload.instance}`)).toEqual([
      'deploy-ready wd/web',
      'backup-failed wd/db',
    ])
    await lifecycleAlerts(deps, now)
    expect(told).toHaveLength(2)
  })

  it('the host sink sends them to every channel, throttled per instance', async () => {
    const world = makeWorld()
    await writeChannels(world.shell, '/var/lib/aims', [
      {id: 'a1', kind: 'webhook', target: 'http://127.0.0.1:9/hook', createdAt: '2026-03-01T09:00:00Z'},
      {id: 'a2', kind: 'ntfy', target: 'http://127.0.0.1:9/topic', createdAt: '2026-03-01T09:00:00Z'},
    ])
    const sent: Array<[string, string]> = []
    const sink = await hostAlertSink({
      shell: world.shell,
      stateDir: '/var/lib/aims',
      clock: world.clock,
      log: () => {},
      session: world.session,
      newId: world.deps.newId,
      transport: {send: async (kind, _url, payload) => void sent.push([kind, payload.event])},
      policy: () => ({...DEFAULT_POLICY, alertsPerHour: 2}),
    })
    const payloads = lifecycleAlertPayloads(
      [event('deploy-ready'), event('deploy-failed'), event('deploy-ready')],
      ['deploy'],
      'vps',
    )
    sink.notifyLifecycle(payloads, world.clock.now())
    await new Promise((resolve) => setImmediate(resolve))
    await sink.flush()
    expect(sent).toEqual([
      ['webhook', 'deploy-ready'],
      ['ntfy', 'deploy-ready'],
      ['webhook', 'deploy-failed'],
      ['ntfy', 'deploy-failed'],
    ])
  })
})
