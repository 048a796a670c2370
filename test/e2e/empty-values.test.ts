/**
 * Empty values are refused everywhere (issue 10, item 12): `--name ''` used
 * to become the plug id silently. Every flag and argument, on every command,
 * through the one flag-parsing layer: exit 2, one line, nothing done.
 */
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {aims, ROOT, tempHome} from '../support/aims.js'

const env = {AIMS_CATALOG_PATH: join(ROOT, 'test', 'fixtures', 'plugs')}

describe('empty values', () => {
  it.each([
    [['plug', 'up', 'fixture-web', '--name', '', '--host', 'local', '--dry-run'], /--name is empty/],
    [['plug', 'up', 'fixture-web', '--tenant', '', '--host', 'local', '--dry-run'], /--tenant is empty/],
    [['plug', 'up', 'fixture-web', '--env', 'A=1', '--env', '', '--host', 'local', '--dry-run'], /--env is empty/],
    [['plug', 'up', 'fixture-web', '--domain', '', '--host', 'local', '--dry-run'], /--domain is empty/],
    [['plug', 'up', '', '--host', 'local', '--dry-run'], /PLUG is empty/],
    [['plug', 'status', ''], /INSTANCE is empty/],
    [['plug', 'down', '', '--yes'], /INSTANCE is empty/],
    [['ps', '--host', ''], /--host is empty/],
    [['host', 'add', '', 'root@127.0.0.1:22'], /NAME is empty/],
    [['catalog', 'show', ''], /PLUG is empty/],
  ])('%j → exit 2', async (argv, message) => {
    const result = await aims(argv, {home: tempHome(), env})
    expect(result.code, result.stdout + result.stderr).toBe(2)
    const lines = result.stderr.trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(message)
  })
})
