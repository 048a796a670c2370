/**
 * The environment of an instance: the plug's env spec filled from flags,
 * an env file, defaults and generated secrets, then substituted into each
 * service's env values. Pure: generated values come from a function passed in.
 */
import {matchesCatalogPattern} from '../catalog/pattern.js'
import {AimsError, shown, usageError} from '../errors.js'
import {checkEnvKey} from '../names.js'
import type {EnvSpec, Plug} from '../catalog/schema.js'
import {referencedVariables} from '../catalog/model.js'

export type EnvSource = 'flag' | 'env-file' | 'default' | 'generated' | 'asked' | 'existing'

export interface ResolvedVariable {
  key: string
  value: string
  source: EnvSource
  secret: boolean
}

export interface MissingVariable {
  key: string
  spec: EnvSpec
}

/** Max length of one env value; longer values are almost certainly a mistake (and bloat inspect). */
export const MAX_ENV_VALUE = 32 * 1024

export function checkEnvValue(key: string, value: string): string {
  if (value.includes('\u0000')) throw usageError(`the value of ${key} holds a NUL byte`, 'remove it')
  if (value.length > MAX_ENV_VALUE)
    throw usageError(
      `the value of ${key} is ${value.length} characters long`,
      `keep env values under ${MAX_ENV_VALUE} characters`,
    )
  return value
}

/** `KEY=VALUE` from a flag. The value is kept byte for byte (it is never put through a shell). */
export function parseEnvAssignment(text: string): [string, string] {
  const index = text.indexOf('=')
  if (index <= 0) throw usageError(`invalid --env ${shown(text)}`, 'write --env KEY=VALUE')
  const key = checkEnvKey(text.slice(0, index))
  return [key, checkEnvValue(key, text.slice(index + 1))]
}

/**
 * A dotenv file: KEY=VALUE lines, `#` comments, optional `export `, values
 * optionally in single quotes (literal) or double quotes (\n, \", \\ escapes).
 */
export function parseEnvFile(text: string, file: string): Record<string, string> {
  const result: Record<string, string> = {}
  const lines = text.split(/\r?\n/)
  lines.forEach((raw, index) => {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) return
    const match = /^(?:export\s+)?([^=\s]+)\s*=\s*(.*)$/.exec(line)
    if (!match) throw usageError(`${file}:${index + 1}: not a KEY=VALUE line`, 'fix the line or comment it out with #')
    const key = match[1] ?? ''
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(key))
      throw usageError(`${file}:${index + 1}: invalid variable name ${shown(key)}`, 'use letters, digits and "_"')
    let value = match[2] ?? ''
    // Quoted values end at their closing quote; what follows may only be a comment (as dotenv and Compose read it).
    const quoted = /^'([^']*)'\s*(#.*)?$/.exec(value) ?? /^"((?:[^"\\]|\\.)*)"\s*(#.*)?$/.exec(value)
    if (quoted && value.startsWith("'")) value = quoted[1] ?? ''
    else if (quoted) value = (quoted[1] ?? '').replace(/\\(["\\n])/g, (_, char: string) => (char === 'n' ? '\n' : char))
    else value = value.replace(/\s+#.*$/, '')
    result[key] = checkEnvValue(key, value)
  })
  return result
}

export interface EnvInputs {
  flags: Record<string, string>
  file: Record<string, string>
  /** Values kept from an existing instance (redeploys keep their secrets). */
  existing?: Record<string, string>
  /** Answers typed at a prompt (TTY only). */
  asked?: Record<string, string>
}

/**
 * Fills the env spec. Returns what is missing instead of throwing, so the
 * caller can ask on a TTY or fail with the list.
 */
export function resolveEnvSpec(
  plug: Plug,
  inputs: EnvInputs,
  generate: (spec: NonNullable<EnvSpec['generate']>) => string,
): {variables: ResolvedVariable[]; missing: MissingVariable[]; extra: string[]} {
  const variables: ResolvedVariable[] = []
  const missing: MissingVariable[] = []
  for (const [key, spec] of Object.entries(plug.env)) {
    const secret = spec.secret || Boolean(spec.generate)
    const pick = (value: string | undefined, source: EnvSource) =>
      value === undefined ? undefined : {key, value, source, secret}
    const found =
      pick(inputs.flags[key], 'flag') ??
      pick(inputs.asked?.[key], 'asked') ??
      pick(inputs.file[key], 'env-file') ??
      pick(inputs.existing?.[key], 'existing') ??
      pick(spec.default, 'default') ??
      (spec.generate ? {key, value: generate(spec.generate), source: 'generated' as const, secret: true} : undefined)
    if (found) {
      if (spec.pattern && !matchesCatalogPattern(spec.pattern, found.value)) {
        throw usageError(
          `${key} ${secret ? '(secret)' : shown(found.value)} does not match ${spec.pattern}`,
          spec.example ? `e.g. ${spec.example}` : spec.description,
        )
      }
      variables.push(found)
    } else if (spec.required) {
      missing.push({key, spec})
    }
  }
  // Variables given for keys the plug does not declare are passed to every
  // service as-is (users know their apps better than the catalog does).
  const declared = new Set(Object.keys(plug.env))
  const extra = [...new Set([...Object.keys(inputs.flags), ...Object.keys(inputs.file)])].filter(
    (key) => !declared.has(key),
  )
  for (const key of extra)
    variables.push({
      key,
      value: inputs.flags[key] ?? inputs.file[key] ?? '',
      source: inputs.flags[key] !== undefined ? 'flag' : 'env-file',
      secret: looksSecret(key),
    })
  return {variables, missing, extra}
}

/** Names that hold secrets by convention; masked even when the catalog does not say so. */
export function looksSecret(key: string): boolean {
  return /(PASS(WORD)?|SECRET|TOKEN|API_?KEY|PRIVATE|CREDENTIAL|ENCRYPTION_KEY|_KEY$|^KEY$)/i.test(key)
}

/**
 * ${NAME} substitution with the resolved variables and the built-ins; unknown names were rejected by catalog
 * validation.
 */
export function substitute(value: string, values: Record<string, string>): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, name: string) => values[name] ?? whole)
}

/** A file template (v2 `files:`) filled as env values are: ${NAME} from the spec and built-ins, `$NAME` left alone. */
export function renderFileTemplate(
  plug: Plug,
  template: string,
  variables: ResolvedVariable[],
  builtins: Record<string, string>,
): string {
  const unset = Object.fromEntries(Object.keys(plug.env).map((key) => [key, '']))
  const values = {
    ...unset,
    ...builtins,
    ...Object.fromEntries(variables.map((variable) => [variable.key, variable.value])),
  }
  return substitute(template, values)
}

export function serviceEnv(
  plug: Plug,
  service: string,
  variables: ResolvedVariable[],
  builtins: Record<string, string>,
): Record<string, string> {
  // Declared variables nobody set (optional, no default) become empty, never a literal ${NAME}.
  const unset = Object.fromEntries(Object.keys(plug.env).map((key) => [key, '']))
  const values = {
    ...unset,
    ...builtins,
    ...Object.fromEntries(variables.map((variable) => [variable.key, variable.value])),
  }
  const definition = plug.services[service]
  if (!definition) throw new AimsError('internal', `unknown service ${service}`)
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(definition.env)) env[key] = substitute(value, values)
  // Variables the user gives that the plug does not declare reach every service, and win over the
  // catalog's fixed values: users know their apps better than the catalog does.
  for (const variable of variables) {
    if (!plug.env[variable.key]) env[variable.key] = variable.value
  }
  return env
}

/**
 * Keys whose values must be masked for a service's env (declared secrets, referenced secrets, secret-looking names).
 */
export function secretKeysOf(plug: Plug, service: string, variables: ResolvedVariable[]): string[] {
  const secretVariables = new Set(variables.filter((variable) => variable.secret).map((variable) => variable.key))
  const definition = plug.services[service]
  const keys = new Set<string>()
  for (const [key, value] of Object.entries(definition?.env ?? {})) {
    if (referencedVariables(value).some((name) => secretVariables.has(name)) || looksSecret(key)) keys.add(key)
  }
  for (const variable of variables) if (!plug.env[variable.key] && variable.secret) keys.add(variable.key)
  return [...keys].sort()
}

export const MASK = '••••••'

export function maskEnv(env: Record<string, string>, secretKeys: Iterable<string>): Record<string, string> {
  const secret = new Set(secretKeys)
  return Object.fromEntries(
    Object.entries(env).map(([key, value]) => [key, secret.has(key) || looksSecret(key) ? MASK : value]),
  )
}
