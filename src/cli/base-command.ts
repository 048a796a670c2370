/**
 * The base of every aims command: --json (the typed result alone on stdout),
 * --host, typed errors mapped to exit codes (docs/ARCHITECTURE.md), plain output when
 * NO_COLOR is set or stdout is not a terminal, and no prompt without a TTY.
 */
import {oneLine, terminalSafe} from '../core/text/sanitize.js'
import {Command, Errors} from '@oclif/core'
import {GLOBAL_FLAGS} from '../core/commands/spec.js'
import {AimsError, ExitCode, usageError} from '../core/errors.js'
import {makeStyle, type Style} from '../ui/style.js'
import {IO} from './io.js'
import {oclifFlag} from './declared.js'
import type {AimsContext} from '../context.js'
import type {Input, ParserOutput} from '@oclif/core/interfaces'

// oclif's own shapes of parsed flags and args (not exported by name).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type FlagOutput = {[name: string]: any}
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ArgOutput = {[name: string]: any}

/**
 * oclif repeats an unknown flag with its value ("Nonexistent flag: --apikey=sk-…"):
 * the value may be a secret typed under the wrong name, so only the name is shown.
 */
export function maskUnknownFlagValues(message: string): string {
  const match = /^(Nonexistent flags?: )(.*?)( — .*)?$/.exec(message)
  if (!match) return message
  const flags = match[2]!.split(', ').map((flag) => flag.replace(/^(--?[^=\s]+)=.*$/s, '$1=…'))
  return `${match[1]}${flags.join(', ')}${match[3] ?? ''}`
}

/** Errors that are not AimsErrors: oclif's parse errors become usage errors. */
export function toAimsError(error: unknown): AimsError {
  if (error instanceof AimsError) return error
  if (error instanceof Errors.CLIError) {
    const exit = (error as Errors.CLIError & {oclif?: {exit?: number}}).oclif?.exit
    // oclif's parse errors span lines (a title, the items, notes): keep the title and its first item.
    const lines = error.message
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !/^(Note:|Alternatively|See more help)/.test(line))
    const message = maskUnknownFlagValues(
      oneLine(
        lines[0]?.endsWith(':') && lines[1]
          ? `${lines[0]} ${lines[1].replace(/\s{2,}/g, ' — ')}`
          : (lines[0] ?? error.message),
      ),
    )
    return new AimsError('usage', message, {
      hint: 'see --help for usage',
      exitCode: (exit === 2 || exit === undefined ? ExitCode.badInput : exit) as ExitCode,
    })
  }
  const message = error instanceof Error ? error.message : String(error)
  return new AimsError('internal', `unexpected error: ${message}`, {
    hint: 'run again with AIMS_DEBUG=1 for details, and report it if it persists',
  })
}

export abstract class AimsCommand extends Command {
  static override enableJsonFlag = true

  static override baseFlags = {host: oclifFlag(GLOBAL_FLAGS.host)}

  /** The streams the command reads and writes: the process's, or IO.test() in a unit test (set before init). */
  io: IO = IO.system()
  private contextInstance?: AimsContext
  /** Styling for stdout (human output). */
  protected style: Style = makeStyle(false)
  protected errStyle: Style = makeStyle(false)

  override async init(): Promise<void> {
    await super.init()
    this.style = makeStyle(!this.jsonEnabled() && this.io.colorOn('stdout'))
    this.errStyle = makeStyle(this.io.colorOn('stderr'))
  }

  /**
   * oclif's parse, then one rule for every command: no flag or argument may be
   * empty (`--name ''` used to become the plug id silently). Exit 2, before
   * anything else runs.
   */
  protected override async parse<F extends FlagOutput, B extends FlagOutput, A extends ArgOutput>(
    options?: Input<F, B, A>,
    argv?: string[],
  ): Promise<ParserOutput<F, B, A>> {
    const parsed = await super.parse(options, argv)
    for (const [name, value] of Object.entries(parsed.flags as Record<string, unknown>)) {
      if (value === '' || (Array.isArray(value) && value.includes('')))
        throw usageError(`--${name} is empty`, `give it a value, or leave --${name} out`)
    }
    for (const [name, value] of Object.entries(parsed.args as Record<string, unknown>)) {
      if (value === '')
        throw usageError(`${name.toUpperCase()} is empty`, `give the ${name.toUpperCase()} argument a value`)
    }
    return parsed
  }

  /** True when a person can answer prompts: never without a TTY, never in CI, never under --json. */
  protected get interactive(): boolean {
    return this.io.canPrompt && !this.jsonEnabled()
  }

  /** Runs the command against this context instead of building one (unit tests). */
  useContext(context: AimsContext): this {
    this.contextInstance = context
    return this
  }

  protected async context(): Promise<AimsContext> {
    if (!this.contextInstance) {
      const {AimsContext} = await import('../context.js')
      this.contextInstance = new AimsContext({interactive: this.interactive, env: this.io.env})
    }
    return this.contextInstance
  }

  /** Human output on stdout; silent under --json. */
  protected say(text = ''): void {
    if (!this.jsonEnabled()) this.io.stdout.write(`${terminalSafe(text)}\n`)
  }

  /**
   * One stderr line per interrupted deploy on the hosts this command talked to (silent under --json, where
   * `ps` and `doctor` carry them): bounded, so a host that stopped answering never holds up the exit.
   */
  private async reportInterruptedDeploys(): Promise<void> {
    const context = this.contextInstance
    if (!context || this.jsonEnabled()) return
    let timer: NodeJS.Timeout | undefined
    const found = await Promise.race([
      context.interruptedDeploys().catch(() => []),
      new Promise<[]>((resolve) => (timer = setTimeout(() => resolve([]), 3000))),
    ])
    clearTimeout(timer)
    for (const {host, ref} of found)
      this.io.stderr.write(
        `${terminalSafe(`note: an interrupted deploy of ${ref} left objects on ${host}: run aims plug down ${ref}`)}\n`,
      )
  }

  /** Progress and notes on stderr; silent under --json. */
  protected note(text: string): void {
    if (!this.jsonEnabled()) this.io.stderr.write(`${terminalSafe(text)}\n`)
  }

  override logJson(json: unknown): void {
    this.io.stdout.write(`${JSON.stringify(json, null, 2)}\n`)
  }

  override async catch(error: Error & {exitCode?: number}): Promise<never> {
    if (error instanceof Errors.ExitError) throw error
    const failure = toAimsError(error)
    if (this.jsonEnabled()) {
      this.logJson({error: failure.toJSON()})
    } else {
      this.io.stderr.write(`${this.errStyle.red('Error:')} ${failure.line}\n`)
      if (this.io.env.AIMS_DEBUG && error.stack) this.io.stderr.write(`${error.stack}\n`)
    }
    throw new Errors.ExitError(failure.exitCode)
  }

  override async finally(error: Error | undefined): Promise<void> {
    // Only after a command that succeeded: never on a lost connection, an interruption or any other failure.
    if (!error) await this.reportInterruptedDeploys()
    await this.contextInstance?.close()
    await super.finally(error)
  }
}
