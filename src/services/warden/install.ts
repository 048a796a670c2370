/**
 * `aims warden install|uninstall|status|logs`: the warden is a container on the host, built there
 * from this aims (its packed files and production dependencies sent over the one connection as
 * the build context, on a Node base image the host's registry serves), with the Docker socket, the
 * state dir and host networking. Install and uninstall are plans through the one gate.
 */
import {heartbeatIsStale} from '../../core/warden/summary.js'
import {AimsError} from '../../core/errors.js'
import type {Plan, PlanChange} from '../../core/plan/plan.js'
import {setPolicyKey, type WardenPolicy} from '../../core/warden/policy.js'
import {passGate} from '../gate.js'
import type {LifecycleDeps} from '../ports.js'
import {recordAction} from '../record-action.js'
import {readHeartbeat, readPolicy, wardenPaths, writePolicy, type Heartbeat} from './store.js'

export const WARDEN_CONTAINER = 'aims-warden'
export const WARDEN_IMAGE = 'aims-warden'
export const WARDEN_LABELS = {role: 'aims.role', build: 'aims.warden-build', version: 'aims.warden-version'} as const
export const WARDEN_BASE_IMAGE = 'node:22-slim'

export interface WardenPackage {
  version: string
  build: string
  /** The gzipped tar of the package (only called when an image must be built). */
  pack(): Promise<Buffer>
}

export interface WardenInstallRequest {
  /** Policy keys set before the warden's first sweep (e.g. tenants, interval). */
  policy: Array<{key: string; value: string}>
}

export interface WardenInstallResult {
  status: 'installed' | 'already-installed' | 'dry-run'
  host: string
  version: string
  build: string
  image: string
  container: string
  replaced?: string
  plan?: Plan
  policy: WardenPolicy
  durationMs: number
}

const dockerfile = (base: string) =>
  [
    `FROM ${base}`,
    'ADD aims.tgz /opt/aims/',
    'ENV NODE_ENV=production',
    `LABEL aims.managed=true ${WARDEN_LABELS.role}=warden`,
    'ENTRYPOINT ["/opt/aims/bin/aims", "warden", "run"]',
    '',
  ].join('\n')

async function hostDocker(deps: LifecycleDeps, argv: string[], timeoutMs = 600_000): Promise<string> {
  const shell = await deps.session.shell()
  const result = await shell.exec(['docker', ...argv], {timeoutMs})
  if (result.exitCode !== 0)
    throw new AimsError(
      'remote',
      `docker ${argv[0]} on the host failed: ${(result.stderr || result.stdout).trim().slice(-400)}`,
      {
        hint: 'check that the docker CLI works on the host (docker version) and that node:22-slim can be pulled',
      },
    )
  return result.stdout.trim()
}

export async function installWarden(
  deps: LifecycleDeps,
  pkg: WardenPackage,
  request: WardenInstallRequest,
): Promise<WardenInstallResult> {
  const started = deps.clock.now().getTime()
  const host = deps.session.host
  const shell = await deps.session.shell()
  // Bad policy input is refused before anything changes.
  let policy = await readPolicy(shell, host.stateDir)
  for (const {key, value} of request.policy) policy = setPolicyKey(policy, key, value)
  const engine = await deps.session.engine()
  const existing = await engine.inspectContainer(WARDEN_CONTAINER)
  const image = `${WARDEN_IMAGE}:${pkg.build}`
  const base = {host: host.name, version: pkg.version, build: pkg.build, image, container: WARDEN_CONTAINER}
  if (
    existing?.state === 'running' &&
    existing.labels[WARDEN_LABELS.build] === pkg.build &&
    request.policy.length === 0
  )
    return {status: 'already-installed', ...base, policy, durationMs: deps.clock.now().getTime() - started}

  const previousBuild = existing?.labels[WARDEN_LABELS.build]
  const changes: PlanChange[] = [
    {action: 'build', kind: 'image', name: image, detail: `FROM ${WARDEN_BASE_IMAGE} + aims ${pkg.version}`},
    ...(existing
      ? [
          {
            action: 'remove' as const,
            kind: 'container' as const,
            name: WARDEN_CONTAINER,
            detail: previousBuild ?? existing.state,
          },
        ]
      : []),
    {
      action: 'create',
      kind: 'container',
      name: WARDEN_CONTAINER,
      detail: 'host network, Docker socket, state dir; restart unless-stopped',
    },
    ...(request.policy.length > 0
      ? [
          {
            action: 'write' as const,
            kind: 'instance' as const,
            name: wardenPaths(host.stateDir).policy,
            detail: request.policy.map((entry) => `${entry.key}=${entry.value}`).join(', '),
          },
        ]
      : []),
  ]
  const plan: Plan = {
    action: 'warden-install',
    summary: `${existing ? 'Reinstall' : 'Install'} the warden (aims ${pkg.version}) on ${host.name}`,
    host: host.name,
    target: WARDEN_CONTAINER,
    destructive: false,
    facts: [
      {label: 'build', value: pkg.build},
      ...(previousBuild ? [{label: 'replaces', value: previousBuild}] : []),
      {
        label: 'watches',
        value: policy.tenants.length > 0 ? `tenants ${policy.tenants.join(', ')}` : 'every aims instance',
      },
      {label: 'interval', value: `${policy.interval} s`},
    ],
    changes,
    gates: [],
  }
  if ((await passGate(plan, deps.approver)) === 'dry-run')
    return {status: 'dry-run', ...base, plan, policy, durationMs: 0}

  const dir = wardenPaths(host.stateDir).build
  try {
    deps.progress({step: 'create', message: 'packing aims'})
    const tarball = await pkg.pack()
    await shell.exec(['rm', '-rf', dir])
    await shell.mkdirp(dir)
    deps.progress({step: 'create', message: `sending the build context (${Math.round(tarball.length / 1048576)} MiB)`})
    await shell.writeFile(`${dir}/aims.tgz`, tarball)
    await shell.writeFile(`${dir}/Dockerfile`, dockerfile(WARDEN_BASE_IMAGE))
    deps.progress({step: 'create', message: `building ${image} on ${host.name}`})
    await hostDocker(deps, ['build', '-q', '-t', image, '--label', `${WARDEN_LABELS.build}=${pkg.build}`, dir])
    await writePolicy(shell, host.stateDir, policy)
    if (existing) await engine.removeContainer(existing.id, {force: true})
    deps.progress({step: 'start', message: `starting ${WARDEN_CONTAINER}`})
    const id = await engine.createContainer({
      name: WARDEN_CONTAINER,
      image,
      env: {
        AIMS_WARDEN_HOST: host.name,
        AIMS_WARDEN_STATE_DIR: host.stateDir,
        AIMS_WARDEN_BUILD: pkg.build,
        AIMS_WARDEN_NGINX_CONF_DIR: host.nginxConfDir,
        AIMS_HOME: `${host.stateDir}/warden/home`,
      },
      labels: {
        'aims.managed': 'true',
        [WARDEN_LABELS.role]: 'warden',
        [WARDEN_LABELS.build]: pkg.build,
        [WARDEN_LABELS.version]: pkg.version,
        'aims.created-by': deps.actor,
      },
      networks: [{name: 'host', aliases: []}],
      ports: [],
      volumes: [
        {source: host.dockerSocket, target: '/var/run/docker.sock', bind: true},
        {source: host.stateDir, target: host.stateDir, bind: true},
      ],
      restartPolicy: 'unless-stopped',
      init: true,
      memoryBytes: 256 * 1024 * 1024,
      stopTimeoutSeconds: 10,
    })
    await engine.startContainer(id)
  } catch (error) {
    await recordAction(deps, {
      action: 'warden install',
      target: WARDEN_CONTAINER,
      outcome: 'failed',
      detail: (error as Error).message,
    })
    throw error
  } finally {
    await shell.exec(['rm', '-rf', dir]).catch(() => undefined)
  }
  // Older builds' images are no longer needed (the one just built stays).
  await removeWardenImages(deps, image).catch(() => undefined)
  await recordAction(deps, {action: 'warden install', target: WARDEN_CONTAINER, outcome: 'applied', detail: pkg.build})
  return {
    status: 'installed',
    ...base,
    ...(previousBuild ? {replaced: previousBuild} : {}),
    plan,
    policy,
    durationMs: deps.clock.now().getTime() - started,
  }
}

async function wardenImages(deps: LifecycleDeps): Promise<string[]> {
  const out = await hostDocker(
    deps,
    ['images', '--filter', `label=${WARDEN_LABELS.role}=warden`, '--format', '{{.Repository}}:{{.Tag}}'],
    30_000,
  )
  return out.split('\n').filter((line) => line.startsWith(`${WARDEN_IMAGE}:`))
}

async function removeWardenImages(deps: LifecycleDeps, keep?: string): Promise<string[]> {
  const images = (await wardenImages(deps)).filter((image) => image !== keep)
  if (images.length > 0) await hostDocker(deps, ['rmi', ...images], 60_000)
  return images
}

export interface WardenUninstallResult {
  status: 'uninstalled' | 'not-installed' | 'dry-run'
  host: string
  removed: string[]
  plan?: Plan
}

/** Removes the container, its images and the warden's own files; `purge` also history, alerts and intents. */
export async function uninstallWarden(deps: LifecycleDeps, options: {purge: boolean}): Promise<WardenUninstallResult> {
  const host = deps.session.host
  const engine = await deps.session.engine()
  const shell = await deps.session.shell()
  const existing = await engine.inspectContainer(WARDEN_CONTAINER)
  const images = await wardenImages(deps)
  const paths = wardenPaths(host.stateDir)
  const files = [paths.dir, ...(options.purge ? [paths.history, paths.alerts, paths.intents] : [])]
  if (!existing && images.length === 0 && !options.purge && (await shell.listDir(paths.dir)) === undefined)
    return {status: 'not-installed', host: host.name, removed: []}
  const plan: Plan = {
    action: 'warden-uninstall',
    summary: `Uninstall the warden from ${host.name}`,
    host: host.name,
    target: WARDEN_CONTAINER,
    destructive: options.purge,
    facts: [{label: 'keeps', value: options.purge ? 'nothing' : 'health history, alert channels, intents'}],
    changes: [
      ...(existing
        ? [{action: 'remove' as const, kind: 'container' as const, name: WARDEN_CONTAINER, detail: existing.state}]
        : []),
      ...images.map((image) => ({action: 'remove' as const, kind: 'image' as const, name: image})),
      ...files.map((file) => ({action: 'remove' as const, kind: 'instance' as const, name: file})),
    ],
    gates: [],
  }
  if ((await passGate(plan, deps.approver)) === 'dry-run')
    return {status: 'dry-run', host: host.name, removed: [], plan}
  if (existing) await engine.removeContainer(existing.id, {force: true})
  if (images.length > 0) await hostDocker(deps, ['rmi', ...images], 60_000)
  await shell.exec(['rm', '-rf', ...files])
  await recordAction(deps, {action: 'warden uninstall', target: WARDEN_CONTAINER, outcome: 'applied'})
  return {
    status: 'uninstalled',
    host: host.name,
    removed: [...(existing ? [WARDEN_CONTAINER] : []), ...images, ...files],
    plan,
  }
}

export interface WardenStatus {
  host: string
  installed: boolean
  running: boolean
  state?: string
  version?: string
  build?: string
  cliBuild: string
  /** The warden runs other code than this CLI (fixed by `aims warden install`). */
  skew: boolean
  restarts?: number
  heartbeat?: Heartbeat
  /** Seconds since the last heartbeat (by the host's clock against the laptop's). */
  heartbeatAgeSeconds?: number
  /** No heartbeat for 3 intervals: the warden is not doing its job. */
  stale: boolean
}

export async function wardenStatus(
  deps: Pick<LifecycleDeps, 'session' | 'clock'>,
  cliBuild: string,
): Promise<WardenStatus> {
  const engine = await deps.session.engine()
  const shell = await deps.session.shell()
  const [details, heartbeat] = await Promise.all([
    engine.inspectContainer(WARDEN_CONTAINER),
    readHeartbeat(shell, deps.session.host.stateDir),
  ])
  const age = heartbeat ? Math.max(0, (deps.clock.now().getTime() - Date.parse(heartbeat.at)) / 1000) : undefined
  const build = details?.labels[WARDEN_LABELS.build]
  return {
    host: deps.session.host.name,
    installed: Boolean(details),
    running: details?.state === 'running',
    ...(details ? {state: details.state} : {}),
    ...(details?.labels[WARDEN_LABELS.version] ? {version: details.labels[WARDEN_LABELS.version]} : {}),
    ...(build ? {build} : {}),
    cliBuild,
    skew: Boolean(build && build !== cliBuild),
    ...(details && heartbeat ? {heartbeat} : {}),
    ...(details && age !== undefined ? {heartbeatAgeSeconds: Math.round(age)} : {}),
    stale: Boolean(details) && (age === undefined || heartbeatIsStale(age, heartbeat?.intervalSeconds)),
  }
}
