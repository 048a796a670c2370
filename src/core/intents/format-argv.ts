/**
 * An argv rendered as a command line a user can paste into a POSIX shell and
 * get exactly that argv back: anything beyond plain characters is single-quoted,
 * so no value can become shell syntax.
 */

/** Characters no POSIX shell treats specially anywhere in a word. */
const PLAIN = /^[A-Za-z0-9_/.,:=@%+-]+$/
/** `~/dir` is left unquoted on purpose: the shell's home expansion is what the user meant. */
const HOME_PATH = /^~\/[A-Za-z0-9_/.,:=@%+-]*$/

export function quoteForShell(arg: string): string {
  if (PLAIN.test(arg) || HOME_PATH.test(arg)) return arg
  return `'${arg.replace(/'/g, `'\\''`)}'`
}

/** `formatArgv(['plug', 'up', 'n8n'])` → `aims plug up n8n`; pass program '' to leave the program out. */
export function formatArgv(argv: readonly string[], program = 'aims'): string {
  const words = program === '' ? [...argv] : [program, ...argv]
  return words.map((word) => quoteForShell(word)).join(' ')
}
