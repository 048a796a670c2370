import {describe, expect, it} from 'vitest'
import {closest, didYouMean, editDistance} from '../../../src/core/suggest.js'

describe('suggest', () => {
  it('measures edit distance', () => {
    expect(editDistance('', '')).toBe(0)
    expect(editDistance('vps', 'vps')).toBe(0)
    expect(editDistance('vps', 'vsp')).toBe(2)
    expect(editDistance('kitten', 'sitting')).toBe(3)
    expect(editDistance('', 'abc')).toBe(3)
  })

  it('offers the closest names first, within a distance that grows with the length', () => {
    expect(closest('vsp', ['vps', 'prod', 'staging'])).toEqual(['vps'])
    expect(closest('prod1', ['prod-1', 'prod-2', 'dev'])).toEqual(['prod-1', 'prod-2'])
    expect(closest('zzzzzz', ['vps', 'prod'])).toEqual([])
    // Substrings count as close: "n8n" for "n8n-prod".
    expect(closest('n8n', ['n8n-prod', 'nginx'])[0]).toBe('n8n-prod')
    expect(closest('VPS', ['vps'])).toEqual(['vps'])
  })

  it('limits and de-duplicates candidates', () => {
    expect(closest('a', ['a', 'a', 'b', 'c', 'd'], 2)).toEqual(['a', 'b'])
  })

  it('phrases the suggestion', () => {
    expect(didYouMean('vsp', ['vps'])).toBe('did you mean "vps"?')
    expect(didYouMean('prod', ['prod-1', 'prod-2'])).toBe('did you mean "prod-1" or "prod-2"?')
    expect(didYouMean('xyzzy', ['vps'])).toBeUndefined()
  })
})
