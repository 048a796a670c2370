/**
 * The parts of the catalog model that need no validation library: constants
 * and helpers over validated plugs. Commands that only use a plug (plug up,
 * export) import this, not the zod schema or the YAML parser, so they start
 * faster (validated plugs come from the catalog cache).
 */
import type {Plug} from './schema.js'

export const TIERS = ['free', 'starter', 'pro', 'business'] as const
export type Tier = (typeof TIERS)[number]
export const SIZE_CLASSES = ['xs', 's', 'm', 'l', 'xl'] as const
export type SizeClass = (typeof SIZE_CLASSES)[number]
export const CATEGORIES = [
  'automation',
  'ai',
  'monitoring',
  'devtools',
  'security',
  'cms',
  'analytics',
  'storage',
  'database',
  'productivity',
  'testing',
] as const

/** Variables every plug may reference in service env values. */
export const BUILTIN_VARIABLES = [
  'AIMS_URL',
  /** http or https: how users reach the instance (v2). */
  'AIMS_SCHEME',
  'AIMS_HOST',
  'AIMS_DOMAIN',
  'AIMS_PORT',
  'AIMS_TENANT',
  'AIMS_INSTANCE',
  'AIMS_PLUG',
] as const

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g

export function referencedVariables(value: string): string[] {
  return [...value.matchAll(REFERENCE)].map((match) => match[1] ?? '')
}

/** Normalized helpers the planner and others use. */
export type DependencyCondition = 'started' | 'healthy' | 'completed'

export function dependencyCondition(value: Plug['services'][string]['depends_on'][string]): DependencyCondition {
  return typeof value === 'string' ? value : value.condition
}

/** One-shot jobs (`run: once`) are not services that stay up. */
export const isJob = (service: Plug['services'][string]) => service.run === 'once'

export function entryService(plug: Plug): {name: string; port: number; protocol: 'http' | 'tcp'} {
  const found = Object.entries(plug.services).find(([, service]) => service.entry)
  if (!found) throw new Error(`plug ${plug.id} has no entry service`)
  return {name: found[0], port: found[1].entry!.port, protocol: found[1].entry!.protocol}
}

/** Services in an order where dependencies come first (the catalog rules forbid cycles). */
export function deployOrder(plug: Plug): string[] {
  const order: string[] = []
  const seen = new Set<string>()
  const visit = (name: string) => {
    if (seen.has(name)) return
    seen.add(name)
    for (const dependency of Object.keys(plug.services[name]?.depends_on ?? {}).sort()) visit(dependency)
    order.push(name)
  }
  for (const name of Object.keys(plug.services).sort()) visit(name)
  return order
}
