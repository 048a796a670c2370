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
