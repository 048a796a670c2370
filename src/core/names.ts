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

export function checkDomain(value: string): string {
  const lower = value.toLowerCase()
  if (isDomainName(lower)) return lower
  throw usageError(`invalid domain ${shown(value)}`, 'give a plain DNS name such as example.com or apps.example.com')
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
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes
  let unit = 0
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${unit === 0 ? value : value.toFixed(value >= 10 ? 0 : 1)} ${units[unit]}`
}
