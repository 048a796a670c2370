/**
 * The gates every change that holds resources passes (issue 10, item 7):
 * tenant quota, host capacity (memory, CPU, disk) and estimated cost. `plug
 * up` judges a new instance with them; `plug scale`, `start` and `restart`
 * judge the instance as it will be after the change. One implementation, so
 * a change can never skip a check a deploy would have made. Pure.
 */
import type {Tier} from '../catalog/model.js'
import {ExitCode} from '../errors.js'
import {formatBytes} from '../names.js'
import type {GateCheck} from './plan.js'
import type {Prices, TenantPolicy} from './policy.js'
import {estimateMonthlyCost} from '../catalog/cost.js'
import {tierRank} from './policy.js'

export interface Resources {
  cpus: number
  memoryBytes: number
  diskBytes: number
}

/** What the resource gates judge. */
export interface ResourceGateInput {
  host: {name: string}
  tenant: string
  /** The tenant's instances after the change (this one counted once). */
  instancesAfter: number
  /** What the tenant's other objects hold (everything but this instance's containers). */
  tenantOthers: Resources
  /** What this instance holds after the change. */
  instanceAfter: Resources
  /** What the change adds on the host now (a new instance: all of it; a scale: what grows). */
  added: {memoryBytes: number; diskBytes: number}
  /** The largest CPU limit of one container after the change (Docker refuses more than the host has). */
  largestContainerCpus: number
  facts: {
    memTotalBytes: number
    memAvailableBytes?: number | undefined
    diskFreeBytes?: number | undefined
    /** CPUs the engine reports (docker info NCPU); absent when not gathered. */
    hostCpus?: number | undefined
  }
  policy: TenantPolicy
  prices: Prices
  /** The plug's tier (plug up, and changes of an instance whose plug is known). */
  needsTier?: {plug: string; tier: Tier} | undefined
  /** What the fix of a failed capacity gate tells to lower (plug up: --memory; scale: --replicas/--memory). */
  lower: string
}

export function resourceGate(
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

/** Quota, capacity and cost, in the order plug up shows them. */
export function resourceGates(input: ResourceGateInput): GateCheck[] {
  return [quotaGate(input), capacityGate(input), costGate(input)]
}

/** The tenant's tier allows the plug, and its instances, CPUs and memory stay within the tier's limits. */
export function quotaGate(input: ResourceGateInput): GateCheck {
  const {tenant, policy, tenantOthers, instanceAfter, instancesAfter, needsTier} = input
  const {cpus, memoryBytes} = instanceAfter
  const problems: string[] = []
  // Every comparison is "provably within": a NaN or a missing number fails the gate, never passes it.
  if (needsTier && !(tierRank(policy.tier) >= tierRank(needsTier.tier)))
    problems.push(`${needsTier.plug} needs tier ${needsTier.tier}, tenant ${tenant} is ${policy.tier}`)
  if (!within(instancesAfter, policy.limits.instances))
    problems.push(`${instancesAfter - 1} of ${policy.limits.instances} instances used`)
  if (!within(tenantOthers.cpus + cpus, policy.limits.cpus + 1e-9))
    problems.push(`CPU ${round2(tenantOthers.cpus)} + ${round2(cpus)} > ${policy.limits.cpus}`)
  if (!within(tenantOthers.memoryBytes + memoryBytes, policy.limits.memoryBytes))
    problems.push(
      `memory ${formatBytes(tenantOthers.memoryBytes)} + ${formatBytes(memoryBytes)} > ` +
        formatBytes(policy.limits.memoryBytes),
    )
  if (problems.length > 0)
    return resourceGate(
      'quota',
      'tenant quota',
      false,
      `tier ${policy.tier}: ${problems.join('; ')}`,
      `raise the tier (aims config set tenants.${tenant}.tier pro) or free resources`,
    )
  const used = [
    `${instancesAfter}/${policy.limits.instances} instances`,
    `${round2(tenantOthers.cpus + cpus)}/${policy.limits.cpus} CPU`,
    `${formatBytes(tenantOthers.memoryBytes + memoryBytes)}/${formatBytes(policy.limits.memoryBytes)}`,
  ]
  return resourceGate('quota', 'tenant quota', true, `tier ${policy.tier}: ${used.join(', ')}`)
}

/** The host has the memory and disk the change adds, and as many CPUs as any one container is limited to. */
export function capacityGate(input: ResourceGateInput): GateCheck {
  const {facts, host, added, largestContainerCpus} = input
  const memoryAvailable = known(facts.memAvailableBytes) ? facts.memAvailableBytes : facts.memTotalBytes
  const diskFree = facts.diskFreeBytes
  const problems: string[] = []
  const unknowns: string[] = []
  if (!known(memoryAvailable)) unknowns.push(`available memory on ${host.name} is unknown`)
  else if (!within(added.memoryBytes, memoryAvailable))
    problems.push(`needs ${formatBytes(added.memoryBytes)} memory, ${formatBytes(memoryAvailable)} available`)
  // A change that adds no disk (a start, a restart, more CPU) does not need to know the free disk: the warden's
  // own session on the host, for one, has no statvfs answer for Docker's root dir.
  if (!known(diskFree) && added.diskBytes > 0)
    unknowns.push(`free disk on ${host.name} is unknown (no statvfs answer for Docker's root dir)`)
  else if (known(diskFree) && !within(added.diskBytes, diskFree))
    problems.push(`needs ${formatBytes(added.diskBytes)} disk, ${formatBytes(diskFree)} free`)
  // Docker refuses a CPU limit above the host's CPU count at create/update, with a raw API message.
  const cpuProblem =
    facts.hostCpus !== undefined && !within(largestContainerCpus, facts.hostCpus)
      ? `a container limited to ${round2(largestContainerCpus)} CPU, the host has ${facts.hostCpus}`
      : undefined
  if (facts.hostCpus !== undefined && !known(facts.hostCpus)) unknowns.push(`the CPU count of ${host.name} is unknown`)
  else if (cpuProblem) problems.push(cpuProblem)
  if (unknowns.length > 0)
    return resourceGate(
      'capacity',
      'host capacity',
      false,
      `cannot check: ${[...unknowns, ...problems].join('; ')}`,
      `run aims doctor --host ${host.name}: the SSH user must be able to read /proc/meminfo ` +
        "and the SFTP server must answer statvfs (OpenSSH's does)",
    )
  if (problems.length > 0)
    return resourceGate(
      'capacity',
      'host capacity',
      false,
      problems.join('; '),
      cpuProblem && problems.length === 1
        ? `lower --cpus to ${facts.hostCpus} or less, or use a bigger host`
        : `free memory or disk on the host, ${input.lower}, or use a bigger host`,
    )
  const cpus = facts.hostCpus !== undefined ? `, ${facts.hostCpus} CPUs` : ''
  return resourceGate(
    'capacity',
    'host capacity',
    true,
    `${formatBytes(memoryAvailable!)} memory available, ` +
      `${known(diskFree) ? `${formatBytes(diskFree)} disk free` : 'no disk added'}${cpus}`,
  )
}

export function formatMoney(amount: number, currency: string): string {
  return `${currency} ${amount.toFixed(2)}`
}

/** The tenant's estimated monthly cost after the change stays within its spending limit, if it has one. */
export function costGate(input: ResourceGateInput): GateCheck {
  const {tenant, policy, prices, tenantOthers, instanceAfter} = input
  const currency = prices.currency
  const title = 'estimated cost within limit'
  const instanceCost = estimateMonthlyCost(instanceAfter, prices).total
  if (policy.spendingLimit === undefined)
    return resourceGate(
      'cost',
      title,
      true,
      `${formatMoney(instanceCost, currency)}/month; no spending limit for ${tenant}`,
    )
  const total = round2(estimateMonthlyCost(tenantOthers, prices).total + instanceCost)
  const limit = formatMoney(policy.spendingLimit, currency)
  if (!within(total, policy.spendingLimit))
    return resourceGate(
      'cost',
      title,
      false,
      `${formatMoney(total, currency)}/month with this instance > limit ${limit}`,
      `raise it (aims config set tenants.${tenant}.spending-limit N) or lower --cpus/--memory`,
    )
  return resourceGate('cost', title, true, `${formatMoney(total, currency)}/month of ${limit}`)
}
