import {execFileSync} from 'node:child_process'
import {existsSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {AimsError} from '../../../src/core/errors.js'
import {quoteCommand, quoteShellArg} from '../../../src/core/shell-quote.js'

const scratch = mkdtempSync(join(tmpdir(), 'aims-quote-'))
const marker = join(scratch, 'pwned')
afterAll(() => rmSync(scratch, {recursive: true, force: true}))

const HOSTILE = [
  '',
  'plain',
  'two words',
  "it's",
  "''",
  '"double"',
  '; touch ' + marker,
  '&& touch ' + marker,
  '| touch ' + marker,
  '$(touch ' + marker + ')',
  '`touch ' + marker + '`',
  '${HOME}',
  '$HOME',
  '$((1+1))',
  'a\nb',
  'line\n; touch ' + marker,
  '\ttab',
  'back\\slash',
  '\\',
  "'; touch " + marker + "; echo '",
  '*',
  '~',
  '~root',
  '!',
  '!!',
  '#comment',
  '-n',
  '--',
  '>out',
  '<in',
  '(sub)',
  '{a,b}',
  '[x]',
  'ünïcödé ✓',
  '\u001b[31mred',
  ' leading and trailing ',
  'x'.repeat(2000),
]

/** What a real POSIX shell makes of the quoted command: the argv printf receives, NUL-separated. */
function throughShell(shell: string, args: string[]): string[] {
  const command = quoteCommand(['printf', '%s\\0', ...args])
  const output = execFileSync(shell, ['-c', command], {
    cwd: scratch,
    env: {PATH: process.env.PATH, HOME: '/root-that-must-not-expand'},
  })
  const parts = output.toString('utf8').split('\0')
  parts.pop()
  return parts
}

describe('shell quoting', () => {
  for (const shell of ['sh', 'bash']) {
    it(`round-trips hostile arguments through ${shell} -c unchanged`, () => {
      expect(throughShell(shell, HOSTILE)).toEqual(HOSTILE)
      expect(existsSync(marker)).toBe(false)
    })

    it(`round-trips each argument alone through ${shell} -c`, () => {
      for (const arg of HOSTILE) expect(throughShell(shell, [arg]), JSON.stringify(arg)).toEqual([arg])
      expect(existsSync(marker)).toBe(false)
    })
  }

  it('leaves plain words readable and quotes everything else', () => {
    expect(quoteShellArg('/var/run/docker.sock')).toBe('/var/run/docker.sock')
    expect(quoteShellArg('nginx')).toBe('nginx')
    expect(quoteShellArg('a b')).toBe("'a b'")
    expect(quoteShellArg("it's")).toBe("'it'\\''s'")
    expect(quoteShellArg('')).toBe("''")
    expect(quoteCommand(['flock', '-w', '60', '/var/lib/aims/locks/x.lock'])).toBe(
      'flock -w 60 /var/lib/aims/locks/x.lock',
    )
  })

  it('refuses NUL bytes and empty commands', () => {
    expect(() => quoteShellArg('a\u0000b')).toThrow(AimsError)
    expect(() => quoteCommand([])).toThrow(AimsError)
  })
})
