/**
 * The live proxy for instances: renders an instance's nginx conf and puts it
 * live on the host (nginx -t before reload, previous conf back on failure),
 * under the host's nginx lock so concurrent aims processes never test each
 * other's half-written files.
 */
import type {Plug} from '../core/catalog/schema.js'
import {
  confFileName,
  DEFAULT_INCLUDE_FILE,
  PLUG_CONF_TEMPLATE,
  proxySettingsFor,
  renderPlugConf,
  tlsFilesFor,
} from '../core/proxy/plug-conf.js'
import type {HostSession} from './ports.js'
import {boundAddress, httpHead} from './health.js'
import {LABEL} from '../core/engine-types.js'
import {applyPlugConf, removePlugConf} from './proxy.js'

export interface ProxyTarget {
  tenant: string
  instance: string
  plug: string
  domain: string
  proxy: Plug['proxy']
  /** Path routes (v2) to other services' published ports on 127.0.0.1. */
  routes?: Array<{path: string; hostPort: number}>
}

export interface ProxyManager {
  /**
   * Routes the domain to the given host ports (one per replica); throws with nginx's own message, the previous conf
   * left live.
   */
  apply(target: ProxyTarget, hostPorts: number[]): Promise<void>
  /** Removes the instance's conf (idempotent) and reloads. */
  remove(tenant: string, instance: string): Promise<boolean>
}

export const DEFAULT_PROXY: Plug['proxy'] = {client_max_body_size: '10m', read_timeout_seconds: 60, websockets: true}

export function nginxProxyManager(session: HostSession, loadTemplate: (name: string) => Promise<string>): ProxyManager {
  const host = session.host
  const locked = async <T>(work: () => Promise<T>): Promise<T> => {
    const lock = await session.lock('nginx', {wait: true, timeoutMs: 60_000})
    try {
      return await work()
    } finally {
      await lock.release()
    }
  }
  return {
    async apply(target, hostPorts) {
      // Each port where it is bound: loopback on one host, the node running the task in a cluster.
      const bindings = (
        await (
          await session.engine()
        ).listContainers({
          all: true,
          labels: {[LABEL.managed]: 'true', [LABEL.tenant]: target.tenant, [LABEL.instance]: target.instance},
        })
      ).flatMap((container) => container.ports)
      const content = renderPlugConf(await loadTemplate(PLUG_CONF_TEMPLATE), {
        tenant: target.tenant,
        instance: target.instance,
        plug: target.plug,
        serverNames: [target.domain],
        upstreams: hostPorts.map((port) => ({host: boundAddress(bindings, port), port})),
        routes: (target.routes ?? []).map((route) => ({
          path: route.path,
          host: boundAddress(bindings, route.hostPort),
          port: route.hostPort,
        })),
        proxy: proxySettingsFor(target.proxy),
        ...(host.tls ? {tls: tlsFilesFor(host.tls)} : {}),
      })
      const shell = await session.shell()
      await locked(() =>
        applyPlugConf(shell, {
          confDir: host.nginxConfDir,
          includeFile: DEFAULT_INCLUDE_FILE,
          fileName: confFileName(target.tenant, target.instance),
          content,
        }),
      )
      await routeSettles(session, target.domain, (owner) => owner === `${target.tenant}/${target.instance}`)
    },
    async remove(tenant, instance) {
      const shell = await session.shell()
      const domain = (await shell.readFile(`${host.nginxConfDir}/${confFileName(tenant, instance)}`))
        ?.toString('utf8')
        .match(/server_name ([^\s;]+)/)?.[1]
      const result = await locked(() =>
        removePlugConf(shell, {
          confDir: host.nginxConfDir,
          fileName: confFileName(tenant, instance),
          owner: {tenant, instance},
        }),
      )
      if (result.removed && domain) await routeSettles(session, domain, (owner) => owner !== `${tenant}/${instance}`)
      return result.removed
    },
  }
}

/**
 * `nginx -s reload` returns before old workers stop answering: wait until
 * nginx on the host serves the new route (each conf names its instance in an
 * X-Aims-Instance header), so "ready" means the URL works. An old worker that
 * has not yet seen the reload signal still accepts connections for a moment,
 * so one new answer is not enough: the route counts as settled after
 * SETTLED_ANSWERS new answers in a row, each on a new connection. Gives up
 * quietly after a few seconds: the reload itself succeeded.
 */
const SETTLED_ANSWERS = 3

async function routeSettles(
  session: HostSession,
  domain: string,
  ok: (owner: string | undefined) => boolean,
  budgetMs = 5000,
): Promise<boolean> {
  const deadline = Date.now() + budgetMs
  let delay = 25
  let inARow = 0
  for (;;) {
    try {
      const head = await httpHead(session, '127.0.0.1', 80, '/', {hostHeader: domain, timeoutMs: 1000})
      inARow = ok(head.headers['x-aims-instance']) ? inARow + 1 : 0
      if (inARow >= SETTLED_ANSWERS) return true
      if (inARow > 0) continue
    } catch {
      // nginx not answering on :80 at all (TLS-only or custom port): nothing to wait for.
      return false
    }
    if (Date.now() >= deadline) return false
    await new Promise((resolve) => setTimeout(resolve, delay))
    delay = Math.min(delay * 2, 250)
  }
}
