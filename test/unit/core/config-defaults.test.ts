import {describe, expect, it} from 'vitest'
import {effectivePreferences, preferenceDefault, showPreference} from '../../../src/core/config-defaults.js'
import {DEFAULT_PRICES} from '../../../src/core/catalog/cost.js'
import {flattenPreferences, parsePreference} from '../../../src/core/preferences.js'
import {DEFAULT_TIERS, hostPrices, tenantPolicy} from '../../../src/core/plan/policy.js'

describe('config defaults', () => {
  it('the defaults shown are the ones aims applies (tiers, prices)', () => {
    expect(preferenceDefault('tiers.starter.instances')).toBe(DEFAULT_TIERS.starter.instances)
    expect(preferenceDefault('tiers.pro.memory')).toBe(
      tenantPolicy({tenants: {x: {tier: 'pro'}}}, 'x').limits.memoryBytes,
    )
    expect(preferenceDefault('prices.cpu-monthly')).toBe(hostPrices(undefined, {}).cpuMonthly)
    expect(preferenceDefault('prices.currency')).toBe(DEFAULT_PRICES.currency)
    expect(preferenceDefault('ai.model')).toBeUndefined()
  })

  it('a set key hides its default; the others are marked default', () => {
    const preferences = {prices: {currency: 'EUR'}, tiers: {free: {cpus: 2}}}
    const rows = effectivePreferences(preferences, flattenPreferences(preferences))
    expect(rows.filter((row) => row.key === 'prices.currency')).toEqual([
      {key: 'prices.currency', value: 'EUR', source: 'set'},
    ])
    expect(rows.filter((row) => row.key === 'tiers.free.cpus')).toEqual([
      {key: 'tiers.free.cpus', value: 2, source: 'set'},
    ])
    expect(rows.find((row) => row.key === 'prices.cpu-monthly')).toEqual({
      key: 'prices.cpu-monthly',
      value: 4,
      source: 'default',
    })
    expect(rows.filter((row) => row.source === 'default').map((row) => row.key)).toContain('tiers.business.memory')
  })

  it('shows memory as config set takes it, and the shown value parses back to the same', () => {
    const memory = DEFAULT_TIERS.starter.memoryBytes
    expect(showPreference('tiers.starter.memory', memory)).toBe('4g')
    expect(parsePreference('tiers.starter.memory', showPreference('tiers.starter.memory', memory))).toBe(memory)
    expect(showPreference('catalog.paths', ['/a', '/b'])).toBe('/a:/b')
  })
})
