/**
 * `aims stats`: one resource sample of every running container of the
 * selected instances, all sampled at once over the session's one connection,
 * summed per instance.
 */
import type {StatsSample} from '../core/engine-types.js'
import {AimsError} from '../core/errors.js'
import {findInstance, type InstanceView} from '../core/instances.js'
import type {InstanceRef} from '../core/names.js'
import {aggregateStats, type InstanceStats} from '../core/stats.js'
import {readInstances, requireInstance} from './instances.js'
import type {Engine, HostSession} from './ports.js'

export interface StatsQuery {
  tenant?: string
  ref?: InstanceRef
}

export interface StatsReport {
  host: string
  sampledAt: string
  durationMs: number
  instances: InstanceStats[]
}

/**
 * Runs `work` over items with at most `limit` in flight. The engine answers
 * a stats request only at its next collection tick (about a second), so
 * requests must overlap; the limit keeps them from taking every socket the
 * connection pools.
 */
export async function mapWithLimit<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  const lane = async () => {
    while (next < items.length) {
      const index = next++
      results[index] = await work(items[index]!)
    }
  }
  await Promise.all(Array.from({length: Math.min(limit, items.length)}, lane))
  return results
}

/** Samples the running containers of the given instances; a container gone meanwhile is just not sampled. */
export async function sampleContainers(
  engine: Engine,
  views: InstanceView[],
  limit: number,
): Promise<Map<string, StatsSample>> {
  const running = views.flatMap((view) =>
    view.replicas.filter((replica) => replica.state === 'running').map((replica) => replica.containerId),
  )
  const samples = await mapWithLimit(running, limit, async (id) => {
    try {
      return await engine.stats(id)
    } catch (error) {
      if (error instanceof AimsError && error.kind === 'not-found') return undefined
      throw error
    }
  })
  return new Map(samples.flatMap((sample, index) => (sample ? [[running[index]!, sample] as const] : [])))
}

export async function instanceStats(
  session: HostSession,
  query: StatsQuery,
  options: {concurrency?: number; now?: () => Date} = {},
): Promise<StatsReport> {
  const now = options.now ?? (() => new Date())
  const started = now()
  const engine = await session.engine()
  let views: InstanceView[]
  if (query.ref) {
    // One listing either way; requireInstance adds the did-you-mean when it is missing.
    const all = await readInstances(session, engine, {tenant: query.ref.tenant})
    const found = findInstance(all, query.ref)
    views = [found ?? (await requireInstance(session, engine, query.ref))]
  } else {
    views = await readInstances(session, engine, query.tenant ? {tenant: query.tenant} : {})
  }
  // 16 matches the SSH session's socket pool: every sample of a normal host fits in one engine tick.
  const samples = await sampleContainers(engine, views, options.concurrency ?? 16)
  return {
    host: session.host.name,
    sampledAt: started.toISOString(),
    durationMs: now().getTime() - started.getTime(),
    instances: aggregateStats(views, samples),
  }
}
