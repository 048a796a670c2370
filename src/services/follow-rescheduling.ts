/**
 * When Swarm moves a task to another node (a node died, was drained, or the task failed), its
 * host-mode port opens on the new node: the entry node's nginx must follow. This is the warden's
 * periodic task (and `aims cluster reroute`): compare each routed instance's nginx upstream with
 * the nodes that run its tasks now, and rewrite the routes that moved, through the one gate.
 * Swarm does the rescheduling; aims only re-points the routes.
 */
import {confFileName} from '../core/proxy/plug-conf.js'
import type {Plan, PlanChange} from '../core/plan/plan.js'
import {passGate} from './gate.js'
import {readInstances} from './instances.js'
import type {LifecycleDeps} from './ports.js'
import {DEFAULT_PROXY} from './proxy-manager.js'
import {recordAction} from './record-action.js'

export interface RouteMove {
  instance: string
  domain: string
  /** host:port upstreams nginx had, and the ones it has now. */
  from: string[]
  to: string[]
}

export interface FollowReschedulingResult {
  /** Routed instances looked at. */
  checked: number
  moved: RouteMove[]
  /** Instances none of whose entry tasks runs anywhere right now: their route is left as it is. */
  waiting: string[]
  dryRun: boolean
  at: string
}

/** `server 10.99.0.2:51001;` lines of an instance's upstream block. */
export function upstreamServers(conf: string): string[] {
  const block = /upstream\s+\S+\s*\{([^}]*)\}/.exec(conf)?.[1] ?? ''
  return [...block.matchAll(/^\s*server\s+([^\s;]+)/gm)].map((match) => match[1]!).sort()
}

const sameRoute = (a: string[], b: string[]) => a.length === b.length && a.every((item, index) => item === b[index])

export async function followRescheduling(deps: LifecycleDeps, now: Date): Promise<FollowReschedulingResult> {
  const result: FollowReschedulingResult = {checked: 0, moved: [], waiting: [], dryRun: false, at: now.toISOString()}
  if (!deps.proxy) return result
  const engine = await deps.session.engine()
  const shell = await deps.session.shell()
  const instances = (await readInstances(deps.session, engine)).filter((view) => view.domain)
  const pending: Array<{view: (typeof instances)[number]; ports: number[]; move: RouteMove}> = []
  await Promise.all(
    instances.map(async (view) => {
      const conf = await shell.readFile(`${deps.session.host.nginxConfDir}/${confFileName(view.tenant, view.instance)}`)
      if (!conf) return
      result.checked++
      const running = view.replicas.filter(
        (replica) => replica.entry && replica.state === 'running' && replica.hostPort,
      )
      if (running.length === 0) {
        result.waiting.push(view.ref)
        return
      }
      const to = running.map((replica) => `${replica.hostAddress ?? '127.0.0.1'}:${replica.hostPort}`).sort()
      const from = upstreamServers(conf.toString('utf8'))
      if (sameRoute(from, to)) return
      pending.push({
        view,
        ports: running.map((replica) => replica.hostPort!),
        move: {instance: view.ref, domain: view.domain!, from, to},
      })
    }),
  )
  if (pending.length === 0) return result
  const changes: PlanChange[] = pending.map(({move}) => ({
    action: 'write',
    kind: 'proxy-conf',
    name: move.instance,
    detail: `${move.domain}: ${move.from.join(', ') || 'none'} → ${move.to.join(', ')}`,
  }))
  const plan: Plan = {
    action: 'cluster-reroute',
    summary: `Re-point ${pending.length} route${pending.length === 1 ? '' : 's'} at the nodes now running their tasks`,
    host: deps.session.host.name,
    target: deps.session.host.name,
    destructive: false,
    facts: [{label: 'why', value: 'Swarm moved tasks to other nodes'}],
    changes,
    gates: [],
  }
  if ((await passGate(plan, deps.approver)) === 'dry-run')
    return {...result, moved: pending.map((item) => item.move), dryRun: true}
  for (const {view, ports, move} of pending) {
    deps.progress({step: 'proxy', message: `routing ${move.domain} to ${move.to.join(', ')}`})
    const plug = await deps.catalog?.find(view.plug).catch(() => undefined)
    await deps.proxy.apply(
      {
        tenant: view.tenant,
        instance: view.instance,
        plug: view.plug,
        domain: move.domain,
        proxy: plug?.plug.proxy ?? DEFAULT_PROXY,
      },
      ports,
    )
    result.moved.push(move)
    await recordAction(deps, {
      action: 'cluster reroute',
      target: view.ref,
      outcome: 'applied',
      detail: `${move.from.join(', ')} → ${move.to.join(', ')}`,
    }).catch(() => undefined)
  }
  return result
}
