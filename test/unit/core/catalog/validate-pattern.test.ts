import {describe, expect, it} from 'vitest'
import {CatalogValidationError} from '../../../../src/core/catalog/validate.js'
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
