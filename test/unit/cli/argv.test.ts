import {describe, expect, it} from 'vitest'
// @ts-expect-error -- plain JS next to bin/run.js, no declarations
import {takeArgv} from '../../../bin/argv.js'

const node = ['/usr/bin/node', '/opt/aims/bin/run.js']

describe('takeArgv (the arguments bin/aims passes in the environment)', () => {
  it('takes every argument byte for byte, and removes them all from the environment', () => {
    const env: Record<string, string | undefined> = {
      AIMS_ARGC: '4',
      AIMS_ARGV_1: 'plug',
      AIMS_ARGV_2: '--env-file',
      AIMS_ARGV_3: 'a b\n"$(x)"',
      AIMS_ARGV_4: '',
      AIMS_ARGV_9: 'stale',
      PATH: '/bin',
    }
    expect(takeArgv(env, node)).toEqual(['plug', '--env-file', 'a b\n"$(x)"', ''])
    expect(env).toEqual({PATH: '/bin'})
  })

  it("uses Node's own argv when aims was started without bin/aims (tests, scripts)", () => {
    expect(takeArgv({}, [...node, 'ps', '--json'])).toEqual(['ps', '--json'])
    // Arguments on the command line win over anything left in the environment, which is still removed.
    const env: Record<string, string | undefined> = {AIMS_ARGC: '1', AIMS_ARGV_1: 'plug'}
    expect(takeArgv(env, [...node, 'ps'])).toEqual(['ps'])
    expect(env).toEqual({})
  })

  it('ignores a count that is not a number', () => {
    expect(takeArgv({AIMS_ARGC: '1e3'}, node)).toEqual([])
    expect(takeArgv({AIMS_ARGC: '0'}, node)).toEqual([])
  })
})
