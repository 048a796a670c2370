/**
 * Composition of ACHEEVY (beside context.ts, the composition root): wires it to the process's AimsContext: the tool
 * runtime over the one
 * session, the provider the settings choose (the offline parser when no key
 * or server is configured), the parser's context (catalog, instances, focus)
 * and the system prompt's facts. Used by `aims ask` and `aims chat`.
 */
import type {AiSettings} from './core/ai/settings.js'
import type {ChatProvider} from './core/ai/types.js'
import type {IntentContext, IntentInstance} from './core/intents/index.js'
import {PLUG_ID, RESOURCE_NAME} from './core/names.js'
import type {AimsContext} from './context.js'
import type {HostSession} from './services/ports.js'
import {packageVersion} from './adapters/package-root.js'
import {OfflineChatProvider} from './services/agent/offline-provider.js'
import {loadAiSettings, storedProviderKey} from './services/ai-settings.js'
import {loadAgentServices, type ExtraServices, type ToolRuntime} from './services/agent/runtime.js'
import {systemPrompt} from './services/agent/system-prompt.js'
import {ToolRegistry} from './services/agent/tools.js'

export interface AgentWiring {
  runtime: ToolRuntime
  registry: ToolRegistry
  settings: AiSettings
  provider: ChatProvider
  /** Instances for the parser and the prompt; [] when no host is reachable (names are then taken as written). */
  instances(options?: {timeoutMs?: number}): Promise<IntentInstance[]>
  intentContext(focus?: string, options?: {timeoutMs?: number}): Promise<IntentContext>
  system(focus?: string): Promise<string>
  /** The host's name once a session is open. */
  hostName(): string | undefined
}

/** Labels are the engine's to say, but only well-formed names reach a prompt or the parser. */
const wellFormed = (instance: IntentInstance) =>
  RESOURCE_NAME.test(instance.tenant) && RESOURCE_NAME.test(instance.instance) && PLUG_ID.test(instance.plug)

/** Export, stats, health and events: the same services as their CLI commands, loaded when first used. */
export function extraServices(context: AimsContext, aimsVersion: string): ExtraServices {
  return {
    exportBundle: async (request, deps) => {
      const {exportBundle, validateExportOptions} = await import('./services/export.js')
      const checked = validateExportOptions({target: request.target, ...(request.out ? {out: request.out} : {})})
      return exportBundle(await context.exportDeps({session: deps.session, aimsVersion}), checked)
    },
    stats: async (request, session) =>
      (await import('./services/stats.js')).instanceStats(session, request.ref ? {ref: request.ref} : {}),
    health: async (request, session) =>
      (await import('./services/health-report.js')).checkHealth(session, request.ref ? {ref: request.ref} : {}),
    events: async (request, session) =>
      (await import('./services/events.js')).listEvents(session, {since: request.since, until: request.until}),
  }
}

export async function wireAgent(
  context: AimsContext,
  options: {hostFlag?: string; focus?: () => string | undefined},
): Promise<AgentWiring> {
  const [config, defaultTenant, services, aimsVersion, store, prices] = await Promise.all([
    context.config.read(),
    context.defaultTenant(),
    loadAgentServices(),
    packageVersion(),
    context.secrets(),
    context.prices(options.hostFlag),
  ])
  const {preferences} = config
  // "on staging" → --host staging: the parser knows the configured hosts and which one is current.
  const knownHosts = Object.keys(config.hosts)
  const currentHost = options.hostFlag ?? config.defaultHost ?? (knownHosts.length === 1 ? knownHosts[0] : undefined)
  const extras = extraServices(context, aimsVersion)
  // Env keys win; a key stored with `aims login` is read only when no env var holds one.
  const settings = await loadAiSettings({store, env: context.env, preferences})
  const registry = new ToolRegistry()
  let sessionPromise: Promise<HostSession> | undefined
  let host: string | undefined
  const session = () => {
    sessionPromise ??= (async () => {
      const opened = await context.session(await context.hostEntry(options.hostFlag))
      host = opened.host.name
      return opened
    })()
    return sessionPromise
  }
  const catalog = context.catalog()
  const runtime: ToolRuntime = {
    services,
    extras,
    defaultTenant,
    catalog,
    prices,
    clock: context.clock,
    session,
    lifecycleDeps: async (call) =>
      context.lifecycleDeps(await session(), {approver: call.approver, progress: call.progress, origin: call.origin}),
    secrets: new Set(),
  }

  let hostReachable = true
  const instances = async (lookup: {timeoutMs?: number} = {}): Promise<IntentInstance[]> => {
    if (!hostReachable) return []
    const listing = (async () => {
      const opened = await session()
      const {readInstances} = await import('./services/instances.js')
      const views = await readInstances(opened, await opened.engine())
      return views.map((view) => ({tenant: view.tenant, instance: view.instance, plug: view.plug})).filter(wellFormed)
    })()
    try {
      if (lookup.timeoutMs === undefined) return await listing
      let timer: NodeJS.Timeout | undefined
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), lookup.timeoutMs)
      })
      try {
        return await Promise.race([listing, timeout])
      } finally {
        clearTimeout(timer)
        listing.catch(() => undefined)
      }
    } catch {
      // No host, or not reachable: the parser takes names as written; tools report the real error.
      hostReachable = false
      return []
    }
  }

  const catalogItems = async () =>
    (await catalog.list()).map(({plug}) => ({
      id: plug.id,
      name: plug.name,
      tags: plug.tags,
      category: plug.category,
      description: plug.description,
    }))

  const intentContext = async (focus?: string, lookup: {timeoutMs?: number} = {}): Promise<IntentContext> => {
    const [items, running] = await Promise.all([catalogItems(), instances(lookup)])
    return {
      catalog: items,
      instances: running,
      defaultTenant,
      ...(focus ? {focus} : {}),
      hosts: knownHosts,
      ...(currentHost ? {host: currentHost} : {}),
    }
  }

  let provider: ChatProvider
  if (settings.provider === 'offline') {
    provider = new OfflineChatProvider({
      registry,
      context: () => intentContext(options.focus?.()),
      hostName: () => host,
    })
  } else {
    const {createProvider} = await import('./adapters/ai/factory.js')
    const apiKey = await storedProviderKey(settings, store)
    provider = await createProvider(settings, context.env, {}, apiKey === undefined ? {} : {apiKey})
  }

  const system = async (focus?: string) => {
    if (settings.provider === 'offline') return ''
    const [items, running] = await Promise.all([catalogItems(), instances()])
    return systemPrompt({
      defaultTenant,
      ...(host ? {host} : {}),
      ...(focus ? {focus} : {}),
      instances: running.map((item) => ({ref: `${item.tenant}/${item.instance}`, plug: item.plug, status: 'deployed'})),
      plugs: items.map((item) => item.id),
    })
  }

  return {runtime, registry, settings, provider, instances, intentContext, system, hostName: () => host}
}
