/**
 * The rough edges of a new user's tour (issue 11), through the real binary: mistyped flags get a did-you-mean,
 * whole-number flags say what they take, `-v` is the version.
 */
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {aims, homeWithHost, ROOT} from '../support/aims.js'
import {purgeTenant} from '../support/engine.js'

const TENANT = 'nc-tour'
const env = {AIMS_CATALOG_PATH: join(ROOT, 'test', 'fixtures', 'plugs')}
let home: string
const run = (args: string[]) => aims(args, {home, env})

beforeAll(async () => {
  await purgeTenant(TENANT)
  home = await homeWithHost()
})
afterAll(async () => {
  await purgeTenant(TENANT)
})

describe('flags a newcomer mistypes', () => {
  it('--tenat: did you mean --tenant, exit 2, nothing else printed', async () => {
    const result = await aims(['ps', '--tenat', 'acme'])
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr).toBe('Error: unknown flag --tenat — did you mean --tenant? (see aims plug ls --help)\n')
  })

  it('--replicas abc and --replicas 0: a whole number from 1 to 20, with what was given', async () => {
    for (const value of ['abc', '0']) {
      const result = await aims(['plug', 'scale', 'acme/web', '--replicas', value])
      expect(result.code).toBe(2)
      expect(result.stderr).toBe(
        `Error: --replicas must be a whole number from 1 to 20, got "${value}" — see aims plug scale --help\n`,
      )
    }
  })

  it('-v and version are the version, not "did you mean ps"', async () => {
    for (const args of [['-v'], ['version']]) {
      const result = await aims(args)
      expect(result.code, result.stderr).toBe(0)
      expect(result.stdout).toMatch(/^aims\/\d+\.\d+\.\d+ linux-x64 node-v\d+/)
    }
  })
})

describe('idempotent actions say so', () => {
  it('stop of a stopped instance: "already stopped", nothing changed, not audited; down counts in words', async () => {
    const up = await run(['plug', 'up', 'fixture-web', '--name', 'idem', '--tenant', TENANT, '--yes'])
    expect(up.code, up.stderr).toBe(0)
    const first = await run(['plug', 'stop', `${TENANT}/idem`, '--yes'])
    expect(first.code, first.stderr).toBe(0)
    expect(first.stdout).toMatch(/✓ stop nc-tour\/idem done/)
    // No --yes: nothing to confirm, so no TTY is needed either.
    const again = await run(['plug', 'stop', `${TENANT}/idem`])
    expect(again.code, again.stderr).toBe(0)
    expect(again.stdout).toBe('✓ nc-tour/idem is already stopped: nothing changed.\n')
    const json = await run(['plug', 'stop', `${TENANT}/idem`, '--json'])
    expect(json.json()).toMatchObject({status: 'unchanged', already: 'stopped', instance: `${TENANT}/idem`})
    const audit = await run(['audit', '--json'])
    const stops = audit
      .json()
      .records.filter((record: {action: string; target: string}) => record.action === 'plug stop')
    expect(stops).toHaveLength(1)

    const down = await run(['plug', 'down', `${TENANT}/idem`, '--yes'])
    expect(down.code, down.stderr).toBe(0)
    expect(down.stdout).toMatch(/is gone: 1 container, 1 volume, 1 network removed\./)
  })
})

describe('plug logs --tail N with replicas', () => {
  it('N lines in all, each labelled with its replica', async () => {
    const up = await run(['plug', 'up', 'fixture-web', '--name', 'logs', '--tenant', TENANT, '--yes'])
    expect(up.code, up.stderr).toBe(0)
    const scale = await run(['plug', 'scale', `${TENANT}/logs`, '--replicas', '2', '--yes'])
    expect(scale.code, scale.stderr).toBe(0)
    const one = await run(['plug', 'logs', `${TENANT}/logs`, '--tail', '1'])
    expect(one.code, one.stderr).toBe(0)
    expect(one.stdout.trim().split('\n')).toHaveLength(1)
    expect(one.stdout).toMatch(/^web#[12] \| /)
    const all = await run(['plug', 'logs', `${TENANT}/logs`, '--tail', '100', '--json'])
    const lines = all.json().lines as Array<{replica: number}>
    expect(new Set(lines.map((line) => line.replica))).toEqual(new Set([1, 2]))
    const text = await run(['plug', 'logs', `${TENANT}/logs`, '--tail', '100'])
    for (const line of text.stdout.trim().split('\n')) expect(line).toMatch(/^web#[12] \| /)
    const three = await run(['plug', 'logs', `${TENANT}/logs`, '--tail', '3'])
    expect(three.stdout.trim().split('\n')).toHaveLength(3)
  })
})

describe('one tenant rule, said by every listing', () => {
  it('ps, events, stats, health and dock say --tenant narrows and the default is all tenants', async () => {
    for (const command of [['ps'], ['events'], ['stats'], ['health'], ['dock']]) {
      const help = await aims([...command, '--help'])
      expect(help.code, command.join(' ')).toBe(0)
      expect(help.stdout, command.join(' ')).toMatch(/--tenant=<value>\s+only this tenant \(default: all tenants\)/)
    }
  })
})
