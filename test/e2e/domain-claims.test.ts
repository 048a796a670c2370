/**
 * Who may claim which domain (issue 10, item 2), on the bed with a host
 * domain: a tenant owns *.TENANT.DOMAIN; IP literals, the apex and another
 * tenant's space are refused (exit 2, one line naming the rule and the fix,
 * nothing created); a custom domain belongs to the instance that claimed it,
 * as the engine's labels say.
 */
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {aims, homeWithHost, ROOT} from '../support/aims.js'
import {aimsObjects, purgeTenant, removeConfs} from '../support/engine.js'

const suffix = Math.random().toString(36).slice(2, 7)
const A = `dca-${suffix}`
const B = `dcb-${suffix}`
const DOMAIN = `claims-${suffix}.test`
const env = {AIMS_CATALOG_PATH: join(ROOT, 'test', 'fixtures', 'plugs')}
let home: string
const up = (tenant: string, domain: string, ...extra: string[]) =>
  aims(['plug', 'up', 'fixture-web', '--tenant', tenant, '--domain', domain, ...extra], {home, env})

beforeAll(async () => {
  await Promise.all([purgeTenant(A), purgeTenant(B)])
  home = await homeWithHost('vps', ['--domain', DOMAIN])
})
afterAll(async () => {
  await Promise.all([purgeTenant(A), purgeTenant(B)])
  await removeConfs((name) => name.startsWith(`${A}-`) || name.startsWith(`${B}-`))
})

describe('domain claims', () => {
  it.each([
    ['an IP literal (the host default site)', '127.0.0.1', /invalid domain "127\.0\.0\.1": it is an IP address/],
    ['a hex IP literal', '0x7f.0.0.1', /IP address/],
    ['a bracketed IPv6 literal', '[::1]', /IPv6/],
    ['localhost', 'localhost', /localhost is the host itself/],
    ['the bare host apex', DOMAIN, /the host's own domain \(the apex\)/],
    ["another tenant's name space", `w2.${B}.${DOMAIN}`, new RegExp(`inside tenant ${B}'s name space`)],
  ])('%s → exit 2, the rule and the fix, nothing created', async (_what, domain, rule) => {
    const result = await up(A, domain, '--yes')
    expect(result.code, result.stdout + result.stderr).toBe(2)
    const last = result.stderr.trim().split('\n').at(-1)!
    expect(last).toMatch(rule)
    expect(last).toMatch(/ — /)
    expect(await aimsObjects({'aims.tenant': A})).toEqual({containers: [], volumes: [], networks: []})
  })

  it("a custom domain is the claiming instance's: another tenant cannot take it or a name under it", async () => {
    const custom = `shop-${suffix}.example.org`
    const first = await up(A, custom, '--yes', '--json')
    expect(first.code, first.stderr).toBe(0)
    for (const domain of [custom, `api.${custom}`]) {
      const second = await up(B, domain, '--dry-run', '--json')
      expect(second.code, second.stdout).toBe(2)
      expect(second.json().error.message).toMatch(new RegExp(`claimed by (tenant )?${A}`))
    }
    // The owner's tenant keeps its own space, and B its own.
    const own = await up(B, `web.${B}.${DOMAIN}`, '--dry-run', '--json')
    expect(own.code, own.stderr).toBe(0)
  })
})
