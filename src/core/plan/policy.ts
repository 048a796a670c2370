/**
 * Tenant policy: tiers with quotas, spending limits and host prices, read
 * from preferences with defaults. Pure.
 */
import {DEFAULT_PRICES, type Prices} from '../catalog/cost.js'
import {TIERS, type Tier} from '../catalog/model.js'
import {readPreferences} from '../preferences.js'

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
  const read = readPreferences(preferences)
  const currency = read.string('prices.currency')
  const cpuMonthly = read.number('prices.cpu-monthly')
  const memoryGiBMonthly = read.number('prices.memory-gib-monthly')
  const diskGiBMonthly = read.number('prices.disk-gib-monthly')
  const preferred: Partial<Prices> = {
    ...(currency !== undefined ? {currency} : {}),
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

export function tenantPolicy(preferences: Record<string, unknown>, tenant: string): TenantPolicy {
  // Nested ({tenants: {acme: {tier}}}) and flat ("tenants.acme.tier") configs alike.
  const read = readPreferences(preferences)
  const configuredTier = read.string(`tenants.${tenant}.tier`)
  const tier = TIERS.find((known) => known === configuredTier) ?? DEFAULT_TENANT_TIER
  const base = DEFAULT_TIERS[tier]
  // `config set` stores a number; a hand-edited "50" counts too.
  const spending = read.number(`tenants.${tenant}.spending-limit`) ?? read.string(`tenants.${tenant}.spending-limit`)
  const limit = Number(spending)
  return {
    tier,
    limits: {
      instances: read.number(`tiers.${tier}.instances`) ?? base.instances,
      cpus: read.number(`tiers.${tier}.cpus`) ?? base.cpus,
      memoryBytes: read.number(`tiers.${tier}.memory`) ?? base.memoryBytes,
    },
    ...(Number.isFinite(limit) && spending !== undefined ? {spendingLimit: limit} : {}),
  }
}
