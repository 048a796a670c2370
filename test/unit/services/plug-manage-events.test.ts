/**
 * The lifecycle services record aims' lifecycle events next to their audit
 * records (the writer comes in through deps; absent, nothing is recorded).
 */
import {instanceRef} from '../../../src/core/names.js'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import type {LifecycleEvent} from '../../../src/core/events.js'
import type {AuditRecord} from '../../../src/services/audit.js'
import {changeState} from '../../../src/services/plug-manage.js'
import type {HostShell, LifecycleDeps} from '../../../src/services/ports.js'
import {details, fakeEngine, fakeSession, hostWithStateDir, localShell, summary} from '../../support/dock-fakes.js'

const INFO = {
  name: 'vps',
  storageDriver: 'overlay2',
  memTotalBytes: 8 * 1024 ** 3,
  cpus: 4,
  dockerRootDir: '/var/lib/docker',
  containers: 1,
  swarm: false,
  warnings: [],
}
const scratch = mkdtempSync(join(tmpdir(), 'aims-manage-events-'))
afterAll(() => rmSync(scratch, {recursive: true, force: true}))

function deps(options: {recorded?: LifecycleEvent[]; restart?: () => Promise<void>}): LifecycleDeps {
  const container = summary('acme', 'web', {id: 'w1'})
  const engine = fakeEngine({
    listContainers: async () => [container],
    restartContainer: options.restart ?? (async () => undefined),
    inspectContainer: async () => details(container),
    // What a restart's gates read (quota, capacity, cost: the same as plug up's).
    version: async () => ({version: '24.0.7', apiVersion: '1.43', os: 'linux', arch: 'amd64'}),
    info: async () => ({...INFO}),
    listNetworks: async () => [],
    listVolumes: async () => [],
  })
  const shell = localShell()
  const gateShell = Object.assign(Object.create(shell) as HostShell, {
    listDir: async () => [],
    diskFree: async () => ({freeBytes: 100 * 1024 ** 3, totalBytes: 200 * 1024 ** 3}),
  })
  const session = {
    ...fakeSession({engine, shell: gateShell, host: hostWithStateDir(join(scratch, 'state'))}),
    lock: async () => ({release: async () => undefined}),
  }
  const audit: AuditRecord[] = []
  let ids = 0
  return {
    session,
    clock: {now: () => new Date('2025-01-31T12:00:00Z'), sleep: async () => undefined},
    newId: () => `id-${++ids}`,
    actor: 'me@laptop',
    audit: {append: async (record) => void audit.push(record), list: async () => audit},
    approver: {show: () => undefined, decide: async () => 'apply'},
    progress: () => undefined,
    origin: {kind: 'dock'},
    ...(options.recorded ? {recordEvent: async (event: LifecycleEvent) => void options.recorded!.push(event)} : {}),
  }
}

describe('lifecycle events from plug-manage', () => {
  it('a restart records "restarted" with the health detail, stamped with the origin', async () => {
    const recorded: LifecycleEvent[] = []
    await changeState(deps({recorded}), instanceRef('acme', 'web'), 'restart')
    expect(recorded).toHaveLength(1)
    expect(recorded[0]).toMatchObject({
      action: 'restarted',
      tenant: 'acme',
      instance: 'web',
      message: 'running',
      origin: 'dock',
      actor: 'me@laptop',
      host: 'vps',
    })
  })

  it('a failed restart records "restart-failed"', async () => {
    const recorded: LifecycleEvent[] = []
    await expect(
      changeState(
        deps({recorded, restart: () => Promise.reject(new Error('engine said no'))}),
        instanceRef('acme', 'web'),
        'restart',
      ),
    ).rejects.toThrow(/engine said no/)
    expect(recorded.map((event) => [event.action, event.message])).toEqual([['restart-failed', 'engine said no']])
  })

  it('without a writer nothing is recorded and nothing breaks', async () => {
    await expect(changeState(deps({}), instanceRef('acme', 'web'), 'restart')).resolves.toMatchObject({
      status: 'applied',
    })
  })
})
