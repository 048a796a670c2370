/**
 * A real terminal for the binary: a tmux session (its own server socket),
 * keys sent with send-keys, the screen read with capture-pane. Used where
 * behaviour differs on a TTY (prompts, confirmations, passphrases).
 */
import {execFileSync} from 'node:child_process'
import {existsSync, writeFileSync} from 'node:fs'
import {BIN, aimsEnv, type AimsOptions} from './aims.js'

const SOCKET = 'aims-tty-test'
let counter = 0

function tmux(args: string[]): string {
  return execFileSync('tmux', ['-L', SOCKET, ...args], {encoding: 'utf8'})
}

const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`

export interface Terminal {
  screen(): string
  /** Waits until the screen matches; throws with the screen when it does not in time. */
  waitFor(pattern: RegExp, ms?: number): Promise<string>
  type(text: string): void
  press(...keys: string[]): void
  /** Exit code of aims once it has finished (printed by the wrapper). */
  exitCode(ms?: number): Promise<number>
  close(): void
}

export interface TerminalOptions extends AimsOptions {
  /**
   * A file that receives every byte the program writes to the terminal
   * (tmux pipe-pane), including lines it later erases — a spinner line's
   * history, which the screen alone no longer shows. The program starts only
   * once the recording is attached.
   */
  record?: string
}

export function openTerminal(args: string[], options: TerminalOptions = {}): Terminal {
  const name = `t${process.pid}-${++counter}`
  const env = aimsEnv(options)
  delete env.CI
  env.TERM = 'xterm-256color'
  const exports = Object.entries(env)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${quote(value!)}`)
    .join(' ')
  const go = options.record ? `${options.record}.go` : undefined
  const gate = go ? `while [ ! -e ${quote(go)} ]; do sleep 0.05; done; ` : ''
  const command = `${gate}env -i ${exports} ${quote(process.execPath)} ${quote(BIN)} ${args.map(quote).join(' ')}; echo "AIMS-EXIT=$?"; sleep 600`
  tmux(['new-session', '-d', '-x', '120', '-y', '40', '-s', name, command])
  if (options.record && go) {
    tmux(['pipe-pane', '-t', name, '-o', `cat >> ${quote(options.record)}`])
    if (!existsSync(go)) writeFileSync(go, '')
  }
  const screen = () => tmux(['capture-pane', '-p', '-t', name, '-S', '-200'])
  const waitFor = async (pattern: RegExp, ms = 15_000) => {
    const deadline = Date.now() + ms
    for (;;) {
      const text = screen()
      if (pattern.test(text)) return text
      if (Date.now() > deadline) throw new Error(`terminal never showed ${pattern}:\n${text}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
  return {
    screen,
    waitFor,
    type: (text) => tmux(['send-keys', '-t', name, '-l', text]),
    press: (...keys) => tmux(['send-keys', '-t', name, ...keys]),
    exitCode: async (ms = 60_000) => Number(/AIMS-EXIT=(\d+)/.exec(await waitFor(/AIMS-EXIT=\d+/, ms))?.[1]),
    close: () => {
      try {
        tmux(['kill-session', '-t', name])
      } catch {
        // already gone
      }
    },
  }
}
