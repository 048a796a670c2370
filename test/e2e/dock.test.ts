/**
 * `aims dock` in a real terminal (tmux, 100x30) against the bed: it follows a
 * deploy made by another process, restarts an instance after an inline
 * confirmation, refuses a decommission without the typed name, and quits
 * leaving the terminal as it was. The engine is checked directly.
 */
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {aims, aimsEnv, BIN, homeWithHost, ROOT} from '../support/aims.js'
import {docker, purgeTenant} from '../support/engine.js'
import {TmuxPane} from '../support/tmux.js'

const TENANT = 'dock-e2e'
const CONTAINER = `aims-${TENANT}-web-web`
const FIXTURES = join(ROOT, 'test', 'fixtures', 'plugs')
const OUTPUT = join(tmpdir(), 'aims-dock-e2e')

let home: string
let pane: TmuxPane

const startedAt = async () => (await docker(['inspect', '--format', '{{.State.StartedAt}}', CONTAINER])).trim()
const exists = async () =>
  (await docker(['ps', '-a', '--filter', `name=^${CONTAINER}$`, '--format', '{{.Names}}'])).trim() === CONTAINER
/** The row of an instance on the screen, and its uptime in seconds (from the UP column). */
const rowOf = (screen: string) =>
  screen.split('\n').find((line) => line.includes(`${TENANT}/web`) && /running|stopped|created/.test(line)) ?? ''
const uptimeSeconds = (row: string) => {
  const match = /\s(\d+)s\s/.exec(row) ?? /\s(\d+)m\s/.exec(row)
  if (!match) return Number.NaN
  return row.includes(`${match[1]}m`) ? Number(match[1]) * 60 : Number(match[1])
}

beforeAll(async () => {
  await purgeTenant(TENANT)
  home = await homeWithHost()
  const env = aimsEnv({
    home,
    env: {AIMS_CATALOG_PATH: FIXTURES, CI: undefined, NO_COLOR: undefined, TERM: 'tmux-256color'},
  })
  pane = new TmuxPane({socket: 'aims-dock-test', session: 'dock', width: 100, height: 30, env, cwd: ROOT})
  await pane.kill()
})

afterAll(async () => {
  pane?.report(OUTPUT)
  await pane?.kill()
  await purgeTenant(TENANT)
})

describe('aims dock in a terminal', () => {
  it('follows a deploy, restarts after confirming, refuses an unconfirmed down, and quits cleanly', async () => {
    await pane.start([process.execPath, BIN, 'dock', '--tenant', TENANT])
    const opened = await pane.waitFor(/● live[\s\S]*nothing deployed for tenant dock-e2e yet/, 20_000)
    await pane.keep('open-empty', opened.screen)
    // Full screen: the alternate screen, the cursor hidden.
    expect(await pane.info()).toMatchObject({dead: false, alternate: true, cursorVisible: false})

    // Another process deploys; the row appears from the engine's events.
    const deploy = aims(['plug', 'up', 'fixture-web', '--name', 'web', '--tenant', TENANT, '--yes', '--json'], {
      home,
      env: {AIMS_CATALOG_PATH: FIXTURES},
    })
    let created = 0
    while (!created) {
      if (await exists()) created = Date.now()
      else await new Promise((resolve) => setTimeout(resolve, 25))
    }
    const appeared = await pane.waitFor((screen) => rowOf(screen) !== '', 10_000, 25)
    const latencyMs = appeared.at - created
    console.log(`[dock e2e] row appeared ${latencyMs} ms after the container was created`)
    expect(latencyMs).toBeLessThan(3000)
    const up = await deploy
    expect(up.code, up.stderr).toBe(0)
    const ready = await pane.waitFor(
      (screen) => /running\s+healthy/.test(rowOf(screen)) && /deploy-ready/.test(screen),
      20_000,
    )
    await pane.keep('deployed-by-another-process', ready.screen)

    // Resized to 80x24 it reflows (the URL column goes, nothing wider than 80); back to 100x30 it returns.
    await pane.resize(80, 24)
    const small = await pane.waitFor(
      (screen) =>
        !/ URL\s*$/m.test(screen) &&
        /TENANT\/INSTANCE/.test(screen) &&
        screen.split('\n').every((line) => line.length <= 80),
      5000,
    )
    await pane.keep('resized-80x24', small.screen)
    expect(small.screen.trimEnd().split('\n').length).toBeLessThanOrEqual(24)
    expect(small.screen).toMatch(/› dock-e2e\/web +fixture\S* +running +healthy/)
    await pane.resize(100, 30)
    await pane.waitFor(/ URL\s*$/m, 5000)

    // r: the plan inline, y applies; the engine's StartedAt moves and the uptime resets.
    const before = await startedAt()
    await pane.waitFor((screen) => uptimeSeconds(rowOf(screen)) >= 4, 20_000, 200)
    const uptimeBefore = uptimeSeconds(rowOf(await pane.capture()))
    await pane.send('r')
    const confirm = await pane.waitFor(
      /Plan: Restart dock-e2e\/web \(fixture-web\) on vps[\s\S]*y \/ enter: apply/,
      5000,
    )
    await pane.keep('restart-confirmation', confirm.screen)
    expect(await startedAt()).toBe(before)
    await pane.send('y')
    const restarted = await pane.waitFor(/✓ restarted dock-e2e\/web/, 30_000)
    const after = await startedAt()
    expect(Date.parse(after)).toBeGreaterThan(Date.parse(before))
    const settled = await pane.waitFor(
      (screen) => /running\s+healthy/.test(rowOf(screen)) && uptimeSeconds(rowOf(screen)) < uptimeBefore,
      10_000,
    )
    await pane.keep('restarted', settled.screen)
    expect(restarted.screen).toMatch(/restarted: HTTP 200 on \/health|container aims-dock-e2e-web-web restart/)

    // The audit log says it came from the dock, as the command the key press amounts to.
    const audit = await aims(['audit', '--json'], {home})
    expect(audit.json().records.at(-1)).toMatchObject({
      action: 'plug restart',
      target: 'dock-e2e/web',
      outcome: 'applied',
      origin: 'dock',
      command: 'plug restart dock-e2e/web',
    })

    // d: typing a wrong name, or esc, changes nothing.
    await pane.send('d')
    await pane.waitFor(/Type the instance name \(web\) and press enter:/, 5000)
    await pane.send('wrong', {literal: true})
    const typed = await pane.waitFor(/press enter: wrong/, 5000)
    await pane.keep('down-wrong-name', typed.screen)
    await pane.send('Enter')
    const refused = await pane.waitFor(/not confirmed: you typed "wrong", not "web" — nothing was changed/, 10_000)
    await pane.keep('down-refused', refused.screen)
    expect(await exists()).toBe(true)
    await pane.send('d')
    await pane.waitFor(/Type the instance name \(web\)/, 5000)
    await pane.send('Escape')
    await pane.waitFor(/not confirmed — nothing was changed/, 10_000)
    expect(await exists()).toBe(true)
    expect(await startedAt()).toBe(after)

    // q: exit 0, the alternate screen left, the cursor back.
    await pane.send('q')
    expect(await pane.waitForExit(10_000)).toBe(0)
    await pane.keep('after-quit')
    expect(await pane.info()).toMatchObject({status: 0, alternate: false, cursorVisible: true, width: 100, height: 30})
    expect(await pane.capture()).not.toMatch(/aims dock/)
  })
})

describe('aims dock outside a terminal', () => {
  it('refuses with exit 2 and points at the script-friendly commands', async () => {
    const result = await aims(['dock'], {home: home ?? (await homeWithHost())})
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/aims dock needs a terminal .* aims plug ls, aims stats or aims events --follow/)
  })
})
