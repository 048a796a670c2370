/**
 * The dock across an engine restart: dockerd stops while the dock is open →
 * the stale badge; dockerd comes back → live again and resynced, without
 * restarting the dock. Stopping dockerd disturbs everyone on the shared bed:
 * the window is kept short and dockerd is restored whatever happens.
 */
import {execFile} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {aims, aimsEnv, bed, BIN, homeWithHost, ROOT} from '../support/aims.js'
import {dockerAnswers, restoreBedDockerd, stopBedDockerd} from '../support/dockerd.js'
import {purgeTenant} from '../support/engine.js'
import {TmuxPane} from '../support/tmux.js'

const run = promisify(execFile)
const TENANT = 'dock-rc-e2e'
const FIXTURES = join(ROOT, 'test', 'fixtures', 'plugs')
let home: string
let pane: TmuxPane

beforeAll(async () => {
  await restoreBedDockerd()
  await purgeTenant(TENANT)
  home = await homeWithHost()
  const up = await aims(['plug', 'up', 'fixture-web', '--name', 'web', '--tenant', TENANT, '--yes'], {
    home,
    env: {AIMS_CATALOG_PATH: FIXTURES},
  })
  expect(up.code, up.stderr).toBe(0)
  pane = new TmuxPane({
    socket: 'aims-dock-test',
    session: 'dock-rc',
    width: 100,
    height: 30,
    env: aimsEnv({home, env: {AIMS_CATALOG_PATH: FIXTURES, CI: undefined, NO_COLOR: undefined, TERM: 'tmux-256color'}}),
    cwd: ROOT,
  })
})

afterAll(async () => {
  await restoreBedDockerd()
  pane?.report(join(tmpdir(), 'aims-dock-reconnect-e2e'))
  await pane?.kill()
  await purgeTenant(TENANT)
}, 180_000)

/** The local ports of a process's established connections to the bed's sshd. */
async function sshPortsOf(pid: number): Promise<number[]> {
  const {stdout} = await run('ss', ['-tnpH', 'state', 'established', `( dport = :${bed().sshPort} )`])
  return stdout
    .split('\n')
    .filter((line) => line.includes(`pid=${pid},`))
    .map((line) => Number(/:(\d+)\s+\S+:\d+\s/.exec(line)?.[1]))
    .filter((port) => port > 0)
}

/** The sshd processes serving the connection from a local port. */
async function sshdServing(port: number): Promise<number[]> {
  const {stdout} = await run('ss', [
    '-tnpH',
    'state',
    'established',
    `( sport = :${bed().sshPort} and dport = :${port} )`,
  ])
  return [...stdout.matchAll(/pid=(\d+)/g)].map((match) => Number(match[1]))
}

describe('the dock when its SSH connection drops', () => {
  it('goes stale, logs in again by itself and is live again', async () => {
    await pane.start([process.execPath, BIN, 'dock', '--tenant', TENANT])
    await pane.waitFor(
      (screen) => /● live/.test(screen) && /dock-rc-e2e\/web\s+fixture-web\s+running/.test(screen),
      20_000,
    )
    const panePid = Number(
      (
        await run('tmux', ['-L', 'aims-dock-test', 'display-message', '-p', '-t', 'dock-rc', '#{pane_pid}'])
      ).stdout.trim(),
    )
    const children = (await run('pgrep', ['-P', String(panePid)]).catch(() => ({stdout: ''}))).stdout
      .split('\n')
      .filter(Boolean)
      .map(Number)
    const dockPid = children.find((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('dock')) ?? panePid
    const [before] = await sshPortsOf(dockPid)
    expect(before, 'the dock holds one SSH connection').toBeGreaterThan(0)
    // Only this dock's own connection is cut: its sshd process on the server side.
    for (const pid of await sshdServing(before!)) process.kill(pid, 'SIGTERM')
    const stale = await pane.waitFor(/◌ stale/, 30_000)
    await pane.keep('ssh-dropped', stale.screen)
    const again = await pane.waitFor(
      (screen) => /● live/.test(screen) && /dock-rc-e2e\/web\s+fixture-web\s+running/.test(screen),
      30_000,
    )
    await pane.keep('ssh-live-again', again.screen)
    const after = await sshPortsOf(dockPid)
    expect(after).toHaveLength(1)
    expect(after[0]).not.toBe(before)
    await pane.send('q')
    expect(await pane.waitForExit(10_000)).toBe(0)
    await pane.kill()
  })
})

describe('the dock when the engine restarts', () => {
  it('shows stale while dockerd is down and comes back live by itself', async () => {
    await pane.start([process.execPath, BIN, 'dock', '--tenant', TENANT])
    const live = await pane.waitFor(
      (screen) => /● live/.test(screen) && /dock-rc-e2e\/web\s+fixture-web\s+running/.test(screen),
      20_000,
    )
    await pane.keep('live', live.screen)

    const stopping = Date.now()
    let backAt: number
    try {
      await stopBedDockerd()
      const stale = await pane.waitFor(/◌ stale/, 15_000)
      console.log(`[dock e2e] stale ${stale.at - stopping} ms after dockerd was asked to stop`)
      await pane.keep('stale', stale.screen)
      expect(stale.screen).toMatch(/retry in \d+s/)
    } finally {
      await restoreBedDockerd()
      backAt = Date.now()
    }
    expect(await dockerAnswers()).toBe(true)
    // The same dock process reconnects (backoff ≤ 8 s) and resyncs: the instance is back (restart policy).
    const again = await pane.waitFor(
      (screen) => /● live/.test(screen) && /dock-rc-e2e\/web\s+fixture-web\s+running/.test(screen),
      30_000,
    )
    console.log(
      `[dock e2e] live again ${again.at - backAt} ms after dockerd answered; engine down ${backAt - stopping} ms`,
    )
    await pane.keep('live-again', again.screen)
    expect(pane.exitCode()).toBeUndefined()

    await pane.send('q')
    expect(await pane.waitForExit(10_000)).toBe(0)
    expect(await pane.info()).toMatchObject({alternate: false, cursorVisible: true})
  })
})
