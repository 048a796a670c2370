/**
 * `aims config get|set KEY [VALUE]`: the known preference keys, how their
 * values are checked, and where they live in config.json. Keys are dotted
 * paths stored nested ({"ai": {"provider": "openai"}}). Pure.
 */
import {C0_OR_DEL} from './text/sanitize.js'
import {shown, usageError} from './errors.js'
import {TIERS} from './catalog/model.js'
import {checkResourceName, parseMemorySize} from './names.js'
import {checkSubnetPool} from './network/subnets.js'
import {closest} from './suggest.js'

export type PreferenceValue = string | number | boolean | string[]

interface KeySpec {
  /** Dotted pattern; `*` is one path segment (a tenant or tier name). */
  pattern: string
  description: string
  parse(value: string, key: string): PreferenceValue
  /** Checks the `*` segments. */
  segment?: (value: string) => void
}

const nonEmpty = (value: string, key: string) => {
  if (value.trim() === '' || C0_OR_DEL.test(value))
    throw usageError(`invalid value for ${key}: ${shown(value)}`, 'give a non-empty value on one line')
  return value.trim()
}
const oneOf = (values: readonly string[]) => (value: string, key: string) => {
  if (!values.includes(value))
    throw usageError(`invalid value for ${key}: ${shown(value)}`, `use one of ${values.join(', ')}`)
  return value
}
const positiveNumber = (value: string, key: string) => {
  const number = /^\d+(\.\d+)?$/.test(value) ? Number(value) : Number.NaN
  if (!Number.isFinite(number))
    throw usageError(`invalid value for ${key}: ${shown(value)}`, 'give a number such as 25 or 4.5')
  return number
}
const wholeNumber = (min: number, max: number) => (value: string, key: string) => {
  const number = /^\d+$/.test(value) ? Number(value) : Number.NaN
  if (!(number >= min && number <= max))
    throw usageError(`invalid value for ${key}: ${shown(value)}`, `give a whole number from ${min} to ${max}`)
  return number
}
const url = (value: string, key: string) => {
  try {
    const parsed = new URL(value)
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('protocol')
    return value.replace(/\/+$/, '')
  } catch {
    throw usageError(
      `invalid value for ${key}: ${shown(value)}`,
      'give an http(s) URL such as http://127.0.0.1:11434/v1',
    )
  }
}
const onOff = (value: string, key: string) => {
  if (['on', 'true', 'yes'].includes(value)) return true
  if (['off', 'false', 'no'].includes(value)) return false
  throw usageError(`invalid value for ${key}: ${shown(value)}`, 'use on or off')
}
/** catalog.paths: a JSON list of directories, or dirs joined by ":" — never a "[…]" kept as one odd path. */
const catalogPaths = (value: string, key: string): string[] => {
  const text = nonEmpty(value, key)
  const fix = `give a JSON list such as '["/srv/plugs"]' or directories joined by ":"`
  const paths = (() => {
    if (/^[{"]/.test(text))
      throw usageError(`invalid value for ${key}: ${shown(value)} must be a list of directory strings`, fix)
    if (!text.startsWith('[')) return text.split(':')
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      throw usageError(`invalid value for ${key}: ${shown(value)} is not a JSON list`, fix)
    }
    if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === 'string'))
      throw usageError(`invalid value for ${key}: ${shown(value)} must be a list of directory strings`, fix)
    return parsed as string[]
  })()
    .map((item) => item.trim())
    .filter(Boolean)
  const odd = paths.find((item) => C0_OR_DEL.test(item) || /^\[|\]$/.test(item))
  if (paths.length === 0 || odd !== undefined) throw usageError(`invalid value for ${key}: ${shown(value)}`, fix)
  return paths
}
const tenantSegment = (value: string) => void checkResourceName('tenant', value)
const tierSegment = (value: string) => {
  if (!(TIERS as readonly string[]).includes(value))
    throw usageError(`unknown tier ${shown(value)}`, `tiers are ${TIERS.join(', ')}`)
}

export const PREFERENCE_KEYS: KeySpec[] = [
  {
    pattern: 'default-tenant',
    description: 'tenant used when a command names none',
    parse: (value) => checkResourceName('tenant', value),
  },
  {
    pattern: 'ai.provider',
    description:
      'ACHEEVY model provider: offline, anthropic, openai, openai-compatible (or ollama, vllm, llama.cpp, lmstudio)',
    parse: oneOf(['offline', 'anthropic', 'openai', 'openai-compatible', 'ollama', 'vllm', 'llama.cpp', 'lmstudio']),
  },
  {pattern: 'ai.model', description: 'model name for the provider', parse: nonEmpty},
  {
    pattern: 'ai.base-url',
    description: 'base URL of an OpenAI-compatible server (Ollama, vLLM, llama.cpp)',
    parse: url,
  },
  {pattern: 'ai.tools', description: 'use native tool calling (on) or the JSON-mode fallback (off)', parse: onOff},
  {
    pattern: 'ai.timeout',
    description: 'seconds without progress before a model request fails',
    parse: wholeNumber(5, 3600),
  },
  {
    pattern: 'catalog.paths',
    description: 'extra catalog directories: a JSON list \'["/dir","/other"]\' or colon-separated',
    parse: catalogPaths,
  },
  {
    pattern: 'tenants.*.tier',
    description: 'tier of a tenant: free, starter, pro, business',
    parse: oneOf(TIERS),
    segment: tenantSegment,
  },
  {
    pattern: 'tenants.*.spending-limit',
    description: 'monthly spending limit of a tenant (in the price currency)',
    parse: positiveNumber,
    segment: tenantSegment,
  },
  {
    pattern: 'tiers.*.instances',
    description: 'instances a tenant of this tier may run',
    parse: wholeNumber(0, 100_000),
    segment: tierSegment,
  },
  {
    pattern: 'tiers.*.cpus',
    description: 'CPUs a tenant of this tier may reserve',
    parse: positiveNumber,
    segment: tierSegment,
  },
  {
    pattern: 'tiers.*.memory',
    description: 'memory a tenant of this tier may reserve (e.g. 4g)',
    parse: (value) => parseMemorySize(value),
    segment: tierSegment,
  },
  {
    pattern: 'prices.currency',
    description: 'currency of the prices (e.g. USD, EUR)',
    parse: (value, key) => {
      if (/^[A-Z]{3}$/.test(value)) return value
      throw usageError(
        `invalid value for ${key}: ${shown(value)}`,
        'give a three-letter ISO 4217 code such as USD, EUR or GBP',
      )
    },
  },
  {pattern: 'prices.cpu-monthly', description: 'price of one vCPU per month', parse: positiveNumber},
  {pattern: 'prices.memory-gib-monthly', description: 'price of 1 GiB of memory per month', parse: positiveNumber},
  {pattern: 'prices.disk-gib-monthly', description: 'price of 1 GiB of disk per month', parse: positiveNumber},
  {
    pattern: 'network.pool',
    description: 'address pool for tenant networks (e.g. 10.210.0.0/16)',
    parse: (value) => (checkSubnetPool(value), value),
  },
  {
    pattern: 'network.tenant-prefix',
    description: 'prefix length of each tenant network (default 24)',
    parse: wholeNumber(16, 28),
  },
  {
    pattern: 'network.instance-prefix',
    description: 'prefix length of each multi-service instance network (default 27)',
    parse: wholeNumber(16, 29),
  },
]

function matchKey(key: string): KeySpec | undefined {
  const parts = key.split('.')
  return PREFERENCE_KEYS.find((spec) => {
    const pattern = spec.pattern.split('.')
    return pattern.length === parts.length && pattern.every((part, index) => part === '*' || part === parts[index])
  })
}

export function checkPreferenceKey(key: string): KeySpec {
  const spec = matchKey(key)
  if (!spec) {
    const suggestions = closest(
      key,
      PREFERENCE_KEYS.map((item) => item.pattern.replace('*', key.split('.')[1] ?? 'NAME')),
    )
    throw usageError(
      `unknown config key ${shown(key)}`,
      suggestions.length > 0
        ? `did you mean ${suggestions.map((item) => `"${item}"`).join(' or ')}? (aims config get lists them)`
        : 'aims config get lists the keys',
    )
  }
  const pattern = spec.pattern.split('.')
  key.split('.').forEach((part, index) => {
    if (pattern[index] === '*') spec.segment?.(part)
  })
  return spec
}

export function parsePreference(key: string, value: string): PreferenceValue {
  return checkPreferenceKey(key).parse(value, key)
}

export function getPreference(preferences: Record<string, unknown>, key: string): unknown {
  // Flat dotted keys (older configs, hand edits) are honoured too.
  if (key in preferences) return preferences[key]
  let current: unknown = preferences
  for (const part of key.split('.')) {
    if (current === null || typeof current !== 'object') return undefined
    current = (current as Record<string, unknown>)[part]
  }
  return current
}

/**
 * The preferences, read typed: each getter returns the value when it has that type and undefined
 * otherwise (unset, or a hand edit of the wrong type), so callers never cast. Flat ("a.b") and
 * nested ({a: {b}}) keys alike, as getPreference reads them.
 */
export interface PreferenceReader {
  string(key: string): string | undefined
  number(key: string): number | undefined
  boolean(key: string): boolean | undefined
  /** The strings of a list (anything else in it is left out). */
  strings(key: string): string[] | undefined
}

export function readPreferences(preferences: Record<string, unknown>): PreferenceReader {
  const typed =
    <T>(check: (value: unknown) => value is T) =>
    (key: string): T | undefined => {
      const value = getPreference(preferences, key)
      return check(value) ? value : undefined
    }
  return {
    string: typed((value): value is string => typeof value === 'string'),
    number: typed((value): value is number => typeof value === 'number' && Number.isFinite(value)),
    boolean: typed((value): value is boolean => typeof value === 'boolean'),
    strings: (key) => {
      const value = getPreference(preferences, key)
      return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : undefined
    },
  }
}

export function setPreference(
  preferences: Record<string, unknown>,
  key: string,
  value: PreferenceValue | undefined,
): void {
  delete preferences[key]
  const parts = key.split('.')
  let current = preferences
  for (const part of parts.slice(0, -1)) {
    const next = current[part]
    if (next === null || typeof next !== 'object' || Array.isArray(next)) current[part] = {}
    current = current[part] as Record<string, unknown>
  }
  const last = parts.at(-1)!
  if (value === undefined) delete current[last]
  else current[last] = value
}

/** Every set preference as dotted key → value (for `aims config get` with no key). */
export function flattenPreferences(preferences: Record<string, unknown>, prefix = ''): Array<[string, unknown]> {
  return Object.entries(preferences).flatMap(([key, value]) => {
    const path = prefix ? `${prefix}.${key}` : key
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? flattenPreferences(value as Record<string, unknown>, path)
      : [[path, value] as [string, unknown]]
  })
}
