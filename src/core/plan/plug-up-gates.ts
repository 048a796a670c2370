/**
 * The eight pre-flight gates of `plug up`, one function each, all evaluated
 * on the plan before any effect: catalog, names, config, quota, host,
 * capacity, port, cost. A failed gate says what is wrong and what to do, and
 * the exit code the refusal carries. Pure.
 */
import {ExitCode} from '../errors.js'
import {findInstance, instanceDomain} from '../instances.js'
import {containerName, domainClaimProblem, formatBytes, volumeName} from '../names.js'
import type {GateCheck} from './plan.js'
import {formatMoney, instanceNetworkName, monthlyCost, PORT_RANGE, type PlugUpInput} from './plug-up.js'
import {tierRank} from './policy.js'

/** What the plan computed that the gates judge. */
export interface GateInput {
  hostPort: number | undefined
  resources: {cpus: number; memoryBytes: number; diskBytes: number}
  cost: number
  target: string
}

/** The eight pre-flight gates, all evaluated before any effect. */
export function preflightGates(input: PlugUpInput, computed: GateInput): GateCheck[] {
  return [
    catalogGate(input),
    namesGate(input, computed),
    configGate(input),
    quotaGate(input, computed),
    hostGate(input),
    capacityGate(input, computed),
    portGate(computed),
    costGate(input, computed),
  ]
}

function gate(
  id: GateCheck['id'],
  title: string,
  ok: boolean,
  detail: string,
  fix?: string,
  exitCode: ExitCode = ExitCode.failure,
): GateCheck {
  return {id, title, status: ok ? 'pass' : 'fail', detail, ...(ok || !fix ? {} : {fix}), ...(ok ? {} : {exitCode})}
}

const round2 = (value: number) => Math.round(value * 100) / 100

/** A number a gate can compare. NaN and undefined are not: a gate that meets one fails. */
export const known = (value: number | undefined): value is number => typeof value === 'number' && Number.isFinite(value)
/** `value <= limit`, provably: false when either side is NaN or missing (a plain `>` test would let NaN pass). */
export const within = (value: number | undefined, limit: number | undefined): boolean =>
  known(value) && known(limit) && value <= limit

function catalogGate({plug, plugFile}: PlugUpInput): GateCheck {
  return gate('catalog', 'catalog entry valid', true, `${plug.id} v${plug.version} from ${plugFile}`)
}

/** Free means: no container, volume or network name taken by someone else, and no instance of that name. */
function namesGate(input: PlugUpInput, computed: GateInput): GateCheck {
  const {request, facts} = input
  const title = 'names valid and free'
  const domain = instanceDomain(request.ref, input.host.domain, request.domain)
  const domainClaim = domain
    ? domainClaimProblem({
        domain,
        tenant: request.ref.tenant,
        instance: request.ref.instance,
        ...(input.host.domain ? {hostDomain: input.host.domain} : {}),
        owners: facts.instances.flatMap((view) =>
          view.domain ? [{tenant: view.tenant, instance: view.instance, domain: view.domain}] : [],
        ),
      })
    : undefined
  if (domainClaim) return gate('names', title, false, domainClaim.rule, domainClaim.fix, ExitCode.badInput)
  const clash = nameClash(input, computed.target)
  if (clash) {
    const owner = clash.owner === '' ? 'something aims did not create' : clash.owner
    return gate(
      'names',
      title,
      false,
      `${clash.name} is already used by ${owner} (names join tenant and instance with "-")`,
      `choose another name with --name, e.g. --name ${request.ref.instance}-2`,
      ExitCode.badInput,
    )
  }
  const existing = findInstance(facts.instances, request.ref)
  const interrupted = facts.interrupted.includes(computed.target)
  if (existing && !interrupted)
    return gate(
      'names',
      title,
      false,
      `${computed.target} already exists (${existing.plug}, ${existing.status})`,
      `choose another name with --name, e.g. --name ${request.ref.instance}-2, or take it down first`,
      ExitCode.badInput,
    )
  return gate(
    'names',
    title,
    true,
    interrupted ? `${computed.target} (replaces an interrupted deploy)` : `${computed.target} is free`,
  )
}

/** A container, volume or instance network this deploy would create that already belongs to someone else. */
function nameClash(input: PlugUpInput, target: string): {name: string; owner: string} | undefined {
  const owners = input.facts.objectOwners ?? {}
  const {tenant, instance} = input.request.ref
  const services = Object.keys(input.plug.services)
  const names = [
    ...services.map((service) => containerName(tenant, instance, service)),
    ...Object.values(input.plug.services).flatMap((service) =>
      service.volumes.map((volume) => volumeName(tenant, instance, volume.name)),
    ),
    ...(services.length > 1 ? [instanceNetworkName(tenant, instance)] : []),
  ]
  for (const name of names) {
    const owner = owners[name]
    if (owner !== undefined && owner !== target) return {name, owner}
  }
  return undefined
}

function configGate(input: PlugUpInput): GateCheck {
  const {missing, variables} = input.env
  if (missing.length > 0) {
    const flags = missing.map((item) => `--env ${item.key}=…`).join(' ')
    const questions = missing.map((item) => `${item.key}: ${item.spec.question ?? item.spec.description}`).join('; ')
    return gate(
      'config',
      'config complete',
      false,
      `missing ${missing.map((item) => item.key).join(', ')}`,
      `pass ${flags} or an --env-file (${questions})`,
      ExitCode.badInput,
    )
  }
  return gate('config', 'config complete', true, `${variables.length} variable${variables.length === 1 ? '' : 's'} set`)
}

/** The tenant's tier allows the plug, and its instances, CPUs and memory stay within the tier's limits. */
function quotaGate(input: PlugUpInput, computed: GateInput): GateCheck {
  const {plug, request, facts, policy} = input
  const {tenant} = request.ref
  const tenantInstances = facts.instances.filter((instance) => instance.tenant === tenant)
  // This instance counts once, whether or not leftovers of an interrupted deploy of it exist.
  const instancesAfter = tenantInstances.filter((instance) => instance.instance !== request.ref.instance).length + 1
  const tenantCpus = facts.tenantUsage.cpus
  const tenantMemory = facts.tenantUsage.memoryBytes
  const {cpus, memoryBytes} = computed.resources
  const problems: string[] = []
  // Every comparison is "provably within": a NaN or a missing number fails the gate, never passes it.
  if (!(tierRank(policy.tier) >= tierRank(plug.tier)))
    problems.push(`${plug.id} needs tier ${plug.tier}, tenant ${tenant} is ${policy.tier}`)
  if (!within(instancesAfter, policy.limits.instances))
    problems.push(`${instancesAfter - 1} of ${policy.limits.instances} instances used`)
  if (!within(tenantCpus + cpus, policy.limits.cpus + 1e-9))
    problems.push(`CPU ${round2(tenantCpus)} + ${cpus} > ${policy.limits.cpus}`)
  if (!within(tenantMemory + memoryBytes, policy.limits.memoryBytes))
    problems.push(
      `memory ${formatBytes(tenantMemory)} + ${formatBytes(memoryBytes)} > ${formatBytes(policy.limits.memoryBytes)}`,
    )
  if (problems.length > 0)
    return gate(
      'quota',
      'tenant quota',
      false,
      `tier ${policy.tier}: ${problems.join('; ')}`,
      `raise the tier (aims config set tenants.${tenant}.tier pro) or free resources`,
    )
  const used = [
    `${instancesAfter}/${policy.limits.instances} instances`,
    `${round2(tenantCpus + cpus)}/${policy.limits.cpus} CPU`,
    `${formatBytes(tenantMemory + memoryBytes)}/${formatBytes(policy.limits.memoryBytes)}`,
  ]
  return gate('quota', 'tenant quota', true, `tier ${policy.tier}: ${used.join(', ')}`)
}

function hostGate({facts, host}: PlugUpInput): GateCheck {
  return gate(
    'host',
    'host reachable, engine supported',
    compareVersions(facts.apiVersion, '1.41') >= 0,
    `Docker ${facts.engineVersion}, API ${facts.apiVersion} on ${host.name}`,
    'upgrade Docker on the host to 20.10 or newer',
  )
}

function capacityGate({facts, host}: PlugUpInput, computed: GateInput): GateCheck {
  const {memoryBytes, diskBytes} = computed.resources
  const memoryAvailable = known(facts.memAvailableBytes) ? facts.memAvailableBytes : facts.memTotalBytes
  const diskFree = facts.diskFreeBytes
  const problems: string[] = []
  const unknowns: string[] = []
  if (!known(memoryAvailable)) unknowns.push(`available memory on ${host.name} is unknown`)
  else if (!within(memoryBytes, memoryAvailable))
    problems.push(`needs ${formatBytes(memoryBytes)} memory, ${formatBytes(memoryAvailable)} available`)
  if (!known(diskFree)) unknowns.push(`free disk on ${host.name} is unknown (no statvfs answer for Docker's root dir)`)
  else if (!within(diskBytes, diskFree))
    problems.push(`needs ${formatBytes(diskBytes)} disk, ${formatBytes(diskFree)} free`)
  if (unknowns.length > 0)
    return gate(
      'capacity',
      'host capacity',
      false,
      `cannot check: ${[...unknowns, ...problems].join('; ')}`,
      `run aims doctor --host ${host.name}: the SSH user must be able to read /proc/meminfo ` +
        "and the SFTP server must answer statvfs (OpenSSH's does)",
    )
  if (problems.length > 0)
    return gate(
      'capacity',
      'host capacity',
      false,
      problems.join('; '),
      'free memory or disk on the host, lower --memory, or use a bigger host',
    )
  return gate(
    'capacity',
    'host capacity',
    true,
    `${formatBytes(memoryAvailable!)} memory available, ${formatBytes(diskFree!)} disk free`,
  )
}

function portGate(computed: GateInput): GateCheck {
  if (computed.hostPort === undefined)
    return gate(
      'port',
      'free host port',
      false,
      `all ports ${PORT_RANGE.first}-${PORT_RANGE.last} are taken`,
      'take down unused instances (aims plug ls)',
    )
  return gate('port', 'free host port', true, `${computed.hostPort}`)
}

/** The tenant's estimated monthly cost with this instance stays within its spending limit, if it has one. */
function costGate(input: PlugUpInput, computed: GateInput): GateCheck {
  const {request, facts, policy} = input
  const {tenant} = request.ref
  const currency = input.prices.currency
  const title = 'estimated cost within limit'
  if (policy.spendingLimit === undefined)
    return gate('cost', title, true, `${formatMoney(computed.cost, currency)}/month; no spending limit for ${tenant}`)
  const total = round2(monthlyCost(facts.tenantUsage, input.prices) + computed.cost)
  const limit = formatMoney(policy.spendingLimit, currency)
  if (!within(total, policy.spendingLimit))
    return gate(
      'cost',
      title,
      false,
      `${formatMoney(total, currency)}/month with this instance > limit ${limit}`,
      `raise it (aims config set tenants.${tenant}.spending-limit N) or lower --cpus/--memory`,
    )
  return gate('cost', title, true, `${formatMoney(total, currency)}/month of ${limit}`)
}

export function compareVersions(a: string, b: string): number {
  const left = a.split('.').map(Number)
  const right = b.split('.').map(Number)
  for (let index = 0; index < Math.max(left.length, right.length); index++) {
    const difference = (left[index] ?? 0) - (right[index] ?? 0)
    if (difference !== 0) return difference
  }
  return 0
}
