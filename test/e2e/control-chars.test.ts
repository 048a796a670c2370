/**
 * Control characters never reach the terminal raw (issue 10, item 9), on
 * the bed: an instance whose labels and env values carry terminal escapes
 * (an OSC title change, a clear screen) and newlines (a forged line), made
 * with the docker CLI as a hostile co-tenant would, is shown by `ps`,
 * `plug status`, `stats` and `health` without one escape and without a
 * forged line; a catalog's hostile `notes` are cleaned at `plug up`.
 */
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {aims, bed, homeWithHost, ROOT} from '../support/aims.js'
import {docker, purgeTenant} from '../support/engine.js'

const TENANT = `hd-ctl-${Math.random().toString(36).slice(2, 6)}`
const OSC = '\u001b]0;pwned\u0007'
const CLEAR = '\u001b[2J'
const HOSTILE = `${OSC}${CLEAR}x\nFORGED=1\r\u009b31m`
let home: string
let catalog: string

/** Nothing a terminal would act on: no ESC, no C1 CSI, no BEL, no CR. */
const clean = (text: string) => {
  expect(text).not.toMatch(/[\u001b\u009b\u0007\r]/)
  expect(text).not.toMatch(/^FORGED=1/m)
}

beforeAll(async () => {
  await purgeTenant(TENANT)
  home = await homeWithHost()
  await docker([
    'run',
    '-d',
    '--name',
    `aims-${TENANT}-evil-web`,
    '--label',
    'aims.managed=true',
    '--label',
    `aims.tenant=${TENANT}`,
    '--label',
    'aims.instance=evil',
    '--label',
    `aims.plug=${HOSTILE}`,
    '--label',
    `aims.service=web${HOSTILE}`,
    '--label',
    'aims.entry=true',
    '--label',
    `aims.domain=evil.example${HOSTILE}`,
    '--env',
    `GREETING=${HOSTILE}`,
    bed().images.web,
  ])
  catalog = mkdtempSync(join(tmpdir(), 'aims-hd-ctl-'))
  const web = readFileSync(join(ROOT, 'test', 'fixtures', 'plugs', 'fixture-web.yaml'), 'utf8')
  writeFileSync(join(catalog, 'fixture-web.yaml'), `${web}notes: "Open it.\\e]0;pwned\\a\\e[2J\\nFORGED=1\\r\\e[1A"\n`)
}, 60_000)
afterAll(async () => {
  await purgeTenant(TENANT)
  rmSync(catalog, {recursive: true, force: true})
})

describe('untrusted text on its way to a terminal', () => {
  it('ps shows forged label values without escapes or forged lines', async () => {
    const ps = await aims(['ps', '--tenant', TENANT, '--no-probe'], {home})
    expect(ps.code, ps.stderr).toBe(0)
    clean(ps.stdout + ps.stderr)
    expect(ps.stdout).toMatch(/evil/)
    expect(ps.stdout).toMatch(/x⏎FORGED=1/)
    // --json keeps the data (JSON escapes it): it is not a terminal.
    const json = await aims(['ps', '--tenant', TENANT, '--no-probe', '--json'], {home})
    expect(json.json().instances[0].plug).toBe(HOSTILE)
  })

  it('plug status shows env values and labels on one line each, cleaned', async () => {
    const status = await aims(['plug', 'status', `${TENANT}/evil`], {home})
    expect(status.code, status.stderr).toBe(0)
    clean(status.stdout + status.stderr)
    expect(status.stdout).toMatch(/GREETING=x⏎FORGED=1/)
  })

  it('stats and health show the forged names cleaned', async () => {
    for (const args of [
      ['stats', `${TENANT}/evil`],
      ['health', `${TENANT}/evil`],
    ]) {
      const result = await aims(args, {home})
      expect([0, 4], `${args[0]}: ${result.stderr}`).toContain(result.code)
      clean(result.stdout + result.stderr)
      expect(result.stdout).toMatch(/evil/)
    }
  })

  it("plug up prints a catalog's notes cleaned", async () => {
    const up = await aims(['plug', 'up', 'fixture-web', '--name', 'notes', '--tenant', TENANT, '--yes'], {
      home,
      env: {AIMS_CATALOG_PATH: catalog},
    })
    expect(up.code, up.stderr).toBe(0)
    clean(up.stdout + up.stderr)
    expect(up.stdout).toMatch(/Notes {4}Open it\./)
  })
})
