/**
 * Encoders for the export bundle's file formats. Every value the bundle
 * templates receive goes through one of these first, so nothing a catalog
 * entry or an instance holds can break out of its place in a file: a YAML
 * scalar stays one scalar, a dotenv value stays one value, a comment stays one
 * comment line. The template renderer then refuses any value that still holds
 * a control character (see `checkBundleValue`). Pure: no I/O.
 */
import {AimsError, shown} from '../errors.js'
import {LINE_BREAK_OR_CONTROL, oneLineText} from '../text/sanitize.js'

/** The renderer's last line of defence: a value that still holds a line break or control character is refused. */
export function checkBundleValue(name: string, value: string): void {
  if (LINE_BREAK_OR_CONTROL.test(value))
    throw new AimsError(
      'internal',
      `refusing to write the bundle: the value for {{${name}}} holds a line break or control character ` +
        `(${shown(value)})`,
    )
}

/**
 * A YAML double-quoted scalar. JSON strings are YAML double-quoted scalars;
 * characters YAML 1.1 (PyYAML, in docker-compose 1.x) refuses raw — DEL, C1
 * controls, the Unicode line separators — are escaped too.
 */
export function yamlString(value: string): string {
  return JSON.stringify(value).replace(
    /[\u007f-\u009f\u2028\u2029\ufeff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  )
}

/** A YAML flow sequence of strings: ["a", "b"]. */
export function yamlStringList(values: string[]): string {
  return `[${values.map(yamlString).join(', ')}]`
}

/** Words YAML 1.1 reads as booleans or null when unquoted. */
const YAML_11_SPECIAL =
  /^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~)$/

/** A mapping key: plain when it is a plain word both YAML versions read as a string, quoted otherwise. */
export function yamlKey(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_.-]*$/.test(key) && !YAML_11_SPECIAL.test(key) ? key : yamlString(key)
}

/**
 * Compose interpolates `$NAME` and `${NAME}` everywhere in the file; a literal
 * dollar is written `$$`. Commands and health checks read their own `$VAR`s
 * inside the container at run time, so theirs are escaped.
 */
export function escapeComposeDollars(value: string): string {
  return value.replace(/\$/g, '$$$$')
}

/** Characters a dotenv value may hold unquoted in both docker-compose 1.x and Compose v2. */
const DOTENV_PLAIN = /^[A-Za-z0-9_./:@,+=%-]*$/

/**
 * One `KEY=value` line of a .env file that docker-compose 1.x (python-dotenv)
 * and Compose v2 (compose-go) read the same way: plain values bare, others in
 * single quotes (literal in both: no `$` interpolation, no escapes). A value
 * neither form can carry (a single quote, a backslash, a line break) returns
 * undefined: the caller writes a placeholder and says why.
 */
export function dotenvLine(key: string, value: string): string | undefined {
  if (DOTENV_PLAIN.test(value)) return `${key}=${value}`
  if (/['\\]/.test(value) || LINE_BREAK_OR_CONTROL.test(value)) return undefined
  return `${key}='${value}'`
}

/** Single-quoted for a POSIX shell, on one line (control characters dropped). */
export function shellWord(text: string): string {
  const flat = oneLineText(text)
  if (/^[A-Za-z0-9_./:@%+=,-]+$/.test(flat)) return flat
  return `'${flat.replace(/'/g, `'\\''`)}'`
}

/** Text inside a Markdown table cell: one line, pipes escaped. */
export function markdownCell(text: string): string {
  return oneLineText(text).replace(/\|/g, '\\|')
}

/** Inline code in Markdown: backticks inside are avoided by choosing a longer fence. */
export function markdownCode(text: string): string {
  const flat = oneLineText(text)
  const longest = Math.max(0, ...[...flat.matchAll(/`+/g)].map((match) => match[0].length))
  const fence = '`'.repeat(longest + 1)
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : ''
  return `${fence}${pad}${flat.replace(/\|/g, '\\|')}${pad}${fence}`
}

/** A memory size in bytes as Compose reads it: whole MiB or GiB when exact, else bytes. */
export function composeMemory(bytes: number): string {
  const MiB = 1024 ** 2
  if (bytes % (1024 * MiB) === 0) return `${bytes / (1024 * MiB)}g`
  if (bytes % MiB === 0) return `${bytes / MiB}m`
  return `${Math.round(bytes)}b`
}
