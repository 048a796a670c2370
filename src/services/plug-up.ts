/**
 * `aims plug up`: validate → configure → plan with eight pre-flight gates →
 * the gate → pull → provision and create under the host lock → start in
 * dependency order → health gate → ready (or roll back everything this run
 * created and exit 4).
 *
 * Concurrency: a per-instance lock on the host makes two deploys of one name
 * exclusive; a host-wide allocation lock makes port, name and subnet choice
 * atomic across machines. A journal on the host marks a deploy in progress,
 * so a killed run is cleaned up by the next one.
 */
import {holdHostLock} from './host-lock.js'
import {sanitizeUntrusted} from '../core/text/sanitize.js'
import {AimsError, ExitCode} from '../core/errors.js'
import type {Plug} from '../core/catalog/schema.js'
import type {ResolvedHost} from '../core/host-target.js'
import {LABEL, type LogLine} from '../core/engine-types.js'
import {secretKeysFromLabels} from '../core/instances.js'
import {formatInstanceRef, type InstanceNames, type InstanceRef} from '../core/names.js'
import {resolveEnvSpec, type MissingVariable, type ResolvedVariable} from '../core/plan/env.js'
import type {PlugUpRequest} from '../core/plan/requests.js'
import type {Plan} from '../core/plan/plan.js'
import {
  buildPlugUpPlan,
  type DeploySpec,
  type HostFacts,
  type PlugUpPlan,
  type ServiceDeploy,
} from '../core/plan/plug-up.js'
import {tenantPolicy, type Prices} from '../core/plan/policy.js'
import {allocateSubnet} from '../core/network/subnets.js'
import {mirroredReference} from '../core/registry-mirror.js'
import {didYouMean} from '../core/suggest.js'
import type {CatalogSource} from './catalog-port.js'
import {passGate} from './gate.js'
import {probeService} from './health.js'
import {gatherHostFacts, journalPath, networkInUse, refreshHostFacts} from './host-facts.js'
import {emitLifecycleEvent} from './lifecycle-events.js'
import {recordAction} from './record-action.js'
import {recordRelease} from './upgrade.js'
import {pullAuth} from './registry.js'
import {readJournal, removeInterruptedDeploy} from './deploy-journal.js'
import type {Engine, HostLock, HostShell, LifecycleDeps} from './ports.js'

/** What plug up needs beyond any lifecycle change: the catalog, prices and policy, secrets, subnets. */
export interface PlugUpDeps extends LifecycleDeps {
  catalog: CatalogSource
  preferences: Record<string, unknown>
  prices: Prices
  generateSecret: (spec: {length: number; charset: string}) => string
  /** Asks for a missing required value (TTY only); absent → the config gate fails. */
  ask?: ((variable: MissingVariable) => Promise<string>) | undefined
  /** Subnet pool for tenant/instance networks. */
  networkPool: {pool: string; tenantPrefix: number; instancePrefix: number}
  /**
   * Aborted by Ctrl-C, SIGTERM or a closed output pipe (src/cli/interrupt.ts): the run stops at its next step
   * and rolls back what it created, like any other failure. Its reason is the error the run ends with.
   */
  signal?: AbortSignal | undefined
}

/** Stops the run between two steps once it was interrupted (the signal's reason is the error). */
const stopIfInterrupted = (deps: Pick<PlugUpDeps, 'signal'>) => deps.signal?.throwIfAborted()

/** Waits for work that leaves nothing of the instance behind (a pull), or for the interruption, whichever is first. */
function unlessInterrupted<T>(deps: Pick<PlugUpDeps, 'signal'>, work: Promise<T>): Promise<T> {
  const signal = deps.signal
  if (!signal) return work
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason)
    const abort = () => reject(signal.reason)
    signal.addEventListener('abort', abort, {once: true})
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort))
  })
}

export interface PlugUpResult {
  status: 'ready' | 'dry-run'
  instance: string
  plug: string
  host: string
  plan: Plan
  port: number
  localUrl: string
  domainUrl?: string
  deployId: string
  durationMs: number
  notes?: string
  warnings: string[]
}

export async function findPlug(catalog: CatalogSource, id: string): Promise<{plug: Plug; file: string}> {
  const entry = await catalog.find(id)
  if (entry) return {plug: entry.plug, file: entry.file}
  const ids = (await catalog.list()).map((item) => item.plug.id)
  const broken = (await catalog.issues()).find(
    (issue) => issue.file.endsWith(`/${id}.yaml`) || issue.file.endsWith(`/${id}.yml`),
  )
  if (broken)
    throw new AimsError(
      'validation',
      `the catalog entry for ${id} is invalid: ${broken.path ? `${broken.path}: ` : ''}${broken.message}`,
      {hint: `fix ${broken.file} (aims catalog validate)`},
    )
  throw new AimsError('not-found', `unknown plug "${id}"`, {
    hint: didYouMean(id, ids) ?? 'see aims catalog ls or aims catalog search WORDS',
  })
}

/** A wait between two checks; an interruption ends it at once. */
const sleep = (deps: Pick<PlugUpDeps, 'clock' | 'signal'>, ms: number) => deps.clock.sleep(ms, deps.signal)

/**
 * plug up, step by step: configure → plan → gate → lock → pull → provision →
 * start → health → proxy → ready. A failure after provisioning began rolls
 * back everything this run created (rollback) and is audited; any other
 * failure is recorded as a failed deploy.
 */
export async function plugUp(given: PlugUpDeps, request: PlugUpRequest): Promise<PlugUpResult> {
  // The request's env values are never recorded, whoever typed or said them (issue 10, item 8).
  const secrets = [...Object.values(request.envFlags), ...Object.values(request.envFile)]
  const deps = {...given, origin: {...given.origin, secrets: [...(given.origin.secrets ?? []), ...secrets]}}
  const deploy = await configure(deps, request)
  const first = await plan(deploy)
  await checkLinks(deploy)
  if ((await passGate(first.plan, deps.approver)) === 'dry-run') return dryRunResult(deploy, first)
  stopIfInterrupted(deps)
  const lock = await lockInstance(deploy)
  await emitLifecycleEvent(deps, {
    action: 'deploy-started',
    tenant: request.ref.tenant,
    instance: request.ref.instance,
    message: `deploying ${deploy.plug.id} as ${deploy.target}`,
  })
  let spec: DeploySpec
  try {
    stopIfInterrupted(deps)
    await cleanupInterrupted(deps, deploy.engine, request.ref)
    await pullImages(deploy, first.spec.images)
    stopIfInterrupted(deps)
    spec = await provisionUnderAllocationLock(deploy)
    stopIfInterrupted(deps)
    await startInOrder(deps, deploy.engine, spec)
    await healthGate(deps, deploy.engine, spec)
    stopIfInterrupted(deps)
    await routeProxy(deploy, spec)
    await deploy.shell.removeFile(journalPath(deploy.host.stateDir, spec.tenant, spec.instance))
  } catch (error) {
    throw await failed(deploy, error)
  } finally {
    await lock.release()
  }
  return ready(deploy, first, spec)
}

/** One plug up as it runs: what its steps share. */
interface Deploy {
  deps: PlugUpDeps
  request: PlugUpRequest
  plug: Plug
  plugFile: string
  /** TENANT/INSTANCE */
  target: string
  engine: Engine
  shell: HostShell
  host: ResolvedHost
  startedAt: number
  deployId: string
  env: {variables: ResolvedVariable[]; missing: MissingVariable[]}
  /** The host facts the last plan read (a later plan refreshes them). */
  facts?: HostFacts
  /** What this run has created, once provisioning began: rolled back on failure. */
  created?: DeploySpec
  warnings: string[]
}

/** Configure: the catalog entry, the host, and the env (flags > answers > env file > defaults > generated secrets). */
async function configure(deps: PlugUpDeps, request: PlugUpRequest): Promise<Deploy> {
  const startedAt = deps.clock.now().getTime()
  const {plug, file} = await findPlug(deps.catalog, request.plugId)
  const target = formatInstanceRef(request.ref)
  const engine = await deps.session.engine()
  const shell = await deps.session.shell()
  const host = deps.session.host
  const asked: Record<string, string> = {}
  const resolve = () =>
    resolveEnvSpec(plug, {flags: request.envFlags, file: request.envFile, asked}, (spec) => deps.generateSecret(spec))
  let env = resolve()
  if (env.missing.length > 0 && deps.ask) {
    for (const variable of env.missing) asked[variable.key] = await deps.ask(variable)
    env = resolve()
  }
  deps.progress({step: 'plan', message: `checking ${host.name}`})
  return {
    deps,
    request,
    plug,
    plugFile: file,
    target,
    engine,
    shell,
    host,
    startedAt,
    deployId: deps.newId(),
    env: {variables: env.variables, missing: env.missing},
    warnings: [],
  }
}

/** Plan: the host's facts (read, or refreshed after the first plan), then the plan with its gates. */
async function plan(deploy: Deploy): Promise<PlugUpPlan> {
  const {deps, request, engine} = deploy
  const {facts} = deploy.facts
    ? await refreshHostFacts(deps.session, engine, request.ref.tenant, deploy.facts)
    : await gatherHostFacts(deps.session, engine, request.ref.tenant)
  deploy.facts = facts
  return buildPlugUpPlan({
    plug: deploy.plug,
    plugFile: deploy.plugFile,
    request,
    env: deploy.env,
    host: deploy.host,
    facts,
    policy: tenantPolicy(deps.preferences, request.ref.tenant),
    prices: deps.prices,
    deployId: deploy.deployId,
    createdBy: deps.actor,
    networkPool: deps.networkPool.pool,
  })
}

/** Every --link names an instance on this host. */
async function checkLinks(deploy: Deploy): Promise<void> {
  for (const link of deploy.request.links) {
    const linked = await deploy.engine.listContainers({
      all: true,
      labels: {
        [LABEL.managed]: 'true',
        [LABEL.tenant]: link.tenant,
        [LABEL.instance]: link.instance,
        [LABEL.entry]: 'true',
      },
    })
    if (linked.length === 0)
      throw new AimsError('not-found', `--link ${formatInstanceRef(link)}: no such instance on ${deploy.host.name}`, {
        hint: 'see aims plug ls',
      })
  }
}

function dryRunResult(deploy: Deploy, first: PlugUpPlan): PlugUpResult {
  return {
    status: 'dry-run',
    instance: deploy.target,
    plug: deploy.plug.id,
    host: deploy.host.name,
    plan: first.plan,
    port: first.spec.entry.hostPort,
    localUrl: first.spec.localUrl,
    ...(first.spec.domain ? {domainUrl: domainUrl(first.spec, deploy.host.tls)} : {}),
    deployId: deploy.deployId,
    durationMs: deploy.deps.clock.now().getTime() - deploy.startedAt,
    warnings: [],
  }
}

/** Lock: one deploy or change of an instance at a time, across machines; a second one fails at once. */
async function lockInstance(deploy: Deploy): Promise<HostLock> {
  const {ref} = deploy.request
  return deploy.deps.session.lock(`instance-${ref.tenant}-${ref.instance}`, {wait: false}).catch((error: unknown) => {
    if (error instanceof AimsError && error.kind === 'conflict') {
      throw new AimsError(
        'conflict',
        `another aims process is deploying or changing ${deploy.target} on ${deploy.host.name} right now`,
        {hint: 'wait for it to finish (aims plug status), or pick another name with --name'},
      )
    }
    throw error
  })
}

/** Pull: outside the allocation lock, since it can take minutes; images already there are skipped. */
async function pullImages(deploy: Deploy, images: string[]): Promise<void> {
  const {deps, engine} = deploy
  for (const image of images) {
    if (await engine.imageExists(image)) continue
    // Through the host's registry mirror for other registries than Docker Hub, then tagged as the catalog names it,
    // so containers, upgrades and exports see the catalog's reference.
    const source = mirroredReference(image, deploy.host.registryMirror) ?? image
    deps.progress({step: 'pull', message: source === image ? `pulling ${image}` : `pulling ${image} from ${source}`})
    // Credentials of `aims registry login` for the registry pulled from, for this one pull.
    const auth = deps.registryAuth ? await pullAuth(deps.registryAuth, source) : undefined
    // An interrupted pull is abandoned (it creates nothing of the instance); the run then stops.
    await unlessInterrupted(
      deps,
      engine.pullImage(
        source,
        (event) =>
          deps.progress({
            step: 'pull',
            message: `${image}: ${event.status}${event.layer ? ` ${event.layer}` : ''}`,
            ...(event.current !== undefined ? {current: event.current} : {}),
            ...(event.total !== undefined ? {total: event.total} : {}),
          }),
        ...(auth ? [auth] : []),
      ),
    )
    if (source !== image) await engine.tagImage(source, image)
  }
}

/**
 * Provision: under the host-wide allocation lock, plan again (the port, names
 * and quota may have changed since the gate), write the journal that marks
 * the deploy in progress, and create networks, volumes and containers.
 */
async function provisionUnderAllocationLock(deploy: Deploy): Promise<DeploySpec> {
  const {deps, engine, shell, host} = deploy
  deps.progress({step: 'lock', message: `allocating a port on ${host.name}`})
  const allocation = await holdHostLock(deps, 'alloc', {
    timeoutMs: 120_000,
    doing: `plug up ${deploy.plug.id} as ${deploy.target}`,
    what: "the host's port allocation lock",
  })
  try {
    const fresh = await plan(deploy)
    const failedGate = fresh.plan.gates.find((gate) => gate.status === 'fail')
    if (failedGate) {
      throw new AimsError(
        failedGate.id === 'names' ? 'conflict' : 'quota',
        `${deploy.target} can no longer be deployed: ${failedGate.title}: ${failedGate.detail}`,
        {hint: failedGate.fix, ...(failedGate.exitCode ? {exitCode: failedGate.exitCode} : {})},
      )
    }
    const spec = fresh.spec
    stopIfInterrupted(deps)
    await shell.mkdirp(`${host.stateDir}/deploys`)
    await shell.writeFile(
      journalPath(host.stateDir, spec.tenant, spec.instance),
      JSON.stringify({
        deployId: spec.deployId,
        plug: deploy.plug.id,
        actor: deps.actor,
        startedAt: deps.clock.now().toISOString(),
      }),
      0o600,
    )
    deploy.created = spec
    await provision(deps, engine, spec)
    return spec
  } finally {
    await allocation.release()
  }
}

/** Proxy: nginx routes the instance's domain to its port (HTTP plugs with a domain). */
async function routeProxy(deploy: Deploy, spec: DeploySpec): Promise<void> {
  const {deps} = deploy
  if (!deps.proxy || spec.entry.protocol !== 'http' || !spec.domain) return
  deps.progress({step: 'proxy', message: `routing ${spec.domain}`})
  await deps.proxy.apply(
    {
      tenant: spec.tenant,
      instance: spec.instance,
      plug: spec.plug,
      domain: spec.domain,
      proxy: spec.proxy,
      ...(spec.routes.length > 0
        ? {routes: spec.routes.map((route) => ({path: route.path, hostPort: route.hostPort}))}
        : {}),
    },
    [spec.entry.hostPort],
  )
}

/**
 * A step failed. Once provisioning began: roll back what this run created,
 * remove the journal and audit the outcome (a rollback that could not finish
 * is reported with the error). Before that: record the failed deploy.
 * Returns the error to throw.
 */
async function failed(deploy: Deploy, error: unknown): Promise<unknown> {
  const {deps, engine, shell, host, created: spec} = deploy
  if (!spec) {
    // Nothing was created, but the change was approved and attempted: a failed pull is on the record.
    if (error instanceof AimsError && error.kind === 'pull')
      await recordAudit(deps, {
        action: 'plug up',
        target: deploy.target,
        outcome: 'failed',
        detail: error.message,
      }).catch(() => undefined)
    await emitLifecycleEvent(deps, {
      action: 'deploy-failed',
      tenant: deploy.request.ref.tenant,
      instance: deploy.request.ref.instance,
      message: `plug up failed: ${(error as Error).message}`,
    })
    return interrupted(error, `nothing was created on ${host.name}`, 'run aims plug up again when ready')
  }
  const failure = error instanceof AimsError ? error : new AimsError('engine', (error as Error).message)
  deps.progress({step: 'rollback', message: `rolling back ${deploy.target}`})
  const rolledBack = await rollback(deps, engine, spec).then(
    () => true,
    (rollbackError: Error) => {
      deploy.warnings.push(
        `rollback incomplete: ${rollbackError.message}; aims plug down ${deploy.target} removes the rest ` +
          '(aims ps and aims doctor show it)',
      )
      return false
    },
  )
  // The journal stays when the rollback could not finish: it marks what is left for the next command.
  if (rolledBack) await shell.removeFile(journalPath(host.stateDir, spec.tenant, spec.instance)).catch(() => undefined)
  await recordAudit(deps, {
    action: 'plug up',
    target: deploy.target,
    outcome: failure.kind === 'unhealthy' ? 'rolled-back' : 'failed',
    detail: failure.message,
  }).catch(() => undefined)
  if (deploy.warnings.length === 0)
    return interrupted(error, 'what this run created was removed', 'run aims plug up again when ready')
  return interrupted(failure, 'the rollback did not finish', `run aims plug down ${deploy.target}`).withDetails({
    warnings: deploy.warnings,
  })
}

/** An interruption's error says what became of the run; any other error is returned as it is. */
function interrupted<T>(error: T, outcome: string, hint: string): T | AimsError {
  if (!(error instanceof AimsError) || error.kind !== 'interrupted') return error
  return new AimsError('interrupted', `${error.message}: ${outcome}`, {hint, details: error.details, cause: error})
}

/** Ready: the deploy is audited and the instance's URLs returned. */
async function ready(deploy: Deploy, first: PlugUpPlan, spec: DeploySpec): Promise<PlugUpResult> {
  const {deps, plug, host, target, warnings} = deploy
  const remoteWarning = await recordAudit(deps, {
    action: 'plug up',
    target,
    outcome: 'applied',
    detail: `${plug.id} on port ${spec.entry.hostPort}`,
  })
  if (remoteWarning) warnings.push(remoteWarning)
  // The first release of the instance (aims plug releases); a history that cannot be written is a warning.
  await recordRelease(deps, deploy.request.ref, 'deploy').catch((error: Error) =>
    warnings.push(`the release was not recorded: ${error.message}`),
  )
  deps.progress({step: 'ready', message: `${target} is ready`})
  return {
    status: 'ready',
    instance: target,
    plug: plug.id,
    host: host.name,
    plan: first.plan,
    port: spec.entry.hostPort,
    localUrl: spec.localUrl,
    ...(spec.domain ? {domainUrl: domainUrl(spec, host.tls)} : {}),
    deployId: spec.deployId,
    durationMs: deps.clock.now().getTime() - deploy.startedAt,
    ...(plug.notes ? {notes: plug.notes} : {}),
    warnings,
  }
}

const domainUrl = (spec: DeploySpec, tls: unknown) => `${tls ? 'https' : 'http'}://${spec.domain}/`

const recordAudit = recordAction

/**
 * A previous run was killed mid-deploy: remove what it created (its deploy id is in the journal and on every object).
 */
async function cleanupInterrupted(deps: PlugUpDeps, engine: Engine, ref: InstanceRef): Promise<void> {
  const journal = await readJournal(deps.session, ref)
  if (!journal) return
  deps.progress({step: 'cleanup', message: `cleaning up an interrupted deploy of ${formatInstanceRef(ref)}`})
  await removeInterruptedDeploy(deps, engine, journal)
}

async function removeDeployObjects(
  deps: Pick<LifecycleDeps, 'session'>,
  engine: Engine,
  labels: Record<string, string>,
  ref: InstanceNames,
): Promise<void> {
  const containers = await engine.listContainers({all: true, labels})
  await Promise.all(containers.map((container) => engine.removeContainer(container.id, {force: true})))
  const volumes = await engine.listVolumes({labels})
  for (const volume of volumes) await engine.removeVolume(volume.name).catch(() => undefined)
  // Networks this deploy created: the instance network always; the tenant network only when nothing else uses it.
  const networks = await engine.listNetworks({
    labels: {
      [LABEL.managed]: 'true',
      [LABEL.tenant]: ref.tenant,
      ...(labels[LABEL.deployId] ? {[LABEL.deployId]: labels[LABEL.deployId]!} : {}),
    },
  })
  for (const network of networks) {
    if (!(await networkInUse(engine, network.name))) await engine.removeNetwork(network.id).catch(() => undefined)
  }
  void deps
}

async function provision(deps: PlugUpDeps, engine: Engine, spec: DeploySpec): Promise<void> {
  const existingSubnets = (await engine.listNetworks({})).flatMap((network) => network.subnets)
  for (const network of spec.networks) {
    if (network.exists) continue
    stopIfInterrupted(deps)
    deps.progress({step: 'network', message: `creating network ${network.name}`})
    const prefix = network.scope === 'tenant' ? deps.networkPool.tenantPrefix : deps.networkPool.instancePrefix
    const {subnet, gateway} = allocateSubnet({pool: deps.networkPool.pool, prefixLength: prefix, used: existingSubnets})
    existingSubnets.push(subnet)
    await engine.createNetwork({
      name: network.name,
      labels: {...network.labels, [LABEL.subnet]: subnet},
      subnet,
      gateway,
    })
  }
  for (const volume of spec.volumes) {
    stopIfInterrupted(deps)
    deps.progress({step: 'volume', message: `creating volume ${volume.name}`})
    await engine.createVolume(volume)
  }
  if (spec.files.length > 0) await writeFiles(deps, spec)
  for (const service of spec.services) {
    stopIfInterrupted(deps)
    deps.progress({step: 'create', message: `creating ${service.container.name}`})
    try {
      await engine.createContainer(service.container)
    } catch (error) {
      if (error instanceof AimsError && error.kind === 'conflict') {
        throw new AimsError(
          'conflict',
          `a container named ${service.container.name} already exists on ${deps.session.host.name}`,
          {hint: 'another tool or a name clash holds it; remove it or deploy under another --name'},
        )
      }
      throw error
    }
  }
  if (spec.links.length > 0) await provisionLinks(deps, engine, spec, existingSubnets)
}

/**
 * Cross-tenant links: a network of its own holding exactly this instance's
 * entry container and the linked instance's, so nothing else of either
 * tenant becomes reachable.
 */
async function provisionLinks(
  deps: PlugUpDeps,
  engine: Engine,
  spec: DeploySpec,
  usedSubnets: string[],
): Promise<void> {
  const entry = spec.services.find((service) => service.entry)!
  for (const link of spec.links) {
    const [target] = await engine.listContainers({
      all: true,
      labels: {
        [LABEL.managed]: 'true',
        [LABEL.tenant]: link.tenant,
        [LABEL.instance]: link.instance,
        [LABEL.entry]: 'true',
        [LABEL.replica]: '1',
      },
    })
    if (!target)
      throw new AimsError(
        'not-found',
        `--link ${formatInstanceRef(link)}: no such instance on ${deps.session.host.name}`,
        {hint: 'see aims plug ls'},
      )
    const name = linkNetworkName(spec, link)
    deps.progress({step: 'network', message: `linking ${formatInstanceRef(spec)} to ${formatInstanceRef(link)}`})
    const {subnet, gateway} = allocateSubnet({pool: deps.networkPool.pool, prefixLength: 28, used: usedSubnets})
    usedSubnets.push(subnet)
    await engine.createNetwork({
      name,
      subnet,
      gateway,
      labels: {
        [LABEL.managed]: 'true',
        [LABEL.tenant]: spec.tenant,
        [LABEL.instance]: spec.instance,
        [LABEL.createdBy]: deps.actor,
        [LABEL.deployId]: spec.deployId,
        'aims.network-scope': 'link',
        'aims.link-target': formatInstanceRef(link),
        [LABEL.subnet]: subnet,
      },
    })
    await engine.connectNetwork(name, entry.container.name, [])
    await engine.connectNetwork(name, target.id, [`${link.instance}.${link.tenant}`, `${link.tenant}-${link.instance}`])
  }
}

/**
 * Rendered config files (v2 `files:`): written before any container is created, in a dir only root can enter
 * (they may hold secrets), each file with the catalog's mode so the container's user can read its bind mount.
 */
async function writeFiles(deps: PlugUpDeps, spec: DeploySpec): Promise<void> {
  const shell = await deps.session.shell()
  const root = `${deps.session.host.stateDir}/files`
  await shell.mkdirp(root)
  await shell.exec(['chmod', '700', root])
  await shell.mkdirp(spec.filesDir)
  for (const file of spec.files) {
    deps.progress({step: 'file', message: `writing ${file.service}:${file.containerPath}`})
    await shell.mkdirp(file.hostPath.slice(0, file.hostPath.lastIndexOf('/')))
    await shell.writeFile(file.hostPath, file.content, file.mode)
  }
}

/** Removes an instance's rendered files (plug down, rollback); nothing when it has none. */
export async function removeInstanceFiles(shell: HostShell, filesDir: string): Promise<boolean> {
  if ((await shell.listDir(filesDir)) === undefined) return false
  const result = await shell.exec(['rm', '-rf', '--', filesDir])
  if (result.exitCode !== 0)
    throw new AimsError('engine', `could not remove ${filesDir}: ${sanitizeUntrusted(result.stderr.trim())}`)
  return true
}

export const linkNetworkName = (from: InstanceNames, to: InstanceNames) =>
  `aims-l-${from.tenant}-${from.instance}--${to.tenant}-${to.instance}`

async function startInOrder(deps: PlugUpDeps, engine: Engine, spec: DeploySpec): Promise<void> {
  const byName = new Map(spec.services.map((service) => [service.service, service]))
  for (const service of spec.services) {
    for (const [dependency, condition] of Object.entries(service.dependsOn)) {
      if (condition !== 'healthy') continue
      const target = byName.get(dependency)
      if (target) await waitHealthy(deps, engine, spec, target, `${service.service} waits for ${dependency}`)
    }
    stopIfInterrupted(deps)
    deps.progress({step: 'start', message: `starting ${service.service}`})
    await engine.startContainer(service.container.name)
    if (service.job) await waitCompleted(deps, engine, spec, service)
  }
}

/**
 * A one-shot job must exit 0 within the health gate's budget before anything that depends on it starts; it is
 * then removed (its volumes stay). Any other exit fails the deploy with the job's last log lines (exit 4).
 */
async function waitCompleted(deps: PlugUpDeps, engine: Engine, spec: DeploySpec, job: ServiceDeploy): Promise<void> {
  const budgetMs = spec.healthGate.retries * spec.healthGate.intervalMs
  const started = deps.clock.now().getTime()
  let delay = Math.min(50, spec.healthGate.intervalMs)
  for (;;) {
    const details = await engine.inspectContainer(job.container.name)
    if (details && (details.state === 'exited' || details.state === 'dead')) {
      if (details.exitCode === 0 && !details.oomKilled) {
        deps.progress({step: 'job', message: `${job.service} completed`})
        await engine.removeContainer(job.container.name, {force: true})
        return
      }
      throw await unhealthy(
        deps,
        engine,
        spec,
        job,
        `the one-shot job ${job.service} failed (exit code ${details.exitCode ?? '?'}` +
          `${details.oomKilled ? ', out of memory' : ''})`,
      )
    }
    const elapsed = deps.clock.now().getTime() - started
    if (elapsed >= budgetMs)
      throw await unhealthy(
        deps,
        engine,
        spec,
        job,
        `the one-shot job ${job.service} did not finish within ${Math.round(budgetMs / 1000)} s`,
      )
    deps.progress({step: 'job', message: `waiting for ${job.service} to complete (${Math.round(elapsed / 1000)} s)`})
    await sleep(deps, Math.min(delay, Math.max(0, budgetMs - elapsed)))
    delay = Math.min(delay * 2, spec.healthGate.intervalMs)
  }
}

async function healthGate(deps: PlugUpDeps, engine: Engine, spec: DeploySpec): Promise<void> {
  const entry = spec.services.find((service) => service.entry)!
  const others = spec.services.filter((service) => !service.entry && !service.job)
  for (const service of [...others, entry]) await waitHealthy(deps, engine, spec, service, `health gate`)
}

/**
 * Polls until healthy. The budget is the plug's health gate (default 30
 * checks 2 s apart = 60 s); the first checks come sooner (50 ms, doubling up
 * to the interval) so a fast app is ready as soon as it answers.
 */
async function waitHealthy(
  deps: PlugUpDeps,
  engine: Engine,
  spec: DeploySpec,
  service: ServiceDeploy,
  why: string,
): Promise<void> {
  const {retries, intervalMs} = spec.healthGate
  const budgetMs = retries * intervalMs
  const started = deps.clock.now().getTime()
  let delay = Math.min(50, intervalMs)
  let last: string
  let checks = 0
  for (;;) {
    stopIfInterrupted(deps)
    checks++
    const details = await engine.inspectContainer(service.container.name)
    // A container that exits or restarts will not become healthy: fail now, not after the whole budget.
    if (
      details &&
      (details.state === 'exited' ||
        details.state === 'dead' ||
        details.state === 'restarting' ||
        details.restartCount > 0)
    ) {
      const how = details.state === 'exited' || details.state === 'dead' ? 'exited' : 'crashed and was restarted'
      throw await unhealthy(
        deps,
        engine,
        spec,
        service,
        `${service.service} ${how}` +
          (details.exitCode ? ` (exit code ${details.exitCode})` : '') +
          (details.oomKilled ? ' (out of memory)' : ''),
      )
    }
    const result = await probeService(deps.session, engine, {
      probe: service.probe,
      containerId: service.container.name,
      ...(details ? {details} : {}),
      ...(service.entry ? {hostPort: spec.entry.hostPort, entryContainerPort: spec.entry.containerPort} : {}),
    })
    if (result.ok) {
      deps.progress({step: 'health', message: `${service.service} is healthy (${result.detail})`})
      return
    }
    last = result.detail
    const elapsed = deps.clock.now().getTime() - started
    if (elapsed >= budgetMs) break
    deps.progress({
      step: 'health',
      message:
        `${why}: waiting for ${service.service} (${Math.round(elapsed / 1000)}/${Math.round(budgetMs / 1000)} ` +
        `s: ${last})`,
    })
    await sleep(deps, Math.min(delay, Math.max(0, budgetMs - elapsed)))
    delay = Math.min(delay * 2, intervalMs)
  }
  throw await unhealthy(
    deps,
    engine,
    spec,
    service,
    `${service.service} did not become healthy within ${Math.round(budgetMs / 1000)} s (${checks} checks; ` +
      `last: ${last})`,
  )
}

/** The failing service's last 50 log lines (secrets masked, control characters removed) in an exit-4 error. */
async function unhealthy(
  deps: PlugUpDeps,
  engine: Engine,
  spec: DeploySpec,
  service: ServiceDeploy,
  reason: string,
): Promise<AimsError> {
  let lines: LogLine[]
  try {
    // Timestamps let stdout and stderr lines be put back in the order they were written.
    lines = (await engine.logs(service.container.name, {tail: 50, timestamps: true}))
      .map((line, index) => ({line, index}))
      .sort((a, b) => (a.line.time?.getTime() ?? 0) - (b.line.time?.getTime() ?? 0) || a.index - b.index)
      .map(({line}) => line)
  } catch {
    lines = []
  }
  const secrets = Object.entries(service.container.env)
    .filter(([key]) => secretKeysFromLabels(service.container.labels).includes(key))
    .map(([, value]) => value)
    .filter((value) => value.length >= 4)
  const logs = lines.map((line) =>
    secrets.reduce((text, secret) => text.split(secret).join('••••••'), sanitizeUntrusted(line.text)),
  )
  return new AimsError(
    'unhealthy',
    `${formatInstanceRef(spec)} failed its health gate: ${reason}; everything this deploy created was removed`,
    {
      hint: `see the log lines above; fix the configuration and run plug up again`,
      exitCode: ExitCode.unhealthy,
      details: {service: service.service, container: service.container.name, logs},
    },
  )
}

async function rollback(deps: PlugUpDeps, engine: Engine, spec: DeploySpec): Promise<void> {
  await removeDeployObjects(
    deps,
    engine,
    {
      [LABEL.managed]: 'true',
      [LABEL.tenant]: spec.tenant,
      [LABEL.instance]: spec.instance,
      [LABEL.deployId]: spec.deployId,
    },
    spec,
  )
  // The tenant network carries the deploy id of the run that created it, not the instance label.
  const tenantNetwork = spec.networks.find((network) => network.scope === 'tenant' && !network.exists)
  if (tenantNetwork) {
    const details = await engine.inspectNetwork(tenantNetwork.name)
    if (
      details &&
      details.labels[LABEL.deployId] === spec.deployId &&
      !(await networkInUse(engine, tenantNetwork.name))
    )
      await engine.removeNetwork(details.id).catch(() => undefined)
  }
  if (deps.proxy && spec.domain) await deps.proxy.remove(spec.tenant, spec.instance).catch(() => undefined)
  if (spec.files.length > 0) await removeInstanceFiles(await deps.session.shell(), spec.filesDir)
}
