/**
 * Reading a tool call's arguments. They come from a model (or from the
 * offline parser's argv), so they are untrusted input: every value is checked
 * the way the CLI checks the same flag, and anything unexpected is refused
 * with a message the model can act on (exit-2 style usage errors, never a
 * side effect).
 */
import {C0_OR_DEL} from '../../core/text/sanitize.js'
import {AimsError, shown, usageError} from '../../core/errors.js'
import {
  checkDomain,
  checkEnvKey,
  checkResourceName,
  parseCpus,
  parseInstanceRef,
  parseMemorySize,
  PLUG_ID,
  type InstanceRef,
} from '../../core/names.js'
import {checkEnvValue} from '../../core/plan/env.js'
import type {AgentParam} from '../../core/commands/spec.js'

export type RawArgs = Record<string, unknown>

/** Refuses keys a tool does not take (a model that invents arguments learns which ones exist). */
export function onlyKeys(tool: string, raw: RawArgs, allowed: readonly string[]): void {
  const extra = Object.keys(raw).filter((key) => !allowed.includes(key) && raw[key] !== undefined && raw[key] !== null)
  if (extra.length > 0)
    throw usageError(
      `${tool} does not take ${extra.map((key) => shown(key, 30)).join(', ')}`,
      allowed.length > 0 ? `its arguments are ${allowed.join(', ')}` : 'it takes no arguments',
    )
}

const present = (value: unknown) => value !== undefined && value !== null && value !== ''

export function optionalString(tool: string, raw: RawArgs, key: string, max = 200): string | undefined {
  const value = raw[key]
  if (!present(value)) return undefined
  if (typeof value !== 'string' && typeof value !== 'number') throw usageError(`${tool}: ${key} must be a string`)
  const text = String(value).trim()
  if (text.length > max || C0_OR_DEL.test(text))
    throw usageError(
      `${tool}: ${key} ${shown(text)} is not a value aims accepts`,
      `give at most ${max} printable characters`,
    )
  return text === '' ? undefined : text
}

export function requiredString(tool: string, raw: RawArgs, key: string, max = 200): string {
  const value = optionalString(tool, raw, key, max)
  if (value === undefined) throw usageError(`${tool} needs ${key}`)
  return value
}

export function optionalInt(tool: string, raw: RawArgs, key: string, min: number, max: number): number | undefined {
  const value = raw[key]
  if (!present(value)) return undefined
  const number =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\d+$/.test(value.trim())
        ? Number(value)
        : Number.NaN
  if (!Number.isInteger(number) || number < min || number > max)
    throw usageError(`${tool}: ${key} must be a whole number from ${min} to ${max}, not ${shown(String(value))}`)
  return number
}

export function optionalBool(tool: string, raw: RawArgs, key: string): boolean | undefined {
  const value = raw[key]
  if (!present(value)) return undefined
  if (typeof value === 'boolean') return value
  if (value === 'true' || value === 'false') return value === 'true'
  throw usageError(`${tool}: ${key} must be true or false`)
}

export function optionalName(
  tool: string,
  raw: RawArgs,
  key: string,
  kind: 'tenant' | 'instance' | 'service',
): string | undefined {
  const value = optionalString(tool, raw, key, 64)
  return value === undefined ? undefined : validated(tool, () => checkResourceName(kind, value))
}

export function optionalCpus(tool: string, raw: RawArgs, key = 'cpus'): string | undefined {
  const value = optionalString(tool, raw, key, 16)
  if (value === undefined) return undefined
  validated(tool, () => parseCpus(value))
  return value
}

export function optionalMemory(tool: string, raw: RawArgs, key = 'memory'): string | undefined {
  const value = optionalString(tool, raw, key, 16)
  if (value === undefined) return undefined
  validated(tool, () => parseMemorySize(value))
  return value.toLowerCase()
}

export function optionalDomain(tool: string, raw: RawArgs, key = 'domain'): string | undefined {
  const value = optionalString(tool, raw, key, 253)
  return value === undefined
    ? undefined
    : validated(tool, () => checkDomain(value.replace(/^https?:\/\//, '').replace(/\/$/, '')))
}

/**
 * An instance as NAME or TENANT/NAME, with an optional separate tenant (as
 * the CLI's --tenant). The value kept for the argv is TENANT/NAME when a
 * tenant was given either way, NAME otherwise (the default tenant applies).
 */
export function instanceArg(
  tool: string,
  raw: RawArgs,
  key = 'instance',
  required = true,
  tenantKey = 'tenant',
): string | undefined {
  const value = required ? requiredString(tool, raw, key, 80) : optionalString(tool, raw, key, 80)
  if (value === undefined) return undefined
  const tenant = optionalName(tool, raw, tenantKey, 'tenant')
  const ref = validated(tool, () => parseInstanceRef(value))
  if (value.includes('/')) {
    if (tenant && tenant !== ref.tenant)
      throw usageError(
        `${tool}: ${value} is in tenant ${ref.tenant}, but tenant ${tenant} was given`,
        'give one of them',
      )
    return value
  }
  return tenant ? `${tenant}/${ref.instance}` : ref.instance
}

export function refOf(value: string, defaultTenant: string): InstanceRef {
  return parseInstanceRef(value, defaultTenant)
}

/** KEY=VALUE pairs, as an object ({"KEY": "value"}) or a list of "KEY=VALUE" strings. */
export function envArg(tool: string, raw: RawArgs, key = 'env'): Array<[string, string]> {
  const value = raw[key]
  if (!present(value)) return []
  const pairs: Array<[string, string]> = []
  if (Array.isArray(value)) {
    for (const item of value) {
      if (typeof item !== 'string' || item.indexOf('=') <= 0)
        throw usageError(`${tool}: each ${key} item must be "KEY=VALUE"`)
      pairs.push([item.slice(0, item.indexOf('=')), item.slice(item.indexOf('=') + 1)])
    }
  } else if (typeof value === 'object') {
    for (const [name, item] of Object.entries(value as Record<string, unknown>)) {
      if (typeof item !== 'string' && typeof item !== 'number' && typeof item !== 'boolean')
        throw usageError(`${tool}: ${key}.${name} must be a string`)
      pairs.push([name, String(item)])
    }
  } else {
    throw usageError(`${tool}: ${key} must be an object of KEY: value`)
  }
  return pairs.map(([name, item]) => [
    validated(tool, () => checkEnvKey(name)),
    validated(tool, () => checkEnvValue(name, item)),
  ])
}

export function stringList(tool: string, raw: RawArgs, key: string, check: (value: string) => string): string[] {
  const value = raw[key]
  if (!present(value)) return []
  const items = Array.isArray(value) ? value : [value]
  return items.map((item) => {
    if (typeof item !== 'string') throw usageError(`${tool}: ${key} must be a list of strings`)
    return validated(tool, () => check(item.trim()))
  })
}

/** Runs a check from names.ts and prefixes its message with the tool name. */
export function validated<T>(tool: string, check: () => T): T {
  try {
    return check()
  } catch (error) {
    if (error instanceof AimsError)
      throw new AimsError(error.kind, `${tool}: ${error.message}`, {hint: error.hint, exitCode: error.exitCode})
    throw error
  }
}

/** A directory below the current one, for tools that write files. */
function relativeDir(tool: string, raw: RawArgs, key: string): string | undefined {
  const out = optionalString(tool, raw, key, 255)
  if (
    out !== undefined &&
    (!/^[A-Za-z0-9_./~+-]{1,255}$/.test(out) ||
      out.split('/').includes('..') ||
      out.startsWith('-') ||
      out.startsWith('/'))
  ) {
    throw usageError(
      `${tool}: "${out.slice(0, 40)}" is not a directory ACHEEVY writes to`,
      `use a relative directory below this one, or run aims ${tool} --out DIR yourself`,
    )
  }
  return out
}

function plugId(tool: string, raw: RawArgs, key: string): string {
  const plug = requiredString(tool, raw, key, 64).toLowerCase()
  if (!PLUG_ID.test(plug))
    throw usageError(
      `${tool}: unknown plug "${plug.slice(0, 60)}"`,
      'plug ids are lower-case words such as n8n; see catalog_search',
    )
  return plug
}

function links(tool: string, raw: RawArgs, key: string): string[] | undefined {
  const list = stringList(tool, raw, key, (value) => {
    if (!value.includes('/')) throw usageError(`invalid link ${JSON.stringify(value)}`, 'write TENANT/INSTANCE')
    parseInstanceRef(value)
    return value
  })
  return list.length > 0 ? list : undefined
}

/**
 * One tool argument, read and checked by its declared kind (core/commands/spec.ts, ParamKind).
 * `tenantKey`: the tool's argument for the tenant of a bare instance NAME, folded into it.
 */
export function readParam(
  tool: string,
  raw: RawArgs,
  key: string,
  param: AgentParam,
  options: {required: boolean; tenantKey?: string},
): string | number | boolean | string[] | undefined {
  switch (param.kind) {
    case 'text': {
      const text = options.required
        ? requiredString(tool, raw, key, param.max ?? 200)
        : optionalString(tool, raw, key, param.max ?? 200)
      return param.lowercase ? text?.toLowerCase() : text
    }
    case 'plug-id':
      return plugId(tool, raw, key)
    case 'name':
      return optionalName(tool, raw, key, 'instance')
    case 'tenant':
      return optionalName(tool, raw, key, 'tenant')
    case 'service':
      return optionalName(tool, raw, key, 'service')
    case 'instance':
      return instanceArg(tool, raw, key, options.required, options.tenantKey)
    case 'instance-tenant':
      return undefined
    case 'target': {
      const target = requiredString(tool, raw, key, 80)
      validated(tool, () => parseInstanceRef(target))
      return target
    }
    case 'cpus':
      return optionalCpus(tool, raw, key)
    case 'memory':
      return optionalMemory(tool, raw, key)
    case 'domain':
      return optionalDomain(tool, raw, key)
    case 'env': {
      const env = envArg(tool, raw, key)
      return env.length > 0 ? env.map(([name, value]) => `${name}=${value}`) : undefined
    }
    case 'link':
      return links(tool, raw, key)
    case 'integer':
      return optionalInt(tool, raw, key, param.min ?? 0, param.max ?? Number.MAX_SAFE_INTEGER)
    case 'boolean':
      return optionalBool(tool, raw, key) || undefined
    case 'relative-dir':
      return relativeDir(tool, raw, key)
  }
}
