/**
 * The streams a command reads and writes, and what it may conclude about
 * them (gh's iostreams): whether each is a terminal, whether colour is on,
 * whether a person can be asked. Commands use this, never `process.*`, so a
 * unit test runs a command with IO.test() and reads what it wrote.
 */
import {Readable, Writable} from 'node:stream'
import {colorEnabled} from '../ui/style.js'

type Terminal = {isTTY?: boolean; columns?: number; rows?: number}

export interface IOStreams {
  readonly stdin: Readable & Terminal
  readonly stdout: Writable & Terminal
  readonly stderr: Writable & Terminal
  readonly env: NodeJS.ProcessEnv
}

export class IO implements IOStreams {
  constructor(
    readonly stdin: Readable & Terminal,
    readonly stdout: Writable & Terminal,
    readonly stderr: Writable & Terminal,
    readonly env: NodeJS.ProcessEnv,
  ) {}

  /** The process's own streams and environment. */
  static system(): IO {
    return new IO(process.stdin, process.stdout, process.stderr, process.env)
  }

  /**
   * Streams for a unit test: stdin holds `input`, stdout and stderr are
   * captured (out(), err()); `tty` makes all three claim to be terminals.
   */
  static test(options: {input?: string; tty?: boolean; env?: NodeJS.ProcessEnv; columns?: number} = {}): TestIO {
    return new TestIO(options)
  }

  get stdoutIsTTY(): boolean {
    return Boolean(this.stdout.isTTY)
  }

  get stderrIsTTY(): boolean {
    return Boolean(this.stderr.isTTY)
  }

  /** A person can answer prompts: stdin and stderr are terminals and this is not CI. */
  get canPrompt(): boolean {
    return Boolean(this.stdin.isTTY && this.stderr.isTTY) && this.env.CI !== 'true'
  }

  /** Colour on this stream: a terminal, and neither NO_COLOR nor TERM=dumb. */
  colorOn(stream: 'stdout' | 'stderr'): boolean {
    return colorEnabled(stream === 'stdout' ? this.stdout : this.stderr, this.env)
  }

  /** The terminal's width (the default when stdout is not a terminal). */
  columns(fallback = 100): number {
    return this.stdout.columns ?? fallback
  }
}

/** A stream that keeps what is written to it, synchronously. */
class Capture extends Writable {
  readonly chunks: string[] = []
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.chunks.push(typeof chunk === 'string' ? chunk : chunk.toString('utf8'))
    done()
  }
}

/** IO.test(): what a command wrote, as text. */
export class TestIO extends IO {
  constructor(options: {input?: string; tty?: boolean; env?: NodeJS.ProcessEnv; columns?: number}) {
    const terminal = (): Terminal => (options.tty ? {isTTY: true, columns: options.columns ?? 80, rows: 24} : {})
    const stdin = Object.assign(Readable.from(options.input === undefined ? [] : [options.input]), terminal())
    super(
      stdin,
      Object.assign(new Capture({decodeStrings: false}), terminal()),
      Object.assign(new Capture({decodeStrings: false}), terminal()),
      {NO_COLOR: '1', ...options.env},
    )
  }

  /** Everything written to stdout so far. */
  out(): string {
    return (this.stdout as Capture).chunks.join('')
  }

  /** Everything written to stderr so far. */
  err(): string {
    return (this.stderr as Capture).chunks.join('')
  }
}
