import {describe, expect, it} from 'vitest'
import {compileCatalogPattern} from '../../../../src/core/catalog/pattern.js'
import {CatalogValidationError} from '../../../../src/core/catalog/validate.js'
import {resolveEnvSpec} from '../../../../src/core/plan/env.js'
import {testPlug} from '../../../support/catalog-fakes.js'

describe('checkPlugRules: env patterns', () => {
  it('reports an invalid pattern as a catalog issue naming the field', () => {
    expect(() => testPlug('bad-pattern', {env: {X: {description: 'x', pattern: '('}}})).toThrow(CatalogValidationError)
    expect(() => testPlug('bad-pattern', {env: {X: {description: 'x', pattern: '('}}})).toThrow(
      'env.X.pattern: is not a valid regular expression',
    )
  })

  // BUG (src/core/catalog/validate.ts:114 checkPlugRules, the default-vs-pattern check after the
  // try/catch): with an invalid pattern AND a default, `new RegExp(spec.pattern)` runs again outside
  // the try and throws a raw SyntaxError, so parsePlug throws no CatalogValidationError; `aims catalog
  // validate` then reports "cannot read the file (Invalid regular expression …): check its permissions".
  it('reports an invalid pattern with a default as a catalog issue too', () => {
    expect(() => testPlug('bad-pattern', {env: {X: {description: 'x', default: 'a', pattern: '('}}})).toThrow(
      CatalogValidationError,
    )
  })
})

describe('catalog patterns run in bounded time (ReDoS)', () => {
  // ^(a+)+$ against 38 a's and a "!" backtracks 2^38 times in a backtracking engine (> 20 s at full CPU).
  const evil = '^(a+)+$'
  const value = `${'a'.repeat(38)}!`

  it('a value checked against ^(a+)+$ is refused at once, not after minutes of backtracking', () => {
    const plug = testPlug('redos', {env: {NAME: {description: 'a name', pattern: evil}}})
    expect(() => resolveEnvSpec(plug, {flags: {NAME: value}, file: {}}, () => 'x')).toThrow(
      /NAME "a{38}!" does not match \^\(a\+\)\+\$/,
    )
    expect(resolveEnvSpec(plug, {flags: {NAME: 'a'.repeat(38)}, file: {}}, () => 'x').variables).toContainEqual(
      expect.objectContaining({key: 'NAME', value: 'a'.repeat(38)}),
    )
  })

  it.each([
    ['(a)\\1', /backreference/],
    ['^(?<w>a)\\k<w>$', /backreference/],
    ['^(?=a)a$', /lookahead or lookbehind/],
    ['^(?!a)b$', /lookahead or lookbehind/],
    ['^(?<=a)b$', /lookahead or lookbehind/],
    ['^(?<!a)b$', /lookahead or lookbehind/],
    ['x'.repeat(1001), /1001 characters long \(at most 1000\)/],
  ])('catalog validate refuses %s and says why', (pattern, why) => {
    const attempt = () => testPlug('refused', {env: {X: {description: 'x', pattern}}})
    expect(attempt).toThrow(CatalogValidationError)
    expect(attempt).toThrow(why)
    expect(attempt).toThrow(/linear time/)
  })

  it('keeps the catalog patterns aims ships', () => {
    for (const pattern of [
      '^[A-Za-z0-9_.@-]{1,64}$',
      '^https?://\\S+$',
      '^(true|false)$',
      '^[A-Za-z_]+(/[A-Za-z0-9_+-]+)*$',
    ])
      expect(compileCatalogPattern(pattern)).toMatchObject({ok: true})
    const url = compileCatalogPattern('^https?://\\S+$')
    expect(url.ok && url.test('https://example.com/x')).toBe(true)
    expect(url.ok && url.test('https://exa mple.com')).toBe(false)
  })
})
