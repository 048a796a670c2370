/**
 * POSIX shell quoting for argv sent over SSH `exec` (which always goes
 * through the remote user's shell). Every argument is quoted unless it is
 * made only of characters no shell treats specially, so user input can never
 * become shell syntax.
 */
import {AimsError} from './errors.js'

const PLAIN = /^[A-Za-z0-9_/.,:=@%+-]+$/

export function quoteShellArg(arg: string): string {
  if (arg.includes('\u0000'))
    throw new AimsError('usage', 'an argument for a remote command holds a NUL byte', {hint: 'remove it'})
  if (PLAIN.test(arg)) return arg
  return `'${arg.replace(/'/g, `'\\''`)}'`
}

export function quoteCommand(argv: string[]): string {
  if (argv.length === 0) throw new AimsError('internal', 'empty remote command')
  return argv.map(quoteShellArg).join(' ')
}
