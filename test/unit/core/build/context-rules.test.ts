import {describe, expect, it} from 'vitest'
import {isIgnored, parseIgnoreFile, scanForSecrets} from '../../../../src/core/build/context-rules.js'

describe('.dockerignore rules', () => {
  const rules = parseIgnoreFile('# comment\nnode_modules\n*.log\n/dist/\n**/*.tmp\ndocs\n!docs/keep.md\n')
  it.each([
    ['node_modules', true],
    ['node_modules/x/index.js', true],
    ['app.log', true],
    ['src/app.log', false],
    ['dist/bundle.js', true],
    ['a/b/c.tmp', true],
    ['c.tmp', true],
    ['docs/readme.md', true],
    ['docs/keep.md', false],
    ['src/index.js', false],
    ['.git/config', true],
  ])('%s ignored: %s', (path, ignored) => {
    expect(isIgnored(path, rules)).toBe(ignored)
  })
})

describe('secret scan', () => {
  const file = (path: string, content = 'x') => ({path, content: Buffer.from(content)})
  it('finds keys by name and by content, never returns the value', () => {
    const findings = scanForSecrets([
      file('.env', 'TOKEN=abc'),
      file('config/.env.production'),
      file('.env.example'),
      file('certs/server.key'),
      file('src/keys.js', 'const k = "AKIAABCDEFGHIJKLMNOP"'),
      file('notes.txt', '-----BEGIN RSA PRIVATE KEY-----\nMIIE\n'),
      file('index.html', '<h1>hi</h1>'),
    ])
    expect(findings.map((finding) => finding.path)).toEqual([
      '.env',
      'config/.env.production',
      'certs/server.key',
      'src/keys.js',
      'notes.txt',
    ])
    expect(JSON.stringify(findings)).not.toContain('AKIAABCDEFGHIJKLMNOP')
  })
})
