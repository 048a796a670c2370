/**
 * What shell completion knows, read for one TAB (beside the composition root, like agent-context.ts): hosts and
 * preferences from the local config (AIMS_HOME), plug ids from the catalog, instances and tenants from a cache
 * of the default host's listing, refreshed by a live read of at most 1.5 s when older than 30 s.
 */
import {mkdir, readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {TIERS} from './core/catalog/model.js'
import type {CompletionData} from './core/complete.js'
import {LOCAL_HOST} from './core/host-target.js'
import {PREFERENCE_KEYS, readPreferences} from './core/preferences.js'
import type {AimsContext} from './context.js'

const FRESH_MS = 30_000
const LIVE_TIMEOUT_MS = 1_500

interface Cached {
  at: number
  instances: string[]
}

async function hostInstances(context: AimsContext, live: boolean): Promise<string[]> {
  const entry = await context.hostEntry()
  const file = join(context.paths.cacheDir, 'complete', `${entry.name.replace(/[^\w.-]/g, '_')}.json`)
  const cached = await readFile(file, 'utf8')
    .then((text) => JSON.parse(text) as Cached)
    .catch(() => undefined)
  if (cached && (!live || Date.now() - cached.at < FRESH_MS)) return cached.instances
  if (!live) return []
  const read = (async () => {
    const [{listInstances}, session] = await Promise.all([import('./services/instances.js'), context.session(entry)])
    return (await listInstances(session, {probe: false})).map((view) => view.ref)
  })()
  const timeout = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), LIVE_TIMEOUT_MS).unref())
  const instances = await Promise.race([read.catch(() => undefined), timeout])
  if (!instances) return cached?.instances ?? []
  await mkdir(join(context.paths.cacheDir, 'complete'), {recursive: true})
  await writeFile(file, JSON.stringify({at: Date.now(), instances} satisfies Cached))
  return instances
}

export async function completionData(
  context: AimsContext,
  needs: ReadonlySet<keyof CompletionData>,
): Promise<CompletionData> {
  const config = await context.config.read()
  const preferences = readPreferences(config.preferences)
  const defaultTenant = preferences.string('default-tenant') ?? preferences.string('defaultTenant')
  const wantsTenants = needs.has('tenants') || needs.has('configKeys')
  const [plugs, instances] = await Promise.all([
    needs.has('plugs')
      ? context
          .catalog()
          .list()
          .then((entries) => entries.map((entry) => entry.plug.id))
          .catch(() => [])
      : [],
    needs.has('instances') || wantsTenants ? hostInstances(context, needs.has('instances')).catch(() => []) : [],
  ])
  const configured = Object.keys((config.preferences.tenants as Record<string, unknown> | undefined) ?? {})
  const tenants = [
    ...new Set([
      ...instances.map((ref) => ref.split('/')[0]!),
      ...configured,
      ...(defaultTenant ? [defaultTenant] : []),
    ]),
  ]
  const configKeys = PREFERENCE_KEYS.flatMap(({pattern}) =>
    pattern.startsWith('tenants.*')
      ? tenants.map((tenant) => pattern.replace('*', tenant))
      : pattern.startsWith('tiers.*')
        ? TIERS.map((tier) => pattern.replace('*', tier))
        : [pattern],
  )
  return {
    hosts: [...new Set([...Object.keys(config.hosts), LOCAL_HOST])],
    tenants,
    instances,
    plugs,
    configKeys,
    ...(defaultTenant ? {defaultTenant} : {}),
  }
}
