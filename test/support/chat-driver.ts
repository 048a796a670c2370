/**
 * Drives `aims chat` through its stdin like a person would (without a TTY):
 * wait for a prompt in stdout, then type the next line. Keeps everything the
 * chat printed, which is the transcript.
 */
import type {ChildProcess} from 'node:child_process'
import {spawnAims, type AimsOptions} from './aims.js'

export class ChatDriver {
  stdout = ''
  stderr = ''
  private cursor = 0
  private exit: Promise<number>
  readonly child: ChildProcess

  constructor(args: string[], options: AimsOptions) {
    this.child = spawnAims(['chat', ...args], options)
    this.child.stdout!.on('data', (chunk) => (this.stdout += String(chunk)))
    this.child.stderr!.on('data', (chunk) => (this.stderr += String(chunk)))
    this.exit = new Promise((resolve) => this.child.on('close', (code) => resolve(code ?? -1)))
  }

  /** Waits until the output since the last wait matches; returns that part. */
  async waitFor(pattern: RegExp, timeoutMs = 90_000): Promise<string> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const rest = this.stdout.slice(this.cursor)
      const match = pattern.exec(rest)
      if (match) {
        this.cursor += match.index + match[0].length
        return rest.slice(0, match.index + match[0].length)
      }
      if (this.child.exitCode !== null || Date.now() > deadline) {
        throw new Error(
          `chat output never matched ${pattern} (exit ${this.child.exitCode})\n--- stdout since last step:\n${rest}\n--- stderr:\n${this.stderr.slice(-2000)}`,
        )
      }
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
  }

  /** Waits for `pattern`, then types `line`. */
  async answer(pattern: RegExp, line: string, timeoutMs?: number): Promise<string> {
    const seen = await this.waitFor(pattern, timeoutMs)
    this.child.stdin!.write(`${line}\n`)
    return seen
  }

  async end(): Promise<number> {
    this.child.stdin!.end()
    return this.exit
  }
}

export const PROMPT = /you › $/
export const CONFIRM = /\? \[yes\/no\] $/
export const TYPE_NAME = (name: string) =>
  new RegExp(`Type the instance name \\(${name}\\) to confirm, anything else to cancel: $`)
