/**
 * Line input and output for `aims chat`, over node:readline (loaded only by
 * the chat command).
 *
 * On a terminal: a prompt with line editing and history; secret answers are
 * not echoed; Ctrl-C at a prompt ends the chat, Ctrl-C during a reply
 * interrupts that turn.
 *
 * Without a terminal (stdin is a file or a pipe): each prompt reads the next
 * line of stdin — requests, answers to questions and confirmations alike —
 * and the line is echoed after its prompt, so the output reads as a
 * transcript. Secret answers are echoed as dots. End of input ends the chat
 * (an unanswered question counts as "no").
 */
import {createInterface, type Interface} from 'node:readline'
import type {ChatIo} from '../services/agent/chat.js'

export function terminalChatIo(options: {
  input: NodeJS.ReadableStream & {isTTY?: boolean}
  output: NodeJS.WritableStream
  interactive: boolean
}): ChatIo {
  return options.interactive
    ? new TtyChatIo(options.input, options.output)
    : new ScriptedChatIo(options.input, options.output)
}

class ScriptedChatIo implements ChatIo {
  readonly interactive = false
  private readonly lines: string[] = []
  private ended = false
  private waiting: ((line: string | undefined) => void) | undefined
  private readonly rl: Interface

  constructor(
    input: NodeJS.ReadableStream,
    private readonly output: NodeJS.WritableStream,
  ) {
    this.rl = createInterface({input, terminal: false, crlfDelay: Number.POSITIVE_INFINITY})
    this.rl.on('line', (line) => {
      if (this.waiting) {
        const resolve = this.waiting
        this.waiting = undefined
        resolve(line)
      } else this.lines.push(line)
    })
    this.rl.on('close', () => {
      this.ended = true
      const resolve = this.waiting
      this.waiting = undefined
      resolve?.(undefined)
    })
  }

  write(text: string): void {
    this.output.write(text)
  }

  async readLine(prompt: string, options: {secret?: boolean} = {}): Promise<string | undefined> {
    this.output.write(prompt)
    const line =
      this.lines.length > 0
        ? this.lines.shift()
        : this.ended
          ? undefined
          : await new Promise<string | undefined>((resolve) => (this.waiting = resolve))
    this.output.write(
      line === undefined ? '(end of input)\n' : `${options.secret && line !== '' ? '•'.repeat(8) : line}\n`,
    )
    return line
  }

  onInterrupt(): void {
    // Without a terminal, Ctrl-C is the shell's: the process ends.
  }

  close(): void {
    this.rl.close()
  }
}

class TtyChatIo implements ChatIo {
  readonly interactive = true
  private readonly rl: Interface
  private muted = false
  private pending: ((line: string | undefined) => void) | undefined
  private interruptHandler: (() => void) | undefined

  constructor(
    input: NodeJS.ReadableStream,
    private readonly output: NodeJS.WritableStream,
  ) {
    this.rl = createInterface({input, output, terminal: true, historySize: 200})
    // Secret answers: keep readline's line editing, but write nothing of what is typed.
    const rl = this.rl as unknown as {_writeToOutput: (text: string) => void}
    const original = rl._writeToOutput.bind(this.rl)
    rl._writeToOutput = (text: string) => {
      if (!this.muted || /^\r?\n$/.test(text)) original(text)
    }
    this.rl.on('SIGINT', () => {
      if (this.pending) {
        output.write('\n')
        const resolve = this.pending
        this.pending = undefined
        resolve(undefined)
      } else this.interruptHandler?.()
    })
    this.rl.on('close', () => {
      const resolve = this.pending
      this.pending = undefined
      resolve?.(undefined)
    })
  }

  write(text: string): void {
    this.output.write(text)
  }

  readLine(prompt: string, options: {secret?: boolean} = {}): Promise<string | undefined> {
    return new Promise((resolve) => {
      this.pending = resolve
      this.rl.question(prompt, (answer) => {
        this.muted = false
        this.pending = undefined
        resolve(answer)
      })
      this.muted = Boolean(options.secret)
    })
  }

  onInterrupt(handler: () => void): void {
    this.interruptHandler = handler
  }

  close(): void {
    this.rl.close()
  }
}
