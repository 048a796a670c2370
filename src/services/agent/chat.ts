/**
 * `aims chat`: the REPL around the agent. Reads requests line by line,
 * streams replies, handles /help, /exit and /id, persists every message of
 * the session (masked) so `aims chat --resume` continues it.
 *
 * Confirmations without a terminal: the chat reads its answers from the
 * same input as its requests. When stdin is a script, the script is the
 * user, speaking in advance: a plan is printed, the next line is read as the
 * answer, and only "yes" (or the instance name, for a destroy) approves it;
 * anything else, or the end of input, declines. The gate's "no TTY → no
 * prompt" protects commands whose stdin is not a conversation (`aims plug up`
 * in CI); a chat's stdin is nothing but a conversation. `aims ask`, which has
 * no such input, keeps the rule: no change without --yes.
 */
import type {Agent} from './agent.js'
import type {TranscriptWriter} from './transcript-store.js'

export interface ChatIo {
  /** A person at a terminal (line editing, Ctrl-C interrupts a turn). */
  readonly interactive: boolean
  write(text: string): void
  /** The next line of input; undefined at end of input. */
  readLine(prompt: string, options?: {secret?: boolean}): Promise<string | undefined>
  /** Ctrl-C while a turn runs (terminal only). */
  onInterrupt(handler: () => void): void
  close(): void
}

export const CHAT_HELP = [
  'Ask for what you want in your own words, for example:',
  "  what's running?            deploy uptime-kuma for acme      show the logs of acme/n8n",
  '  restart it                  scale acme/n8n to 2 replicas      take down acme/blog',
  'Every change is shown as a plan and runs only after you answer "yes"; taking an',
  'instance down needs its name typed. Nothing is ever approved for the whole session.',
  "Commands: /help this help · /id this chat's id (aims chat --resume ID) · /exit (or Ctrl-D)",
].join('\n')

export interface ChatOptions {
  agent: Agent
  io: ChatIo
  transcript: TranscriptWriter
  /** Shown once at the start (provider, host, resumed or new). */
  banner: string
  prompt: string
  now(): Date
}

export async function runChat(options: ChatOptions): Promise<{turns: number; id: string}> {
  const {agent, io, transcript} = options
  io.write(`${options.banner}\n`)
  let turns = 0
  let controller: AbortController | undefined
  io.onInterrupt(() => controller?.abort(new DOMException('interrupted', 'AbortError')))
  let focus = agent.focus
  for (;;) {
    const line = await io.readLine(options.prompt)
    if (line === undefined) break
    const text = line.trim()
    if (text === '') continue
    if (/^\/(?:exit|quit|q|bye)$/i.test(text)) break
    if (/^\/(?:help|\?)$/i.test(text)) {
      io.write(`${CHAT_HELP}\n`)
      continue
    }
    if (/^\/id$/i.test(text)) {
      io.write(`This chat is ${transcript.id}: continue it later with aims chat --resume ${transcript.id}\n`)
      continue
    }
    if (text.startsWith('/')) {
      io.write(`Unknown command ${text.split(/\s/)[0]}. ${CHAT_HELP.split('\n').at(-1)}\n`)
      continue
    }
    controller = new AbortController()
    try {
      await agent.turn(text, controller.signal)
    } catch (error) {
      // A provider failure ends the turn, not the chat: say it and keep listening.
      const failure = error as {line?: string; message?: string; name?: string}
      const said = controller.signal.aborted
        ? '(interrupted)'
        : `Error: ${failure.line ?? failure.message ?? String(error)}`
      io.write(`${said}\n`)
    } finally {
      controller = undefined
    }
    turns++
    if (agent.focus !== focus) {
      focus = agent.focus
      transcript.write({type: 'focus', at: options.now().toISOString(), focus: focus ?? null})
    }
  }
  await transcript.flush()
  io.write(`Bye. Continue this chat with aims chat --resume ${transcript.id}\n`)
  return {turns, id: transcript.id}
}
