/**
 * The rough edges of a new user's tour (issue 11), through the real binary: mistyped flags get a did-you-mean,
 * whole-number flags say what they take, `-v` is the version.
 */
import {describe, expect, it} from 'vitest'
import {aims} from '../support/aims.js'

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
