/**
 * Typed domain errors. Every failure a user can meet is one of these, with a
 * one-line message that says what happened and a hint that says what to do.
 * AimsCommand maps them to exit codes (docs/ARCHITECTURE.md); nothing else decides exit codes.
 */
import {oneLine} from './text/sanitize.js'

export const ExitCode = {
  ok: 0,
  failure: 1,
  badInput: 2,
  notConfirmed: 3,
  unhealthy: 4,
} as const
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]

export type ErrorKind =
  | 'usage' // bad flags, args, names, values
  | 'validation' // catalog or config content that is wrong
  | 'not-found' // unknown plug, instance, host
  | 'conflict' // name taken, deploy in progress
  | 'not-confirmed'
  | 'unhealthy'
  | 'connection' // SSH / engine unreachable
  | 'host-key'
  | 'auth'
  | 'engine'
  | 'pull' // an image pull failed (cause: dns, auth, not-found, rate-limit, timeout, …)
  | 'remote' // a command on the host failed (nginx -t, ...)
  | 'build' // aims build: the image build or its verification failed (nothing deployed)
  | 'quota'
  | 'dependency' // a program aims needs on this machine is missing (pocketsphinx, sox)
  | 'interrupted' // Ctrl-C, SIGTERM or a closed output pipe stopped a change (rolled back where it could)
  | 'internal'

const exitByKind: Record<ErrorKind, ExitCode> = {
  usage: ExitCode.badInput,
  validation: ExitCode.badInput,
  'not-found': ExitCode.badInput,
  conflict: ExitCode.failure,
  'not-confirmed': ExitCode.notConfirmed,
  unhealthy: ExitCode.unhealthy,
  connection: ExitCode.failure,
  dependency: ExitCode.failure,
  'host-key': ExitCode.failure,
  auth: ExitCode.failure,
  engine: ExitCode.failure,
  pull: ExitCode.failure,
  remote: ExitCode.failure,
  build: ExitCode.unhealthy,
  quota: ExitCode.failure,
  interrupted: ExitCode.failure,
  internal: ExitCode.failure,
}

export interface AimsErrorOptions {
  /** What the user should do next, shown after the message. */
  hint?: string | undefined
  cause?: unknown
  /** Extra structured detail for --json (never secrets). */
  details?: Record<string, unknown> | undefined
  exitCode?: ExitCode | undefined
}

export class AimsError extends Error {
  readonly kind: ErrorKind
  readonly hint: string | undefined
  readonly details: Record<string, unknown> | undefined
  readonly exitCode: ExitCode

  constructor(kind: ErrorKind, message: string, options: AimsErrorOptions = {}) {
    super(oneLine(message), options.cause === undefined ? undefined : {cause: options.cause})
    this.name = 'AimsError'
    this.kind = kind
    this.hint = options.hint === undefined ? undefined : oneLine(options.hint)
    this.details = options.details
    this.exitCode = options.exitCode ?? exitByKind[kind]
  }

  /** The same error with more details (everything else kept, the cause too). */
  withDetails(extra: Record<string, unknown>): AimsError {
    return new AimsError(this.kind, this.message, {
      ...(this.hint ? {hint: this.hint} : {}),
      ...(this.cause !== undefined ? {cause: this.cause} : {}),
      exitCode: this.exitCode,
      details: {...this.details, ...extra},
    })
  }

  /** The single line shown to people: message, then what to do. */
  get line(): string {
    return this.hint ? `${this.message} — ${this.hint}` : this.message
  }

  toJSON(): Record<string, unknown> {
    return {
      kind: this.kind,
      message: this.message,
      ...(this.hint ? {hint: this.hint} : {}),
      // A short word for why (e.g. a pull's "dns"); an error object as cause stays internal.
      ...(typeof this.cause === 'string' ? {cause: this.cause} : {}),
      exitCode: this.exitCode,
      ...(this.details ? {details: this.details} : {}),
    }
  }
}

export const usageError = (message: string, hint?: string, details?: Record<string, unknown>) =>
  new AimsError('usage', message, {hint, details})

export const notFoundError = (message: string, hint?: string, details?: Record<string, unknown>) =>
  new AimsError('not-found', message, {hint, details})

export function isAimsError(error: unknown): error is AimsError {
  return error instanceof AimsError
}

/** Quote a user-supplied value for display in a message, shortened and on one line. */
export function shown(value: string, max = 60): string {
  const flat = JSON.stringify(value)
  return flat.length > max ? `${flat.slice(0, max - 2)}…"` : flat
}
