/**
 * The eight pre-flight gates of `plug up`, one function each, all evaluated
 * on the plan before any effect: catalog, names, config, quota, host,
 * capacity, port, cost. A failed gate says what is wrong and what to do, and
 * the exit code the refusal carries. Pure.
 */
import {ExitCode} from '../errors.js'
import {findInstance, instanceDomain} from '../instances.js'
import {containerName, domainClaimProblem, volumeName} from '../names.js'
import type {GateCheck} from './plan.js'
import {instanceNetworkName, PORT_RANGE, type PlugUpInput} from './plug-up.js'
import {capacityGate, costGate, quotaGate, resourceGate, type ResourceGateInput} from './resource-gates.js'

/** What the plan computed that the gates judge. */
export interface GateInput {
  hostPort: number | undefined
  resources: {cpus: number; memoryBytes: number; diskBytes: number}
  cost: number
  target: string
  /** The largest CPU limit of one of its containers (the host must have that many). */
  largestContainerCpus?: number
}

/** The eight pre-flight gates, all evaluated before any effect. */
export function preflightGates(input: PlugUpInput, computed: GateInput): GateCheck[] {
  const resources = resourceInput(input, computed)
  return [
    catalogGate(input),
    namesGate(input, computed),
    configGate(input),
    quotaGate(resources),
    hostGate(input),
    capacityGate(resources),
    portGate(computed),
    costGate(resources),
  ]
}

/** One gate's answer: the same shape as the resource gates'. */
const gate = resourceGate

export {known, within} from './resource-gates.js'

/** The plug up's view of the resource gates (resource-gates.ts): the new instance, all of it added. */
function resourceInput(input: PlugUpInput, computed: GateInput): ResourceGateInput {
  const {plug, request, facts, policy} = input
  const tenantInstances = facts.instances.filter((instance) => instance.tenant === request.ref.tenant)
  return {
    host: input.host,
    tenant: request.ref.tenant,
    // This instance counts once, whether or not leftovers of an interrupted deploy of it exist.
    instancesAfter: tenantInstances.filter((instance) => instance.instance !== request.ref.instance).length + 1,
    tenantOthers: facts.tenantUsage,
    instanceAfter: computed.resources,
    added: {memoryBytes: computed.resources.memoryBytes, diskBytes: computed.resources.diskBytes},
    largestContainerCpus: computed.largestContainerCpus ?? computed.resources.cpus,
    facts,
    policy,
    prices: input.prices,
    needsTier: {plug: plug.id, tier: plug.tier},
    lower: 'lower --memory',
  }
}

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

function hostGate({facts, host}: PlugUpInput): GateCheck {
  return gate(
    'host',
    'host reachable, engine supported',
    compareVersions(facts.apiVersion, '1.41') >= 0,
    `Docker ${facts.engineVersion}, API ${facts.apiVersion} on ${host.name}`,
    'upgrade Docker on the host to 20.10 or newer',
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

export function compareVersions(a: string, b: string): number {
  const left = a.split('.').map(Number)
  const right = b.split('.').map(Number)
  for (let index = 0; index < Math.max(left.length, right.length); index++) {
    const difference = (left[index] ?? 0) - (right[index] ?? 0)
    if (difference !== 0) return difference
  }
  return 0
}
