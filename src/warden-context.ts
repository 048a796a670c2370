/**
 * The warden's composition root (beside context.ts, the CLI's): inside its container on the host,
 * the engine is the local socket, the host's state dir is mounted at the same path, and every
 * action is taken with the warden's approver (its policy) and origin `warden`. The services are
 * the CLI's; only the wiring differs.
 */
import {hostname} from 'node:os'
import {DEFAULT_POLICY} from './core/warden/policy.js'
import type {ResolvedHost} from './core/host-target.js'
import type {WardenDeps} from './services/warden/loop.js'

export interface WardenEnvironment {
  /** The host's name as the CLI knows it (audit records and events carry it). */
  hostName: string
  stateDir: string
  dockerSocket: string
  nginxConfDir: string
  version: string
  build: string
}

export function wardenEnvironment(env: NodeJS.ProcessEnv, version: string): WardenEnvironment {
  return {
    hostName: env.AIMS_WARDEN_HOST || hostname(),
    stateDir: env.AIMS_WARDEN_STATE_DIR || '/var/lib/aims',
    dockerSocket: env.AIMS_WARDEN_DOCKER_SOCKET || '/var/run/docker.sock',
    nginxConfDir: env.AIMS_WARDEN_NGINX_CONF_DIR || '/etc/nginx/conf.d/plugs',
    version,
    build: env.AIMS_WARDEN_BUILD || version,
  }
}

export async function wardenDeps(environment: WardenEnvironment, log: (line: string) => void): Promise<WardenDeps> {
  const [
    {LocalHostSession},
    {systemClock},
    {newId},
    {hostLifecycleEventWriter},
    {wardenApprover},
    {HistoryWriter},
    {newRuntime},
    {readPolicy},
    {hostAlertSink},
    {httpPing, alertTransport},
  ] = await Promise.all([
    import('./adapters/local-session.js'),
    import('./context.js'),
    import('./adapters/random.js'),
    import('./services/lifecycle-events.js'),
    import('./services/warden/heal.js'),
    import('./services/warden/history.js'),
    import('./services/warden/loop.js'),
    import('./services/warden/store.js'),
    import('./services/warden/alert-sink.js'),
    import('./adapters/alert-transport.js'),
  ])
  const host: ResolvedHost = {
    name: environment.hostName,
    kind: 'local',
    dockerSocket: environment.dockerSocket,
    nginxConfDir: environment.nginxConfDir,
    stateDir: environment.stateDir,
  }
  const session = new LocalHostSession(host, {callTimeoutMs: 60_000})
  const shell = await session.shell()
  const runtime = newRuntime({...DEFAULT_POLICY}, systemClock.now())
  const actor = `warden@${environment.hostName}`
  const lifecycle = {
    session,
    clock: systemClock,
    newId,
    actor,
    // The host's audit copy is the warden's audit log: recordAction appends there.
    audit: {append: async () => undefined, list: async () => []},
    origin: {kind: 'warden' as const},
    recordEvent: hostLifecycleEventWriter(session),
    approver: wardenApprover(() => runtime.policy),
    progress: () => undefined,
  }
  return {
    session,
    shell,
    stateDir: environment.stateDir,
    clock: systemClock,
    newId,
    lifecycle,
    history: new HistoryWriter(shell, environment.stateDir),
    alerts: await hostAlertSink({
      shell,
      stateDir: environment.stateDir,
      clock: systemClock,
      log,
      session,
      newId,
      policy: () => runtime.policy,
      transport: alertTransport,
    }),
    gauge: {
      pid: process.pid,
      cpuMicros: () => {
        const usage = process.cpuUsage()
        return usage.user + usage.system
      },
      rssBytes: () => process.memoryUsage.rss(),
    },
    version: environment.version,
    build: environment.build,
    log,
    ping: httpPing,
    readPolicy: () => readPolicy(shell, environment.stateDir),
    runtime,
  }
}
