/**
 * Names and values that users type, validated before anything else happens.
 * Everything here is pure. A value that passes these checks is safe to use in
 * Docker object names, labels, nginx conf and file paths on the host.
 */
import {shown, usageError} from './errors.js'

/** Tenant and instance names: DNS-label-like, 1-32 chars. */
export const RESOURCE_NAME = /^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/
/** Catalog plug ids as commands accept them (the catalog itself holds resource names). */
export const PLUG_ID = /^[a-z0-9][a-z0-9-]{0,62}$/
/** aims host entry names: a little looser (dots, underscores) but still plain. */
export const HOST_ENTRY_NAME = /^[a-z0-9]([a-z0-9._-]{0,30}[a-z0-9])?$/
/** Environment variable names as POSIX shells accept them. */
export const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/
/** A DNS name: labels of letters, digits and inner hyphens; a trailing dot is not allowed. */
const DNS_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/

export const DEFAULT_TENANT = 'default'

export type NameKind = 'tenant' | 'instance' | 'host' | 'service' | 'volume'

function describe(kind: NameKind): string {
  return kind === 'host' ? 'host name' : `${kind} name`
}

export function checkResourceName(kind: NameKind, value: string): string {
  const pattern = kind === 'host' ? HOST_ENTRY_NAME : RESOURCE_NAME
  if (pattern.test(value)) return value
  const reason =
    value.length === 0
      ? 'is empty'
      : value.length > 32
        ? `is ${value.length} characters long (at most 32)`
        : /[A-Z]/.test(value) && pattern.test(value.toLowerCase())
          ? 'has upper-case letters'
          : 'may only hold lower-case letters, digits and inner hyphens'
  const suggestion = kind === 'host' ? 'e.g. vps or prod-1' : 'e.g. acme or n8n-2'
  throw usageError(
    `invalid ${describe(kind)} ${shown(value)}: it ${reason}`,
    `use 1-32 of a-z, 0-9 and "-" (${suggestion})`,
  )
}

export const isResourceName = (value: string) => RESOURCE_NAME.test(value)

export function checkEnvKey(key: string): string {
  if (ENV_KEY.test(key)) return key
  throw usageError(
    `invalid environment variable name ${shown(key)}`,
    'use letters, digits and "_", not starting with a digit (e.g. DB_PASSWORD)',
  )
}

/** A domain name: lower-case DNS labels, at least two of them, at most 253 characters. */
export function isDomainName(value: string): boolean {
  if (value.length === 0 || value.length > 253) return false
  const labels = value.split('.')
  return labels.length >= 2 && labels.every((label) => DNS_LABEL.test(label))
}

/** A label nginx or a resolver reads as a number: decimal, 0x hex or 0-led octal (as in 127.0.0.1, 0x7f.1, 0177.1). */
const NUMERIC_LABEL = /^(\d+|0x[0-9a-f]*)$/

/**
 * Why a value cannot be a domain aims routes, or undefined. Beyond DNS syntax:
 * IP literals in any form (dotted, decimal, hex, octal, v6, bracketed) would
 * take over the host's default site; `localhost` is the host itself; `_`,
 * `*`, `~`, a leading dot and `default_server` mean something else to nginx.
 */
export function domainProblem(value: string): string | undefined {
  const lower = value.toLowerCase()
  if (value === '') return 'it is empty'
  if (/^\[.*\]$/.test(value) || value.includes(':')) return 'it is an IP address (IPv6), not a name'
  const labels = lower.split('.')
  if (labels.every((label) => NUMERIC_LABEL.test(label)) || NUMERIC_LABEL.test(labels.at(-1) ?? ''))
    return 'it is an IP address (or reads as one), not a name'
  if (lower === 'localhost' || lower.endsWith('.localhost')) return 'localhost is the host itself'
  if (/^[*~.]|^_$|default_server/.test(lower)) return 'nginx reads it as a wildcard, a regex or a default server'
  return isDomainName(lower) ? undefined : 'it is not a plain DNS name'
}

export function checkDomain(value: string): string {
  const problem = domainProblem(value)
  if (problem === undefined) return value.toLowerCase()
  throw usageError(
    `invalid domain ${shown(value)}: ${problem}`,
    'give a DNS name of your own such as app.example.com (lower-case labels, at least two)',
  )
}

/**
 * Who may claim `domain` (DESIGN: a tenant owns *.TENANT.DOMAIN). `owners` are
 * the domains instances hold now, read from the engine's aims.domain labels
 * (the source of truth), as TENANT/INSTANCE → domain. Returns the broken rule,
 * or undefined when `tenant`/`instance` may have it.
 */
export function domainClaimProblem(input: {
  domain: string
  tenant: string
  instance: string
  hostDomain?: string
  owners: Array<{tenant: string; instance: string; domain: string}>
}): {rule: string; fix: string} | undefined {
  const {domain, tenant, instance, hostDomain} = input
  if (hostDomain) {
    if (domain === hostDomain)
      return {
        rule: `${domain} is the host's own domain (the apex): no instance may claim it`,
        fix: `use ${instance}.${tenant}.${hostDomain}, or a domain of your own`,
      }
    if (domain.endsWith(`.${hostDomain}`)) {
      const labels = domain.slice(0, -hostDomain.length - 1).split('.')
      const owner = labels.at(-1)!
      if (owner !== tenant)
        return {
          rule: `${domain} is inside tenant ${owner}'s name space (*.${owner}.${hostDomain})`,
          fix:
            `tenant ${tenant} owns *.${tenant}.${hostDomain}: ` +
            `use e.g. ${instance}.${tenant}.${hostDomain}, or a domain of your own`,
        }
      if (labels.length === 1)
        return {
          rule: `${domain} is tenant ${tenant}'s own name, not an instance's`,
          fix: `use a name under it, e.g. ${instance}.${tenant}.${hostDomain}`,
        }
    }
  }
  const under = (child: string, parent: string) => child === parent || child.endsWith(`.${parent}`)
  for (const owner of input.owners) {
    if (owner.tenant === tenant && owner.instance === instance) continue
    if (owner.domain === domain)
      return {
        rule: `${domain} is already claimed by ${owner.tenant}/${owner.instance}`,
        fix: 'pick another domain, or take that instance down first',
      }
    if (owner.tenant !== tenant && (under(domain, owner.domain) || under(owner.domain, domain)))
      return {
        rule:
          `${domain} overlaps ${owner.domain}, ` +
          `claimed by tenant ${owner.tenant} (${owner.tenant}/${owner.instance})`,
        fix:
          'a custom domain and the names under it belong to the tenant that claimed it first: ' +
          'pick a domain outside it',
      }
  }
  return undefined
}

/** A host name or IP address to connect to (no user, no port). */
export function isNetworkHost(value: string): boolean {
  if (value.length === 0 || value.length > 253) return false
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(value)) return value.split('.').every((octet) => Number(octet) <= 255)
  if (value.includes(':')) return /^[0-9a-f:.]+$/i.test(value) && value.split(':').length <= 8
  return value.split('.').every((label) => /^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$/.test(label))
}

declare const checked: unique symbol

/**
 * A tenant and an instance name that passed checkResourceName. Only
 * parseInstanceRef and instanceRef make one, so a function that takes an
 * InstanceRef never checks it again: input is validated once, where it enters.
 */
export interface InstanceRef {
  readonly tenant: string
  readonly instance: string
  readonly [checked]: true
}

/** A tenant and an instance as read back (labels, a plan's spec): for display and lookups, not checked. */
export type InstanceNames = Pick<InstanceRef, 'tenant' | 'instance'>

/** The ref of a tenant and an instance name, both checked (usage errors name the bad one). */
export function instanceRef(tenant: string, instance: string): InstanceRef {
  return {
    tenant: checkResourceName('tenant', tenant),
    instance: checkResourceName('instance', instance),
  } as InstanceRef
}

/** `NAME` (in the default tenant) or `TENANT/NAME`. */
export function parseInstanceRef(value: string, defaultTenant = DEFAULT_TENANT): InstanceRef {
  const parts = value.split('/')
  if (parts.length === 1) return instanceRef(defaultTenant, value)
  if (parts.length === 2) return instanceRef(parts[0] ?? '', parts[1] ?? '')
  throw usageError(`invalid instance ${shown(value)}`, 'write NAME or TENANT/NAME, e.g. acme/n8n')
}

export const formatInstanceRef = (ref: InstanceNames) => `${ref.tenant}/${ref.instance}`

// Docker object names (docs/ARCHITECTURE.md, "The host is the source of truth"). All inputs are validated resource
// names,
// so the results are valid Docker names too.
export const containerName = (tenant: string, instance: string, service: string, replica = 1) =>
  `aims-${tenant}-${instance}-${service}${replica > 1 ? `-${replica}` : ''}`
export const tenantNetworkName = (tenant: string) => `aims-t-${tenant}`
export const volumeName = (tenant: string, instance: string, volume: string) => `aims-${tenant}-${instance}-${volume}`

/**
 * A memory size such as 512m, 1g, 1.5GiB or 268435456 (bytes), to bytes.
 * Rejects anything else with a hint, so `--memory lots` never reaches Docker.
 */
export function parseMemorySize(value: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(b|k|kb|kib|m|mb|mib|g|gb|gib|t|tb|tib)?$/i.exec(value.trim())
  const unit = (match?.[2] ?? 'b').toLowerCase()[0] as 'b' | 'k' | 'm' | 'g' | 't'
  const factor = {b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4}[unit]
  const bytes = match ? Math.round(Number(match[1]) * factor) : Number.NaN
  // Docker refuses limits under 6 MiB; so do we, with a clearer message.
  if (!Number.isFinite(bytes) || bytes < 6 * 1024 ** 2 || bytes > 1024 ** 4) {
    throw usageError(`invalid memory size ${shown(value)}`, 'give a size between 6m and 1t, such as 512m or 2g')
  }
  return bytes
}

/** A CPU count such as 0.5, 1 or 4. */
export function parseCpus(value: string): number {
  const cpus = /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : Number.NaN
  if (!Number.isFinite(cpus) || cpus < 0.01 || cpus > 512) {
    throw usageError(`invalid CPU count ${shown(value)}`, 'give a positive number such as 0.5, 1 or 2')
  }
  return Math.round(cpus * 100) / 100
}

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return 'unknown'
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes
  let unit = 0
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${unit === 0 ? value : value.toFixed(value >= 10 ? 0 : 1)} ${units[unit]}`
}
