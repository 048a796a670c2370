/**
 * Issue 11, round 2, through the real binary on the bed: kept data listed and removable,
 * and the other rough edges of a new user's tour.
 */
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {aims, homeWithHost, ROOT} from '../support/aims.js'
import {aimsObjects, purgeTenant} from '../support/engine.js'
import {openTerminal, type Terminal} from '../support/terminal.js'

const TENANT = 'nc-tour2'
const env = {AIMS_CATALOG_PATH: join(ROOT, 'test', 'fixtures', 'plugs')}
let home: string
const terminals: Terminal[] = []
const run = (args: string[], extra: Record<string, string> = {}) => aims(args, {home, env: {...env, ...extra}})

beforeAll(async () => {
  await purgeTenant(TENANT)
  home = await homeWithHost()
})
afterAll(async () => {
  for (const terminal of terminals) terminal.close()
  await purgeTenant(TENANT)
})

describe('plug down --keep-data', () => {
  it('the kept volume is listed by plug ls --kept and deleted by plug down after the typed name', async () => {
    const up = await run(['plug', 'up', 'fixture-web', '--name', 'keep', '--tenant', TENANT, '--yes'])
    expect(up.code, up.stderr).toBe(0)
    const down = await run(['plug', 'down', `${TENANT}/keep`, '--keep-data', '--yes'])
    expect(down.code, down.stderr).toBe(0)
    expect(down.stdout).toMatch(/kept \S+ \(list: aims plug ls --kept; delete: aims plug down nc-tour2\/keep\)/)
    const volumes = (await aimsObjects({'aims.tenant': TENANT, 'aims.instance': 'keep'})).volumes
    expect(volumes).toHaveLength(1)

    const listed = await run(['plug', 'ls', '--kept', '--tenant', TENANT])
    expect(listed.code, listed.stderr).toBe(0)
    expect(listed.stdout).toMatch(/TENANT\s+INSTANCE\s+PLUG\s+VOLUMES\s+KEPT SINCE/)
    expect(listed.stdout).toMatch(new RegExp(`nc-tour2\\s+keep\\s+fixture-web\\s+${volumes[0]}`))
    const json = await run(['plug', 'ls', '--kept', '--tenant', TENANT, '--json'])
    expect(json.json()).toMatchObject({kept: [{ref: `${TENANT}/keep`, plug: 'fixture-web', volumes}]})
    // The plain listing is unchanged: kept data is not an instance.
    const ps = await run(['ps', '--tenant', TENANT, '--no-probe', '--json'])
    expect(ps.json().instances).toEqual([])

    // Without a terminal or --yes: not confirmed (exit 3), the data stays.
    const unconfirmed = await run(['plug', 'down', `${TENANT}/keep`])
    expect(unconfirmed.code).toBe(3)
    expect((await aimsObjects({'aims.tenant': TENANT, 'aims.instance': 'keep'})).volumes).toEqual(volumes)

    // On a terminal: a wrong name keeps it, the typed name deletes it.
    const wrong = openTerminal(['plug', 'down', `${TENANT}/keep`], {home, env})
    terminals.push(wrong)
    await wrong.waitFor(/Type the instance name \(keep\) to confirm/)
    expect(wrong.screen()).toMatch(/Remove the kept data of nc-tour2\/keep/)
    wrong.type('kee')
    wrong.press('Enter')
    expect(await wrong.exitCode()).toBe(3)
    expect((await aimsObjects({'aims.tenant': TENANT, 'aims.instance': 'keep'})).volumes).toEqual(volumes)
    const right = openTerminal(['plug', 'down', `${TENANT}/keep`], {home, env})
    terminals.push(right)
    await right.waitFor(/Type the instance name \(keep\) to confirm/)
    right.type('keep')
    right.press('Enter')
    expect(await right.exitCode()).toBe(0)
    expect(right.screen()).toMatch(/nc-tour2\/keep is gone: 0 containers, 1 volume, 0 networks removed/)
    expect((await aimsObjects({'aims.tenant': TENANT, 'aims.instance': 'keep'})).volumes).toEqual([])
    const after = await run(['plug', 'ls', '--kept', '--tenant', TENANT])
    expect(after.stdout).toBe(`No kept data on vps for tenant ${TENANT}.\n`)
  })
})

describe('config get shows the effective defaults; catalog.paths as a list', () => {
  it('unset keys show their default, marked; a set key shows its value; --json tells them apart', async () => {
    const list = await run(['config', 'get'])
    expect(list.code, list.stderr).toBe(0)
    expect(list.stdout).toMatch(/tiers\.starter\.instances\s+5 \(default\)/)
    expect(list.stdout).toMatch(/tiers\.pro\.memory\s+16g \(default\)/)
    expect(list.stdout).toMatch(/prices\.cpu-monthly\s+4 \(default\)/)
    expect((await run(['config', 'get', 'prices.currency'])).stdout).toBe('USD (default)\n')

    expect((await run(['config', 'set', 'prices.currency', 'EUR'])).code).toBe(0)
    const after = await run(['config', 'get'])
    expect(after.stdout).toMatch(/prices\.currency\s+EUR\n/)
    expect(after.stdout).not.toMatch(/prices\.currency\s+USD/)
    const json = (await run(['config', 'get', '--json'])).json()
    expect(json.preferences).toMatchObject({'prices.currency': 'EUR'})
    expect(json.defaults).toMatchObject({'prices.cpu-monthly': 4, 'tiers.free.instances': 2})
    expect(json.defaults['prices.currency']).toBeUndefined()
    expect((await run(['config', 'get', 'tiers.free.cpus', '--json'])).json()).toEqual({
      key: 'tiers.free.cpus',
      value: 1,
      source: 'default',
    })
  })

  it('catalog.paths \'["/dir"]\' is the list of one directory; a broken list is refused and nothing stored', async () => {
    const dir = join(ROOT, 'test', 'fixtures', 'plugs')
    const set = await run(['config', 'set', 'catalog.paths', JSON.stringify([dir])])
    expect(set.code, set.stderr).toBe(0)
    expect((await run(['config', 'get', 'catalog.paths', '--json'])).json()).toMatchObject({value: [dir]})
    // The directory is really read: a fixture plug is in the catalog without AIMS_CATALOG_PATH.
    const catalog = await aims(['catalog', 'ls', '--json'], {home})
    expect(catalog.code, catalog.stderr).toBe(0)
    expect(JSON.stringify(catalog.json())).toContain('fixture-web')

    const bad = await run(['config', 'set', 'catalog.paths', `["${dir}"`])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/invalid value for catalog\.paths: .* is not a JSON list/)
    expect(bad.stderr).toMatch(/\["\/srv\/plugs"\]/)
    expect((await run(['config', 'get', 'catalog.paths', '--json'])).json()).toMatchObject({value: [dir]})
  })
})

describe('a wait on a host lock says why', () => {
  it('names the other aims holding the lock (pid, machine, what, since) and how to cancel', async () => {
    const {mkdtempSync, writeFileSync, readFileSync} = await import('node:fs')
    const {tmpdir, hostname} = await import('node:os')
    const {spawn} = await import('node:child_process')
    const catalog = mkdtempSync(join(tmpdir(), 'nc-lock-catalog-'))
    // fixture-web whose container ignores SIGTERM for a while: a stop holds the instance lock ~4 s.
    const web = readFileSync(join(ROOT, 'test', 'fixtures', 'plugs', 'fixture-web.yaml'), 'utf8')
    writeFileSync(
      join(catalog, 'fixture-slowstop.yaml'),
      web
        .replace('id: fixture-web', 'id: fixture-slowstop')
        .replace(
          '    resources:',
          `    stop_grace_seconds: 4\n    entrypoint: [sh, -c, "trap '' TERM; exec /bin/web"]\n    resources:`,
        ),
    )
    const lockEnv = {AIMS_CATALOG_PATH: catalog}
    const up = await run(['plug', 'up', 'fixture-slowstop', '--name', 'lockd', '--tenant', TENANT, '--yes'], lockEnv)
    expect(up.code, up.stderr).toBe(0)
    const {aimsEnv, COMMAND} = await import('../support/aims.js')
    const first = spawn(COMMAND, ['plug', 'stop', `${TENANT}/lockd`, '--yes'], {
      cwd: ROOT,
      env: aimsEnv({home, env: {...env, ...lockEnv}}),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const firstDone = new Promise<number | null>((resolve) => first.on('close', resolve))
    let firstErr = ''
    first.stderr.on('data', (chunk: Buffer) => (firstErr += chunk.toString()))
    // The second starts once the first holds the lock (it says "stopping …").
    for (let i = 0; i < 100 && !firstErr.includes('stopping'); i++) await new Promise((r) => setTimeout(r, 50))
    expect(firstErr).toMatch(/stop: stopping/)
    const started = Date.now()
    const second = await run(['plug', 'restart', `${TENANT}/lockd`, '--yes'], lockEnv)
    expect(await firstDone).toBe(0)
    expect(second.code, second.stderr).toBe(0)
    expect(Date.now() - started).toBeGreaterThan(2000)
    const pid = String(first.pid)
    expect(second.stderr).toMatch(
      new RegExp(
        `lock: waiting for another aims process \\([^,]+, pid ${pid} on ${hostname()}: changing ${TENANT}/lockd, ` +
          `since \\d\\d:\\d\\d:\\d\\d UTC\\), which holds the lock of ${TENANT}/lockd on vps ` +
          `\\(\\d s so far, up to 15 s; Ctrl-C cancels, nothing changed yet\\)`,
      ),
    )
    expect((await run(['plug', 'down', `${TENANT}/lockd`, '--yes'], lockEnv)).code).toBe(0)
  }, 60_000)
})

describe('export of a live instance', () => {
  it("reuses the instance's port, and setup.sh refuses a port in use, saying how to change it", async () => {
    const {mkdtempSync, writeFileSync, chmodSync, readFileSync} = await import('node:fs')
    const {tmpdir} = await import('node:os')
    const {execFile} = await import('node:child_process')
    const up = await run(['plug', 'up', 'fixture-web', '--name', 'exp', '--tenant', TENANT, '--yes'])
    expect(up.code, up.stderr).toBe(0)
    const port = (await run(['plug', 'ls', '--tenant', TENANT, '--json'])).json().instances[0].port as number
    const out = join(mkdtempSync(join(tmpdir(), 'nc-export-')), 'bundle')
    const exported = await run(['export', `${TENANT}/exp`, '--out', out])
    expect(exported.code, exported.stderr).toBe(0)
    expect(readFileSync(join(out, '.env.example'), 'utf8')).toMatch(new RegExp(`^PORT=${port}$`, 'm'))
    // A docker with a compose plugin that has no stack running yet (the bed has no compose).
    const bin = mkdtempSync(join(tmpdir(), 'nc-fake-docker-'))
    writeFileSync(
      join(bin, 'docker'),
      '#!/bin/sh\ncase "$1 $2" in "compose version") echo 2.29.0;; "compose up") echo UP >&2; exit 9;; esac\nexit 0\n',
    )
    chmodSync(join(bin, 'docker'), 0o755)
    const result = await new Promise<{code: number; stderr: string}>((resolve) =>
      execFile(
        '/usr/bin/bash',
        ['setup.sh'],
        {cwd: out, env: {PATH: `${bin}:/usr/bin:/bin`, HOME: home}, timeout: 20_000},
        (error, _stdout, stderr) => resolve({code: error ? Number(error.code) : 0, stderr}),
      ),
    )
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(
      `setup: error: port ${port} on 127.0.0.1 is in use (by the aims instance this bundle was exported from, or ` +
        `another program): set a free port in .env (PORT=${port + 1}, say; and in nginx.conf if you use it)`,
    )
    expect(result.stderr).not.toContain('UP')
    // Once the port is free, setup.sh goes on to start the stack.
    expect((await run(['plug', 'down', `${TENANT}/exp`, '--yes'])).code).toBe(0)
    const again = await new Promise<{stderr: string}>((resolve) =>
      execFile(
        '/usr/bin/bash',
        ['setup.sh'],
        {cwd: out, env: {PATH: `${bin}:/usr/bin:/bin`, HOME: home}, timeout: 20_000},
        (_error, _stdout, stderr) => resolve({stderr}),
      ),
    )
    expect(again.stderr).not.toContain('is in use')
    expect(again.stderr).toContain('UP')
  })
})
