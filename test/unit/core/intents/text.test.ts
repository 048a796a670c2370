import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {screenUtterance, tokenize, typoDistance} from '../../../../src/core/intents/text.js'

describe('intent text handling', () => {
  it('counts a swapped pair of letters as one typo', () => {
    expect(typoDistance('restrat', 'restart')).toBe(1)
    expect(typoDistance('lgos', 'logs')).toBe(1)
    expect(typoDistance('n8m', 'n8n')).toBe(1)
    expect(typoDistance('gost', 'ghost')).toBe(1)
    expect(typoDistance('abc', 'abc')).toBe(0)
    expect(typoDistance('', 'abc')).toBe(3)
  })

  it('expands contractions, splits possessives and keeps "self host" apart from hosts', () => {
    expect(tokenize("What's running for Acme's team?").map((t) => t.norm)).toEqual([
      'what',
      'is',
      'running',
      'for',
      'acme',
      "'s",
      'team',
    ])
    expect(tokenize("don't stop n8n").map((t) => t.norm)).toEqual(['do', 'not', 'stop', 'n8n'])
    expect(tokenize('so the client can self host it, or self-hosting').map((t) => t.norm)).toEqual([
      'so',
      'the',
      'client',
      'can',
      'selfhost',
      'it',
      'or',
      'selfhosting',
    ])
    expect(tokenize('deploy with KEY=Value,Other').map((t) => t.raw)).toEqual(['deploy', 'with', 'KEY=Value,Other'])
  })

  it('refuses shell syntax, control characters, several lines and very long text', () => {
    for (const text of [
      'a; b',
      'a | b',
      'a && b',
      '$(x)',
      '`x`',
      'a > b',
      'a\\b',
      'a\u0007',
      'a\nb',
      'x'.repeat(501),
    ]) {
      expect(screenUtterance(text), JSON.stringify(text)).toBeDefined()
    }
    for (const text of ['deploy n8n for acme', "what's running?", 'export n8n into ./out', 'restart acme/n8n\n']) {
      expect(screenUtterance(text), JSON.stringify(text)).toBeUndefined()
    }
  })

  it('is pure: the parser imports only core modules and its own files', () => {
    const dir = join(import.meta.dirname, '../../../../src/core/intents')
    for (const file of readdirSync(dir).filter((name) => name.endsWith('.ts'))) {
      const imports = [...readFileSync(join(dir, file), 'utf8').matchAll(/^import .* from '([^']+)'/gm)].map(
        (match) => match[1]!,
      )
      for (const source of imports)
        expect(source, `${file} imports ${source}`).toMatch(
          /^\.\/[a-z-]+\.js$|^\.\.\/(?:names|errors|suggest|commands\/[a-z-]+)\.js$/,
        )
    }
  })
})
