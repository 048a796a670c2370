import {describe, expect, it} from 'vitest'
import {maskUnknownFlagValues} from '../../../src/cli/base-command.js'

describe('maskUnknownFlagValues', () => {
  it('shows the names of unknown flags, never their values (a key typed under the wrong flag)', () => {
    expect(maskUnknownFlagValues('Nonexistent flag: --apikey=sk-ant-SENTINEL — see --help for usage')).toBe(
      'Nonexistent flag: --apikey=… — see --help for usage',
    )
    expect(maskUnknownFlagValues('Nonexistent flags: --a=x,y, --b, -k=secret')).toBe(
      'Nonexistent flags: --a=…, --b, -k=…',
    )
    expect(maskUnknownFlagValues('Missing required flag name')).toBe('Missing required flag name')
  })
})
