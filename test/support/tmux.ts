/**
 * The dock in a real terminal: a private tmux server (its own socket, so
 * nobody else's tmux is touched) with one fixed-size window, keys sent with
 * send-keys and the screen read with capture-pane — what a person sees.
 */
import {execFile} from 'node:child_process'
import {mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'

const run = promisify(execFile)

export interface TmuxOptions {
  socket: string
  session: string
  width: number
  height: number
  env: Record<string, string | undefined>
  cwd: string
}

export class TmuxPane {
  private readonly config: string
  readonly captures: Array<{name: string; text: string}> = []

  constructor(private readonly options: TmuxOptions) {
    const dir = mkdtempSync(join(tmpdir(), 'aims-tmux-'))
    this.config = join(dir, 'tmux.conf')
    // No status line (the window is all pane), the pane stays after exit so its exit code can be read.
    writeFileSync(
      this.config,
      [
        'set -g status off',
        'set -g remain-on-exit on',
        'set -g default-terminal "tmux-256color"',
        'set -g escape-time 10',
        'set -g history-limit 100',
        '',
      ].join('\n'),
    )
  }

  private tmux(args: string[]): Promise<string> {
    const env: Record<string, string> = {}
    // A tmux started from inside tmux would talk to the outer one.
    for (const [key, value] of Object.entries(this.options.env))
      if (value !== undefined && key !== 'TMUX') env[key] = value
    return run('tmux', ['-u', '-L', this.options.socket, '-f', this.config, ...args], {
      env,
      cwd: this.options.cwd,
    }).then((result) => result.stdout)
  }

  private exitFile?: string

  /**
   * Starts `command` (argv, quoted here) in a new detached window of the
   * fixed size. When it ends, its exit code goes to a file and the pane stays
   * alive (a shell sleeping): the terminal state it left behind (alternate
   * screen, cursor) can be read as it is — tmux resets a dead pane's modes.
   */
  async start(command: string[]): Promise<void> {
    this.exitFile = join(mkdtempSync(join(tmpdir(), 'aims-tmux-exit-')), 'code')
    const quote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`
    const script = `${command.map(quote).join(' ')}; echo $? > ${quote(this.exitFile)}; exec sleep 600`
    await this.tmux([
      'new-session',
      '-d',
      '-s',
      this.options.session,
      '-x',
      String(this.options.width),
      '-y',
      String(this.options.height),
      '-c',
      this.options.cwd,
      script,
    ])
  }

  /** Waits until the command ended; its exit code. */
  async waitForExit(timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const code = this.exitCode()
      if (code !== undefined) return code
      if (Date.now() > deadline)
        throw new Error(`the command did not exit within ${timeoutMs} ms; the screen shows:\n${await this.capture()}`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }

  /** The command's exit code once it ended. */
  exitCode(): number | undefined {
    try {
      const text = readFileSync(this.exitFile ?? '', 'utf8').trim()
      return text === '' ? undefined : Number(text)
    } catch {
      return undefined
    }
  }

  /** Resizes the window (the program gets SIGWINCH, as with a terminal window dragged smaller). */
  async resize(width: number, height: number): Promise<void> {
    await this.tmux(['resize-window', '-t', this.options.session, '-x', String(width), '-y', String(height)])
  }

  capture(): Promise<string> {
    return this.tmux(['capture-pane', '-p', '-t', this.options.session])
  }

  /** Keys by tmux name (Enter, Escape, Down) or literal text with {literal: true}. */
  async send(keys: string, options: {literal?: boolean} = {}): Promise<void> {
    await this.tmux(['send-keys', '-t', this.options.session, ...(options.literal ? ['-l'] : []), keys])
  }

  async info(): Promise<{
    dead: boolean
    status?: number
    alternate: boolean
    cursorVisible: boolean
    width: number
    height: number
  }> {
    const text = (
      await this.tmux([
        'display-message',
        '-p',
        '-t',
        this.options.session,
        '#{pane_dead}|#{alternate_on}|#{cursor_flag}|#{pane_width}|#{pane_height}',
      ])
    ).trim()
    const [dead, alternate, cursor, width, height] = text.split('|')
    const status = this.exitCode()
    return {
      dead: dead === '1',
      ...(status !== undefined ? {status} : {}),
      alternate: alternate === '1',
      cursorVisible: cursor === '1',
      width: Number(width),
      height: Number(height),
    }
  }

  /** Polls the screen until `test` matches; returns the screen and when it first matched. */
  async waitFor(
    test: RegExp | ((screen: string) => boolean),
    timeoutMs: number,
    pollMs = 50,
  ): Promise<{screen: string; at: number}> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const screen = await this.capture()
      if (typeof test === 'function' ? test(screen) : test.test(screen)) return {screen, at: Date.now()}
      if (Date.now() > deadline)
        throw new Error(`the screen did not show ${String(test)} within ${timeoutMs} ms; it shows:\n${screen}`)
      await new Promise((resolve) => setTimeout(resolve, pollMs))
    }
  }

  /** Keeps a named copy of the screen for the test output. */
  async keep(name: string, screen?: string): Promise<string> {
    const text = screen ?? (await this.capture())
    this.captures.push({name, text})
    return text
  }

  /** Writes the kept screens to a directory and prints them (the test output). */
  report(dir: string): string {
    mkdirSync(dir, {recursive: true})
    const all = this.captures.map(({name, text}) => `===== ${name} =====\n${text.replace(/\s+$/gm, '')}`).join('\n\n')
    writeFileSync(join(dir, 'captures.txt'), `${all}\n`)
    for (const [index, {name, text}] of this.captures.entries())
      writeFileSync(join(dir, `${String(index + 1).padStart(2, '0')}-${name}.txt`), text)
    console.log(`[dock e2e] pane captures (${dir}):\n${all}`)
    return all
  }

  async kill(): Promise<void> {
    await this.tmux(['kill-server']).catch(() => undefined)
  }
}
