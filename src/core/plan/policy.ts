/**
 * Tenant policy: tiers with quotas, spending limits and host prices, read
 * from preferences with defaults. Pure.
 */
import {DEFAULT_PRICES, type Prices} from '../catalog/cost.js'
import {TIERS, type Tier} from '../catalog/model.js'
import {getPreference} from '../preferences.js'

export interface TierLimits {
  instances: number
  cpus: number
  memoryBytes: number
}

const GiB = 1024 ** 3

/**
 * Built-in tiers. A tenant without a configured tier gets `business`: a
 * self-hoster's own VPS is bounded by its capacity, not by quotas; agencies
 * set tiers per client (aims config set tenants.acme.tier starter).
 */
export const DEFAULT_TIERS: Record<Tier, TierLimits> = {
  free: {instances: 2, cpus: 1, memoryBytes: 1 * GiB},
  starter: {instances: 5, cpus: 2, memoryBytes: 4 * GiB},
  pro: {instances: 20, cpus: 8, memoryBytes: 16 * GiB},
  business: {instances: 200, cpus: 64, memoryBytes: 256 * GiB},
}

export const DEFAULT_TENANT_TIER: Tier = 'business'

export type {Prices}

/** Prices for a host: its own (hosts.NAME.prices), else the preferences', else the defaults (catalog/cost.ts). */
export function hostPrices(entryPrices: Partial<Prices> | undefined, preferences: Record<string, unknown>): Prices {
  // config keys: prices.currency, prices.cpu-monthly, prices.memory-gib-monthly, prices.disk-gib-monthly
  const pick = (key: string) => {
    const value = getPreference(preferences, `prices.${key}`)
    return typeof value === 'number' ? value : undefined
  }
  const currency = getPreference(preferences, 'prices.currency')
  const cpuMonthly = pick('cpu-monthly')
  const memoryGiBMonthly = pick('memory-gib-monthly')
  const diskGiBMonthly = pick('disk-gib-monthly')
  const preferred: Partial<Prices> = {
    ...(typeof currency === 'string' ? {currency} : {}),
    ...(cpuMonthly !== undefined ? {cpuMonthly} : {}),
    ...(memoryGiBMonthly !== undefined ? {memoryGiBMonthly} : {}),
    ...(diskGiBMonthly !== undefined ? {diskGiBMonthly} : {}),
  }
  return {...DEFAULT_PRICES, ...preferred, ...(entryPrices ?? {})}
}

export interface TenantPolicy {
  tier: Tier
  limits: TierLimits
  /** Monthly spending limit in the host's price currency; undefined = none. */
  spendingLimit?: number
}

export const tierRank = (tier: Tier) => TIERS.indexOf(tier)

interface TenantPreferences {
  tier?: string | undefined
  'spending-limit'?: number | string | undefined
}

export function tenantPolicy(preferences: Record<string, unknown>, tenant: string): TenantPolicy {
  // Through getPreference: nested ({tenants: {acme: {tier}}}) and flat ("tenants.acme.tier") configs alike.
  const configured: TenantPreferences = {
    tier: getPreference(preferences, `tenants.${tenant}.tier`) as string | undefined,
    'spending-limit': getPreference(preferences, `tenants.${tenant}.spending-limit`) as number | undefined,
  }
  const tier = (TIERS as readonly string[]).includes(configured.tier ?? '')
    ? (configured.tier as Tier)
    : DEFAULT_TENANT_TIER
  const overrides = {
    instances: getPreference(preferences, `tiers.${tier}.instances`),
    cpus: getPreference(preferences, `tiers.${tier}.cpus`),
    memory: getPreference(preferences, `tiers.${tier}.memory`),
  }
  const base = DEFAULT_TIERS[tier]
  const limit = Number(configured['spending-limit'])
  return {
    tier,
    limits: {
      instances: typeof overrides.instances === 'number' ? overrides.instances : base.instances,
      cpus: typeof overrides.cpus === 'number' ? overrides.cpus : base.cpus,
      memoryBytes: typeof overrides.memory === 'number' ? overrides.memory : base.memoryBytes,
    },
    ...(Number.isFinite(limit) && configured['spending-limit'] !== undefined ? {spendingLimit: limit} : {}),
  }
}
