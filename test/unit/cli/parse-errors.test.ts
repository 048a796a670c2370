import {Errors} from '@oclif/core'
import {describe, expect, it} from 'vitest'
import {parseFailure} from '../../../src/cli/parse-errors.js'
import {PLUG_LOGS, PLUG_SCALE, PLUG_UP} from '../../../src/core/commands/plug.js'
import {runCommand} from '../../support/run-command.js'

describe('parseFailure (oclif parse errors in aims words)', () => {
  it('suggests the flag a typo meant, and never repeats the value', () => {
    const error = parseFailure(new Errors.CLIError('Nonexistent flag: --tenat=sk-SENTINEL\nSee more help'), PLUG_UP)
    expect(error?.line).toBe('unknown flag --tenat — did you mean --tenant? (see aims plug up --help)')
    expect(error?.exitCode).toBe(2)
    expect(error?.line).not.toMatch(/SENTINEL/)
  })

  it('knows the global flags too, and says only how to get help when nothing is close', () => {
    expect(parseFailure(new Error('Nonexistent flag: --hots'), PLUG_UP)?.line).toMatch(/did you mean --host\?/)
    expect(parseFailure(new Error('Nonexistent flag: --zzzzzzzz'), PLUG_UP)?.line).toBe(
      'unknown flag --zzzzzzzz — see aims plug up --help',
    )
    expect(parseFailure(new Error('Nonexistent flags: --a, --b'), PLUG_UP)?.line).toMatch(/^unknown flags --a, --b/)
  })

  it('says what a whole-number flag takes and what it got', () => {
    const parsing = (flag: string, value: string) =>
      new Error(`Parsing --${flag} \n\tExpected an integer but received: ${value}\nSee more help with --help`)
    expect(parseFailure(parsing('replicas', 'abc'), PLUG_SCALE)?.line).toBe(
      '--replicas must be a whole number from 1 to 20, got "abc" — see aims plug scale --help',
    )
    const range = new Error('Parsing --replicas \n\tExpected an integer greater than or equal to 1 but received: 0')
    expect(parseFailure(range, PLUG_SCALE)?.line).toMatch(/^--replicas must be a whole number from 1 to 20, got "0"/)
    expect(parseFailure(parsing('tail', 'ten'), PLUG_LOGS)?.line).toMatch(/^--tail must be a whole number/)
    expect(parseFailure(new Error('something else'), PLUG_UP)).toBeUndefined()
  })
})

describe('a declared command, parsed for real', () => {
  it('plug scale --replicas abc and plug ls --tenat: exit 2, one line each, nothing run', async () => {
    const {default: PlugScale} = await import('../../../commands/plug/scale.js')
    const scale = await runCommand(PlugScale, ['acme/web', '--replicas', 'abc'])
    expect(scale.code).toBe(2)
    expect(scale.stderr).toBe(
      'Error: --replicas must be a whole number from 1 to 20, got "abc" — see aims plug scale --help\n',
    )
    const {default: PlugLs} = await import('../../../commands/plug/ls.js')
    const ls = await runCommand(PlugLs, ['--tenat', 'acme'])
    expect(ls.code).toBe(2)
    expect(ls.stderr).toBe('Error: unknown flag --tenat — did you mean --tenant? (see aims plug ls --help)\n')
  })
})
