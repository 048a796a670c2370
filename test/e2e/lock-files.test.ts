/**
 * Lock files do not pile up in the host's locks dir (issue 10, item 13): an
 * instance's lock file goes when its lock is released, and the next command
 * that takes an instance lock sweeps the ones nobody holds (left by a killed
 * run or an older aims). Over SSH on the bed, whose state dir is this
 * machine's /var/lib/aims (shared with other tests: only this tenant's files
 * are looked at).
 */
import {existsSync, readdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {aims, homeWithHost, ROOT} from '../support/aims.js'
import {purgeTenant} from '../support/engine.js'

const TENANT = `lk-${Math.random().toString(36).slice(2, 8)}`
const LOCKS = '/var/lib/aims/locks'
const env = {AIMS_CATALOG_PATH: join(ROOT, 'test', 'fixtures', 'plugs')}
let home: string
const ours = () =>
  existsSync(LOCKS) ? readdirSync(LOCKS).filter((file) => file.startsWith(`instance-${TENANT}-`)) : []

beforeAll(async () => {
  await purgeTenant(TENANT)
  home = await homeWithHost()
})
afterAll(async () => {
  await purgeTenant(TENANT)
})

describe('lock files', () => {
  it('after ups and downs, no lock file of the tenant is left, and stale ones are swept', async () => {
    // What a killed run or an older aims left behind.
    writeFileSync(join(LOCKS, `instance-${TENANT}-ghost.lock`), '')
    for (const name of ['a', 'b', 'c']) {
      const up = await aims(['plug', 'up', 'fixture-web', '--name', name, '--tenant', TENANT, '--yes', '--json'], {
        home,
        env,
      })
      expect(up.code, up.stderr).toBe(0)
    }
    for (const name of ['a', 'b', 'c']) {
      const down = await aims(['plug', 'down', `${TENANT}/${name}`, '--yes', '--json'], {home, env})
      expect(down.code, down.stderr).toBe(0)
    }
    expect(ours()).toEqual([])
  })
})
