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
import {AimsError, ExitCode, usageError} from '../core/errors.js'
import type {Plug} from '../core/catalog/schema.js'
import {LABEL, type LogLine} from '../core/engine-types.js'
import {secretKeysFromLabels} from '../core/instances.js'
import {
  checkDomain,
  checkResourceName,
  formatInstanceRef,
  parseCpus,
  parseInstanceRef,
  parseMemorySize,
  type InstanceRef,
} from '../core/names.js'
import {
  parseEnvAssignment,
  parseEnvFile,
  resolveEnvSpec,
  type MissingVariable,
  type ResolvedVariable,
} from '../core/plan/env.js'
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
import {didYouMean} from '../core/suggest.js'
import {sanitizeUntrusted} from '../ui/present/text.js'
import type {AuditLog, AuditRecord} from './audit.js'
import type {CatalogSource} from './catalog-port.js'
import {passGate, type Approver} from './gate.js'
import {probeService} from './health.js'
import {gatherHostFacts, journalPath, networkInUse, refreshHostFacts} from './host-facts.js'
import {emitLifecycleEvent, type LifecycleEventWriter} from './lifecycle-events.js'
import {recordAction} from './record-action.js'
import type {Clock, Engine, HostSession} from './ports.js'
import type {Progress} from './progress.js'
import type {ProxyManager} from './proxy-manager.js'

export interface PlugUpOptions {
  plug: string
  name?: string
  tenant: string
  /** KEY=VALUE items from --env. */
  env: string[]
  envFile?: {path: string; text: string}
  domain?: string
  cpus?: string
  memory?: string
  expose: boolean
  links: string[]
}

export type {ProxyManager}

export interface Origin {
  kind: AuditRecord['origin']
  argv?: string[]
  utterance?: string
}

export interface PlugUpDeps {
  session: HostSession
  catalog: CatalogSource
  preferences: Record<string, unknown>
  prices: Prices
  clock: Clock
  newId: () => string
  generateSecret: (spec: {length: number; charset: string}) => string
  actor: string
  audit: AuditLog
  approver: Approver
  progress: Progress
  /** Asks for a missing required value (TTY only); absent → the config gate fails. */
  ask?: (variable: MissingVariable) => Promise<string>
  proxy?: ProxyManager
  origin: Origin
  /** Subnet pool for tenant/instance networks. */
  networkPool: {pool: string; tenantPrefix: number; instancePrefix: number}
  /** Appends aims' lifecycle events to the host's events file (absent: not recorded). */
  recordEvent?: LifecycleEventWriter
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

export interface ValidatedRequest {
  plugId: string
  ref: InstanceRef
  envFlags: Record<string, string>
  envFile: Record<string, string>
  cpus?: number
  memoryBytes?: number
  domain?: string
  expose: boolean
  links: InstanceRef[]
}

/** Everything the user typed, checked before any I/O (exit 2, no side effect). */
export function validatePlugUpOptions(options: PlugUpOptions): ValidatedRequest {
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(options.plug)) {
    throw usageError(
      `unknown plug ${JSON.stringify(options.plug.length > 60 ? `${options.plug.slice(0, 57)}…` : options.plug)}`,
      'plug ids are lower-case words such as n8n or uptime-kuma; see aims catalog ls',
    )
  }
  const tenant = checkResourceName('tenant', options.tenant)
  const instance = checkResourceName('instance', options.name ?? options.plug)
  const envFlags: Record<string, string> = {}
  for (const item of options.env) {
    const [key, value] = parseEnvAssignment(item)
    envFlags[key] = value
  }
  const envFile = options.envFile ? parseEnvFile(options.envFile.text, options.envFile.path) : {}
  const links = options.links.map((link) => {
    if (!link.includes('/')) throw usageError(`invalid --link ${JSON.stringify(link)}`, 'write --link TENANT/INSTANCE')
    return parseInstanceRef(link)
  })
  for (const link of links)
    if (link.tenant === tenant && link.instance === instance)
      throw usageError('an instance cannot link to itself', 'drop that --link')
  return {
    plugId: options.plug,
    ref: {tenant, instance},
    envFlags,
    envFile,
    ...(options.cpus !== undefined ? {cpus: parseCpus(options.cpus)} : {}),
    ...(options.memory !== undefined ? {memoryBytes: parseMemorySize(options.memory)} : {}),
    ...(options.domain !== undefined ? {domain: checkDomain(options.domain)} : {}),
    expose: options.expose,
    links,
  }
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

const sleep = (clock: Clock, ms: number) => clock.sleep(ms)

export async function plugUp(deps: PlugUpDeps, options: PlugUpOptions): Promise<PlugUpResult> {
  const started = deps.clock.now().getTime()
  const request = validatePlugUpOptions(options)
  const {plug, file} = await findPlug(deps.catalog, request.plugId)
  const target = formatInstanceRef(request.ref)
  const engine = await deps.session.engine()
  const shell = await deps.session.shell()
  const host = deps.session.host

  // Configure: flags > answers > env file > defaults > generated secrets.
  const asked: Record<string, string> = {}
  let env = resolveEnvSpec(plug, {flags: request.envFlags, file: request.envFile, asked}, (spec) =>
    deps.generateSecret(spec),
  )
  if (env.missing.length > 0 && deps.ask) {
    for (const variable of env.missing) asked[variable.key] = await deps.ask(variable)
    env = resolveEnvSpec(plug, {flags: request.envFlags, file: request.envFile, asked}, (spec) =>
      deps.generateSecret(spec),
    )
  }
  const variables: ResolvedVariable[] = env.variables

  deps.progress({step: 'plan', message: `checking ${host.name}`})
  const deployId = deps.newId()
  let lastFacts: HostFacts | undefined
  const makePlan = async (): Promise<PlugUpPlan> => {
    const {facts} = lastFacts
      ? await refreshHostFacts(deps.session, engine, request.ref.tenant, lastFacts)
      : await gatherHostFacts(deps.session, engine, request.ref.tenant)
    lastFacts = facts
    return buildPlugUpPlan({
      plug,
      plugFile: file,
      request: {
        tenant: request.ref.tenant,
        instance: request.ref.instance,
        ...(request.cpus !== undefined ? {cpus: request.cpus} : {}),
        ...(request.memoryBytes !== undefined ? {memoryBytes: request.memoryBytes} : {}),
        ...(request.domain ? {domain: request.domain} : {}),
        expose: request.expose,
        links: request.links,
      },
      env: {variables, missing: env.missing},
      host,
      facts,
      policy: tenantPolicy(deps.preferences, request.ref.tenant),
      prices: deps.prices,
      deployId,
      createdBy: deps.actor,
    })
  }
  const first = await makePlan()
  for (const link of request.links) {
    const linked = await engine.listContainers({
      all: true,
      labels: {
        [LABEL.managed]: 'true',
        [LABEL.tenant]: link.tenant,
        [LABEL.instance]: link.instance,
        [LABEL.entry]: 'true',
      },
    })
    if (linked.length === 0)
      throw new AimsError('not-found', `--link ${formatInstanceRef(link)}: no such instance on ${host.name}`, {
        hint: 'see aims plug ls',
      })
  }
  const decision = await passGate(first.plan, deps.approver)
  if (decision === 'dry-run') {
    return {
      status: 'dry-run',
      instance: target,
      plug: plug.id,
      host: host.name,
      plan: first.plan,
      port: first.spec.entry.hostPort,
      localUrl: first.spec.localUrl,
      ...(first.spec.domain ? {domainUrl: domainUrl(first.spec, host.tls)} : {}),
      deployId,
      durationMs: deps.clock.now().getTime() - started,
      warnings: [],
    }
  }

  // Apply.
  const instanceLock = await deps.session
    .lock(`instance-${request.ref.tenant}-${request.ref.instance}`, {wait: false})
    .catch((error: unknown) => {
      if (error instanceof AimsError && error.kind === 'conflict') {
        throw new AimsError(
          'conflict',
          `another aims process is deploying or changing ${target} on ${host.name} right now`,
          {hint: 'wait for it to finish (aims plug status), or pick another name with --name'},
        )
      }
      throw error
    })
  const warnings: string[] = []
  let spec: DeploySpec | undefined
  let created = false
  await emitLifecycleEvent(deps, {
    action: 'deploy-started',
    tenant: request.ref.tenant,
    instance: request.ref.instance,
    message: `deploying ${plug.id} as ${target}`,
  })
  try {
    await cleanupInterrupted(deps, engine, request.ref)

    // Pull outside the allocation lock: it can take minutes.
    for (const image of first.spec.images) {
      if (await engine.imageExists(image)) continue
      deps.progress({step: 'pull', message: `pulling ${image}`})
      await engine.pullImage(image, (event) =>
        deps.progress({
          step: 'pull',
          message: `${image}: ${event.status}${event.layer ? ` ${event.layer}` : ''}`,
          ...(event.current !== undefined ? {current: event.current} : {}),
          ...(event.total !== undefined ? {total: event.total} : {}),
        }),
      )
    }

    // Allocate and create atomically with respect to other aims processes.
    deps.progress({step: 'lock', message: `allocating a port on ${host.name}`})
    const allocation = await deps.session.lock('alloc', {wait: true, timeoutMs: 120_000})
    try {
      const fresh = await makePlan()
      const failed = fresh.plan.gates.filter((gate) => gate.status === 'fail')
      if (failed.length > 0) {
        const gate = failed[0]!
        throw new AimsError(
          gate.id === 'names' ? 'conflict' : 'quota',
          `${target} can no longer be deployed: ${gate.title}: ${gate.detail}`,
          {...(gate.fix ? {hint: gate.fix} : {}), ...(gate.exitCode ? {exitCode: gate.exitCode} : {})},
        )
      }
      spec = fresh.spec
      await shell.mkdirp(`${host.stateDir}/deploys`)
      await shell.writeFile(
        journalPath(host.stateDir, spec.tenant, spec.instance),
        JSON.stringify({
          deployId: spec.deployId,
          plug: plug.id,
          actor: deps.actor,
          startedAt: deps.clock.now().toISOString(),
        }),
        0o600,
      )
      created = true
      await provision(deps, engine, spec)
    } finally {
      await allocation.release()
    }

    await startInOrder(deps, engine, spec)
    await healthGate(deps, engine, spec)

    if (deps.proxy && spec.entry.protocol === 'http' && spec.domain) {
      deps.progress({step: 'proxy', message: `routing ${spec.domain}`})
      await deps.proxy.apply(
        {tenant: spec.tenant, instance: spec.instance, plug: spec.plug, domain: spec.domain, proxy: spec.proxy},
        [spec.entry.hostPort],
      )
    }
    await shell.removeFile(journalPath(host.stateDir, spec.tenant, spec.instance))
  } catch (error) {
    if (created && spec) {
      const failure = error instanceof AimsError ? error : new AimsError('engine', (error as Error).message)
      deps.progress({step: 'rollback', message: `rolling back ${target}`})
      await rollback(deps, engine, spec).catch((rollbackError: Error) =>
        warnings.push(`rollback incomplete: ${rollbackError.message}`),
      )
      await shell.removeFile(journalPath(host.stateDir, spec.tenant, spec.instance)).catch(() => undefined)
      await recordAudit(deps, {
        action: 'plug up',
        target,
        outcome: failure.kind === 'unhealthy' ? 'rolled-back' : 'failed',
        detail: failure.message,
      })
      if (warnings.length > 0) throw failure.withDetails({warnings})
    } else {
      // Nothing was created, but the change was approved and attempted: a failed pull is on the record.
      if (error instanceof AimsError && error.kind === 'pull')
        await recordAudit(deps, {action: 'plug up', target, outcome: 'failed', detail: error.message}).catch(
          () => undefined,
        )
      await emitLifecycleEvent(deps, {
        action: 'deploy-failed',
        tenant: request.ref.tenant,
        instance: request.ref.instance,
        message: `plug up failed: ${(error as Error).message}`,
      })
    }
    throw error
  } finally {
    await instanceLock.release()
  }

  const remoteWarning = await recordAudit(deps, {
    action: 'plug up',
    target,
    outcome: 'applied',
    detail: `${plug.id} on port ${spec.entry.hostPort}`,
  })
  if (remoteWarning) warnings.push(remoteWarning)
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
    durationMs: deps.clock.now().getTime() - started,
    ...(plug.notes ? {notes: plug.notes} : {}),
    warnings,
  }
}

const domainUrl = (spec: DeploySpec, tls: unknown) => `${tls ? 'https' : 'http'}://${spec.domain}/`

const recordAudit = recordAction

/** A previous run was killed mid-deploy: remove what it created (its deploy id is in the journal and on every object). */
async function cleanupInterrupted(deps: PlugUpDeps, engine: Engine, ref: InstanceRef): Promise<void> {
  const shell = await deps.session.shell()
  const path = journalPath(deps.session.host.stateDir, ref.tenant, ref.instance)
  const journal = await shell.readFile(path)
  if (!journal) return
  let deployId: string | undefined
  try {
    deployId = (JSON.parse(journal.toString('utf8')) as {deployId?: string}).deployId
  } catch {
    deployId = undefined
  }
  deps.progress({step: 'cleanup', message: `cleaning up an interrupted deploy of ${formatInstanceRef(ref)}`})
  const labels = {
    [LABEL.managed]: 'true',
    [LABEL.tenant]: ref.tenant,
    [LABEL.instance]: ref.instance,
    ...(deployId ? {[LABEL.deployId]: deployId} : {}),
  }
  await removeDeployObjects(deps, engine, labels, ref)
  await shell.removeFile(path)
}

async function removeDeployObjects(
  deps: Pick<PlugUpDeps, 'session'>,
  engine: Engine,
  labels: Record<string, string>,
  ref: InstanceRef,
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
    deps.progress({step: 'volume', message: `creating volume ${volume.name}`})
    await engine.createVolume(volume)
  }
  for (const service of spec.services) {
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

export const linkNetworkName = (from: InstanceRef, to: InstanceRef) =>
  `aims-l-${from.tenant}-${from.instance}--${to.tenant}-${to.instance}`

async function startInOrder(deps: PlugUpDeps, engine: Engine, spec: DeploySpec): Promise<void> {
  const byName = new Map(spec.services.map((service) => [service.service, service]))
  for (const service of spec.services) {
    for (const [dependency, condition] of Object.entries(service.dependsOn)) {
      if (condition !== 'healthy') continue
      const target = byName.get(dependency)
      if (target) await waitHealthy(deps, engine, spec, target, `${service.service} waits for ${dependency}`)
    }
    deps.progress({step: 'start', message: `starting ${service.service}`})
    await engine.startContainer(service.container.name)
  }
}

async function healthGate(deps: PlugUpDeps, engine: Engine, spec: DeploySpec): Promise<void> {
  const entry = spec.services.find((service) => service.entry)!
  const others = spec.services.filter((service) => !service.entry)
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
        `${service.service} ${how}${details.exitCode ? ` (exit code ${details.exitCode})` : ''}${details.oomKilled ? ' (out of memory)' : ''}`,
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
      message: `${why}: waiting for ${service.service} (${Math.round(elapsed / 1000)}/${Math.round(budgetMs / 1000)} s: ${last})`,
    })
    await sleep(deps.clock, Math.min(delay, Math.max(0, budgetMs - elapsed)))
    delay = Math.min(delay * 2, intervalMs)
  }
  throw await unhealthy(
    deps,
    engine,
    spec,
    service,
    `${service.service} did not become healthy within ${Math.round(budgetMs / 1000)} s (${checks} checks; last: ${last})`,
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
}
