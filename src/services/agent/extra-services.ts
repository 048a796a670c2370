/**
 * The real binding of the services ACHEEVY uses but other parts of aims
 * provide: export (src/services/export.ts) and stats, health and events
 * (src/services/stats.ts, health.ts, events.ts, from the dock work).
 *
 * Each is looked up by dynamic import when a tool first needs it, so this
 * build works whether or not those modules exist yet: a missing module, or a
 * module without the expected function, leaves the service undefined and
 * the tool answers "not available in this build". Any other import failure
 * (a bug inside the module) is a real error and is thrown.
 *
 * Expected bindings (the contract with those modules):
 *   export.ts  exportBundle(deps: PlugUpDeps, options: {target: string; out?: string}): Promise<result>
 *   stats.ts   collectStats(session: HostSession, options: {ref?: InstanceRef}): Promise<result>
 *   health.ts  healthReport(session: HostSession, options: {ref?: InstanceRef}): Promise<result>
 *   events.ts  recentEvents(session: HostSession, options: {since: Date; until: Date}): Promise<result[]>
 * Results are JSON-serialisable values; they reach the model fenced as untrusted data.
 */
import {fileURLToPath} from 'node:url'
import type {ExtraServices} from './runtime.js'

export interface ExtraBinding {
  /** Module path relative to this file's directory's parent (src/services/). */
  module: string
  exportName: string
}

export const EXTRA_BINDINGS = {
  exportBundle: {module: 'export.js', exportName: 'exportBundle'},
  stats: {module: 'stats.js', exportName: 'collectStats'},
  health: {module: 'health.js', exportName: 'healthReport'},
  events: {module: 'events.js', exportName: 'recentEvents'},
} as const satisfies Record<keyof ExtraServices, ExtraBinding>

type AnyFunction = (...args: never[]) => Promise<unknown>

/** Imports `specifier` and returns its function `exportName`, or undefined when this build has neither. */
export async function importOptional(specifier: string, exportName: string, importer: (specifier: string) => Promise<Record<string, unknown>> = (value) => import(value) as Promise<Record<string, unknown>>): Promise<AnyFunction | undefined> {
  let module: Record<string, unknown>
  try {
    module = await importer(specifier)
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & {url?: string}
    // Only the module itself being absent means "not in this build"; a missing import inside it is a bug.
    const path = specifier.startsWith('file:') ? fileURLToPath(specifier) : specifier
    if (failure.code === 'ERR_MODULE_NOT_FOUND' && (failure.url === specifier || [specifier, path].some((name) => String(failure.message).includes(`'${name}'`)))) return undefined
    throw error
  }
  const found = module[exportName]
  return typeof found === 'function' ? (found as AnyFunction) : undefined
}

/**
 * Resolves every binding (in parallel, once): services that are present
 * become functions of ExtraServices; absent ones stay undefined.
 */
export async function loadExtraServices(importer?: (specifier: string) => Promise<Record<string, unknown>>): Promise<ExtraServices> {
  const base = new URL('../', import.meta.url)
  const entries = await Promise.all(
    (Object.entries(EXTRA_BINDINGS) as Array<[keyof ExtraServices, ExtraBinding]>).map(async ([name, binding]) => [name, await importOptional(new URL(binding.module, base).href, binding.exportName, importer)] as const),
  )
  const found = Object.fromEntries(entries.filter(([, fn]) => fn !== undefined)) as Record<string, AnyFunction>
  const services: ExtraServices = {}
  const exportBundle = found.exportBundle
  if (exportBundle) services.exportBundle = (request, deps) => (exportBundle as unknown as NonNullable<ExtraServices['exportBundle']>)(request, deps)
  const stats = found.stats
  if (stats) services.stats = (request, session) => (stats as unknown as (session: unknown, options: unknown) => Promise<unknown>)(session, request)
  const health = found.health
  if (health) services.health = (request, session) => (health as unknown as (session: unknown, options: unknown) => Promise<unknown>)(session, request)
  const events = found.events
  if (events) services.events = (request, session) => (events as unknown as (session: unknown, options: unknown) => Promise<unknown>)(session, request)
  return services
}
