/**
 * The warden's loop runs every registered task (WARDEN_TASKS: the health sweep, the heartbeat,
 * scheduled backups, sandbox TTLs) on the fakes of the lifecycle (FakeSession/FakeEngine/FakeShell,
 * FakeClock); a task's failure is recorded in its status (and the heartbeat) and never stops the loop.
 */
import {describe, expect, it} from 'vitest'
import {DEFAULT_POLICY, type WardenPolicy} from '../../../../src/core/warden/policy.js'
import {sandboxSpecs} from '../../../../src/core/sandbox/sandbox.js'
import {schedulePath, type BackupSchedule} from '../../../../src/services/backup-schedule.js'
import {HistoryWriter} from '../../../../src/services/warden/history.js'
import {newRuntime, runWarden, type AlertSink, type WardenDeps} from '../../../../src/services/warden/loop.js'
import {WARDEN_TASKS} from '../../../../src/services/warden/tasks.js'
import {wardenPaths} from '../../../../src/services/warden/store.js'
import {makeWorld, type World} from '../../../support/lifecycle-fakes.js'

const STATE = '/var/lib/aims'

class QuietSink implements AlertSink {
  notes = 0
  notify(notes: unknown[]): void {
    this.notes += notes.length
  }
  notifyLifecycle(): void {}
  queued(): number {
    return 0
  }
  async flush(): Promise<void> {}
}

function wardenOf(world: World, policy: Partial<WardenPolicy> = {}) {
  const lines: string[] = []
  const deps: WardenDeps = {
    session: world.session,
    shell: world.shell,
    stateDir: STATE,
    clock: world.clock,
    newId: world.deps.newId,
    lifecycle: {...world.deps, origin: {kind: 'warden'} as never},
    history: new HistoryWriter(world.shell, STATE),
    alerts: new QuietSink(),
    gauge: {pid: 42, cpuMicros: () => 0, rssBytes: () => 50 * 1024 * 1024},
    version: '0.0.0-test',
    build: 'test',
    log: (line) => lines.push(line),
    readPolicy: async () => ({...DEFAULT_POLICY, ...policy}),
    runtime: newRuntime({...DEFAULT_POLICY, ...policy}, world.clock.now()),
  }
  return {deps, lines}
}

/** Runs the loop for `ms` of virtual time (the FakeClock's sleeps move it). */
async function runFor(deps: WardenDeps, ms: number): Promise<void> {
  const controller = new AbortController()
  const end = deps.clock.now().getTime() + ms
  const clock = deps.clock
  const ticking: WardenDeps = {
    ...deps,
    clock: {
      now: () => clock.now(),
      sleep: async (sleepMs, signal) => {
        await clock.sleep(sleepMs, signal)
        if (clock.now().getTime() >= end) controller.abort()
      },
    },
  }
  await runWarden(ticking, WARDEN_TASKS, controller.signal)
}

async function overdueSandbox(world: World, id: string, ttlSeconds: number): Promise<void> {
  world.engine.images.add('debian:bookworm-slim')
  const specs = sandboxSpecs(
    {id, tenant: 'wd', image: 'debian:bookworm-slim', ttlSeconds, nanoCpus: 1e9, memoryBytes: 1 << 29, pidsLimit: 64},
    {now: world.clock.now(), actor: 'me'},
  )
  await world.engine.createNetwork(specs.network)
  await world.engine.createContainer(specs.container)
  await world.engine.startContainer(specs.container.name)
}

function schedule(tenant: string, instance: string): BackupSchedule {
  return {
    version: 1,
    tenant,
    instance,
    every: '1h',
    everyMs: 3_600_000,
    keep: 3,
    createdAt: '2026-03-01T09:00:00.000Z',
    createdBy: 'me@laptop',
  }
}

describe('the warden loop runs the registered tasks', () => {
  it('registers health, heartbeat, backups and sandboxes', () => {
    expect(WARDEN_TASKS.map((task) => task.name)).toEqual([
      'health',
      'heartbeat',
      'backups',
      'sandboxes',
      'lifecycle-alerts',
    ])
  })

  it('expires a sandbox past its TTL and runs each task when due (every 60 s for backups and sandboxes)', async () => {
    const world = makeWorld()
    await overdueSandbox(world, 'sb-aaaaaaaa', 90)
    await overdueSandbox(world, 'sb-bbbbbbbb', 3600)
    const {deps, lines} = wardenOf(world, {interval: 30})
    await runFor(deps, 150_000)
    const names = (await world.engine.listContainers({all: true})).map((container) => container.name)
    expect(names).toEqual(['aims-sandbox-sb-bbbbbbbb'])
    expect(lines).toContain('sandboxes expired: sb-aaaaaaaa')
    const tasks = deps.runtime.tasks
    // At 0, 60 and 120 s (the loop stops at 150 s).
    expect(tasks.sandboxes?.runs).toBe(3)
    expect(tasks.backups?.runs).toBe(3)
    expect(tasks.health?.runs).toBe(5)
    for (const status of Object.values(tasks)) expect(status.lastError).toBeUndefined()
    // The heartbeat on the host carries every task's status.
    const beat = JSON.parse(world.shell.files.get(wardenPaths(STATE).heartbeat) ?? '{}') as {
      tasks: Record<string, {runs: number}>
    }
    expect(Object.keys(beat.tasks)).toEqual(expect.arrayContaining(['health', 'heartbeat', 'backups', 'sandboxes']))
  })

  it('a due backup whose instance is gone is one failed outcome, logged and on the schedule; the task succeeds', async () => {
    const world = makeWorld()
    const path = schedulePath(world.session.host.stateDir, {tenant: 'wd', instance: 'gone'})
    world.shell.files.set(path, JSON.stringify(schedule('wd', 'gone')))
    // FakeShell lists files only; the host's SFTP readdir lists the tenant directories too.
    const listDir = world.shell.listDir.bind(world.shell)
    const root = path.slice(0, path.lastIndexOf('/wd/'))
    world.shell.listDir = async (dir) => (dir === root ? ['wd'] : listDir(dir))
    const {deps, lines} = wardenOf(world)
    await runFor(deps, 5_000)
    expect(lines.some((line) => line.startsWith('backup wd/gone: failed ('))).toBe(true)
    const after = JSON.parse(world.shell.files.get(path) ?? '{}') as BackupSchedule
    expect(after.lastStatus).toBe('failed')
    expect(after.lastError).toBeTruthy()
    expect(deps.runtime.tasks.backups?.lastError).toBeUndefined()
  })

  it('a task that throws is recorded (status, heartbeat, log), the other tasks still run, the loop goes on', async () => {
    const world = makeWorld()
    await overdueSandbox(world, 'sb-cccccccc', 30)
    const root = `${world.session.host.stateDir}/backup-schedules`
    world.shell.failing.set(root, new Error('permission denied: backup-schedules'))
    const {deps, lines} = wardenOf(world, {interval: 30})
    await expect(runFor(deps, 130_000)).resolves.toBeUndefined()
    const backups = deps.runtime.tasks.backups
    expect(backups?.runs).toBe(3)
    expect(backups?.lastError).toContain('permission denied')
    expect(lines.filter((line) => line.startsWith('backups failed: '))).toHaveLength(3)
    expect(deps.runtime.tasks.sandboxes?.lastError).toBeUndefined()
    expect((await world.engine.listContainers({all: true})).map((container) => container.name)).toEqual([])
    const beat = JSON.parse(world.shell.files.get(wardenPaths(STATE).heartbeat) ?? '{}') as {
      tasks: Record<string, {lastError?: string}>
    }
    expect(beat.tasks.backups?.lastError).toContain('permission denied')
    // Once the cause is gone, the next run clears the error.
    world.shell.failing.delete(root)
    await runFor(deps, 61_000)
    expect(deps.runtime.tasks.backups?.lastError).toBeUndefined()
  })
})
