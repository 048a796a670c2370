/**
 * The one redactor for what aims writes or shows (issue 10, item 8): audit
 * records (local and the host's copy), log lines (plug logs, ask, chat, the
 * dock), the argv `ask --dry-run` proposes. Known secret values are replaced
 * wherever they appear; KEY=VALUE pairs whose key names a secret are masked
 * whatever the value (core/ai/redact.ts holds the shapes). Pure.
 */
import {isSecretLookingKey, redactSecrets, secretMask} from '../ai/redact.js'
import {looksSecret} from '../plan/env.js'

export {redactSecrets, secretMask}

/** A key whose value is secret: declared so (the catalog's secret fields, aims.secret-keys) or named so. */
export function isSecretKey(key: string, declared: Iterable<string> = []): boolean {
  return new Set(declared).has(key) || looksSecret(key) || isSecretLookingKey(key)
}

/** The values of an instance's secret env vars (from the container's env and its aims.secret-keys label). */
export function secretEnvValues(env: Record<string, string>, declared: Iterable<string>): string[] {
  const keys = new Set(declared)
  return Object.entries(env).flatMap(([key, value]) => (value && isSecretKey(key, keys) ? [value] : []))
}

/**
 * An argv for people (ask --dry-run, a proposal): the value of every
 * KEY=VALUE whose key names a secret, and every value in `known`, masked.
 * The argv stays one the CLI parses; a secret is never shown.
 */
export function redactArgv(argv: readonly string[], known: Iterable<string> = []): string[] {
  const values = [...known].filter((value) => value.length >= 4)
  return argv.map((arg) => {
    const assignment = ASSIGNMENT.exec(arg)
    if (assignment && assignment[3] !== '' && isSecretKey(assignment[2]!))
      return `${assignment[1] ?? ''}${assignment[2]}=${secretMask}`
    return values.length > 0 ? redactSecrets(arg, values) : arg
  })
}

/** KEY=VALUE, alone or glued to its flag (--env=KEY=VALUE, -eKEY=VALUE). */
const ASSIGNMENT = /^(-[A-Za-z]=?|--[a-z-]+=)?([A-Za-z_][A-Za-z0-9_.-]*)=(.*)$/s

/** The secret values an argv carries (KEY=VALUE of a secret key), to mask them in what is said about it. */
export function argvSecretValues(argv: readonly string[]): string[] {
  return argv.flatMap((arg) => {
    const assignment = ASSIGNMENT.exec(arg)
    return assignment && assignment[3] && isSecretKey(assignment[2]!) ? [assignment[3]] : []
  })
}
