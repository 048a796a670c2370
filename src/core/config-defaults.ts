/**
 * What `aims config get` shows for a key nobody set: the value aims uses by default (tiers, prices,
 * the tenant networks, the default tenant). Pure; the defaults themselves live where they are used.
 */
import {DEFAULT_PRICES} from './catalog/cost.js'
import {TIERS} from './catalog/model.js'
import {DEFAULT_TENANT} from './names.js'
import {DEFAULT_TIERS} from './plan/policy.js'
import {getPreference, type PreferenceValue} from './preferences.js'

/** The built-in default of each key that has one, as `config set` would store it. */
export function preferenceDefaults(): Array<[string, PreferenceValue]> {
  return [
    ['default-tenant', DEFAULT_TENANT],
    ...TIERS.flatMap((tier): Array<[string, PreferenceValue]> => [
      [`tiers.${tier}.instances`, DEFAULT_TIERS[tier].instances],
      [`tiers.${tier}.cpus`, DEFAULT_TIERS[tier].cpus],
      [`tiers.${tier}.memory`, DEFAULT_TIERS[tier].memoryBytes],
    ]),
    ['prices.currency', DEFAULT_PRICES.currency],
    ['prices.cpu-monthly', DEFAULT_PRICES.cpuMonthly],
    ['prices.memory-gib-monthly', DEFAULT_PRICES.memoryGiBMonthly],
    ['prices.disk-gib-monthly', DEFAULT_PRICES.diskGiBMonthly],
    ['network.pool', '10.210.0.0/16'],
    ['network.tenant-prefix', 24],
    ['network.instance-prefix', 27],
  ]
}

export interface EffectivePreference {
  key: string
  value: PreferenceValue
  source: 'set' | 'default'
}

/** The set preferences, then every default not overridden, each marked with where it comes from. */
export function effectivePreferences(
  preferences: Record<string, unknown>,
  set: Array<[string, unknown]>,
): EffectivePreference[] {
  const rows: EffectivePreference[] = set.map(([key, value]) => ({
    key,
    value: value as PreferenceValue,
    source: 'set',
  }))
  for (const [key, value] of preferenceDefaults())
    if (getPreference(preferences, key) === undefined) rows.push({key, value, source: 'default'})
  return rows
}

/** The default of one key, or undefined when it has none. */
export function preferenceDefault(key: string): PreferenceValue | undefined {
  return preferenceDefaults().find(([known]) => known === key)?.[1]
}

/** A value as people read it: lists colon-joined, tier memory in binary units. */
export function showPreference(key: string, value: unknown): string {
  if (Array.isArray(value)) return value.join(':')
  if (/^tiers\.[^.]+\.memory$/.test(key) && typeof value === 'number') {
    const gib = value / 1024 ** 3
    return Number.isInteger(gib) ? `${gib}g` : `${Math.round(value / 1024 ** 2)}m`
  }
  return String(value)
}
