/**
 * Ctrl-C, SIGTERM and a closed output pipe during a change that must finish what it started (plug up):
 * the first one aborts the returned signal, so the run stops at its next step and rolls back what it created
 * (its failure path); a second Ctrl-C or SIGTERM during that rollback exits at once and leaves the rest to the
 * host's deploy journal, which the next aims command reports and `aims plug down` removes.
 * A closed pipe (bin/run.js emits 'aims:interrupt' with 'EPIPE' while a listener exists) only ever aborts:
 * every later write to that pipe fails again and must not count as a second interruption.
 */
import {AimsError} from '../core/errors.js'

export type InterruptCause = 'SIGINT' | 'SIGTERM' | 'EPIPE'

export interface Interrupts {
  /** Aborted (reason: an AimsError of kind 'interrupted') on the first interruption. */
  readonly signal: AbortSignal
  /** Removes the handlers: Node's own behaviour is back. */
  dispose(): void
}

export interface InterruptOptions {
  /** What is running, for the messages: "plug up of acme/web". */
  what: string
  /** The command that removes what a cut-short rollback leaves: "aims plug down acme/web". */
  cleanup: string
  /** One line on stderr (the caller stops its progress view first). */
  say: (line: string) => void
  /** Ends the process (tests pass a fake). */
  exit?: (code: number) => void
  /** The process the handlers attach to (tests pass an EventEmitter). */
  target?: Pick<NodeJS.Process, 'on' | 'off'>
}

const described: Record<InterruptCause, string> = {
  SIGINT: 'Ctrl-C',
  SIGTERM: 'SIGTERM',
  EPIPE: 'the output pipe was closed',
}

export function interruptOnSignals(options: InterruptOptions): Interrupts {
  const target = options.target ?? process
  const exit = options.exit ?? ((code: number) => process.exit(code))
  const controller = new AbortController()
  const handlers: Record<InterruptCause, () => void> = {
    SIGINT: () => interrupt('SIGINT'),
    SIGTERM: () => interrupt('SIGTERM'),
    EPIPE: () => interrupt('EPIPE'),
  }
  const onPipe = (cause: unknown) => {
    if (cause === 'EPIPE') handlers.EPIPE()
  }
  function interrupt(cause: InterruptCause): void {
    if (!controller.signal.aborted) {
      // Whatever happens next (an error printed to a closed pipe), the run failed.
      process.exitCode = 1
      if (cause !== 'EPIPE')
        options.say(
          `${described[cause]}: stopping ${options.what} and rolling back what it created ` +
            `(${cause === 'SIGINT' ? 'Ctrl-C' : 'SIGTERM'} again leaves that to the next aims command)`,
        )
      controller.abort(
        new AimsError('interrupted', `${options.what} was interrupted (${described[cause]})`, {details: {cause}}),
      )
      return
    }
    if (cause === 'EPIPE') return
    options.say(
      `${described[cause]} again: the rollback is left for the next aims command: run ${options.cleanup} ` +
        '(aims ps and aims doctor show what is left)',
    )
    exit(1)
  }
  target.on('SIGINT', handlers.SIGINT)
  target.on('SIGTERM', handlers.SIGTERM)
  target.on('aims:interrupt' as 'SIGINT', onPipe)
  return {
    signal: controller.signal,
    dispose() {
      target.off('SIGINT', handlers.SIGINT)
      target.off('SIGTERM', handlers.SIGTERM)
      target.off('aims:interrupt' as 'SIGINT', onPipe)
    },
  }
}
