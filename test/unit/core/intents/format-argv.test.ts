import {execFileSync} from 'node:child_process'
import {describe, expect, it} from 'vitest'
import {formatArgv} from '../../../../src/core/intents/index.js'

/** What a POSIX shell turns the rendered line back into (the real /bin/sh, not a model of it). */
function shellWords(line: string): string[] {
  const out = execFileSync('/bin/sh', ['-c', `printf '%s\\0' ${line}`], {
    encoding: 'utf8',
    env: {HOME: '/home/someone', PATH: process.env.PATH},
  })
  return out.split('\0').slice(0, -1)
}

describe('formatArgv', () => {
  it('renders plain argvs as typed', () => {
    expect(formatArgv(['plug', 'up', 'n8n', '--tenant', 'acme'])).toBe('aims plug up n8n --tenant acme')
    expect(formatArgv(['plug', 'logs', 'acme/n8n', '--tail', '100'])).toBe('aims plug logs acme/n8n --tail 100')
    expect(formatArgv(['catalog', 'search', 'password manager'])).toBe("aims catalog search 'password manager'")
    expect(formatArgv(['plug', 'ls'], '')).toBe('plug ls')
  })

  it('quotes every value so the shell gives back exactly the argv', () => {
    const nasty = [
      'a b',
      "it's",
      '$(reboot)',
      '`id`',
      '; rm -rf /',
      'x\ny',
      '',
      '*',
      '"q"',
      'back\\slash',
      'tab\there',
      'ünï',
      '!bang',
      '#hash',
      '~user',
      'a=b c',
    ]
    for (const word of nasty) {
      const line = formatArgv(['export', word], '')
      expect(shellWords(line), JSON.stringify(word)).toEqual(['export', word])
    }
  })

  it('leaves ~/dir unquoted so the shell expands the home directory, as the user meant', () => {
    expect(formatArgv(['export', 'ghost', '--out', '~/exports'])).toBe('aims export ghost --out ~/exports')
    expect(shellWords(formatArgv(['--out', '~/exports'], ''))).toEqual(['--out', '/home/someone/exports'])
  })
})
