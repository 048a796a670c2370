/**
 * Host locks over SSH with one remote process per session: a small constant
 * shell script holds each lock as an open file descriptor with flock(1) and
 * takes commands on stdin. Every lock is released when aims lets go of it or
 * when the connection dies (the shell exits, its descriptors close), so a
 * killed aims never leaves a lock behind. One exec serves every lock of the
 * session: exec starts the user's login shell, which is the slow part.
 */
import {oneLine} from '../core/text/sanitize.js'
import type {ClientChannel} from 'ssh2'
import {AimsError} from '../core/errors.js'
import {quoteCommand} from '../core/shell-quote.js'
import type {HostLock} from '../services/ports.js'

/**
 * The protocol: `lock FD wait|nowait SECONDS NAME` → `ok FD` | `busy FD` | `error …`;
 * `unlock FD` → `released FD`. FD is 3-9, chosen by aims; NAME is a validated
 * lock name; the directory is the script's first argument. Nothing a user
 * typed reaches eval: FD is checked against [3-9] before use.
 */
export const LOCK_SCRIPT = [
  'dir="$1"',
  'mkdir -p "$dir" 2>/dev/null || { echo "error mkdir"; exit 3; }',
  'command -v flock >/dev/null 2>&1 || { echo "error no-flock"; exit 4; }',
  'echo ready',
  'while read -r op fd mode secs name; do',
  '  case "$fd" in [3-9]) ;; *) echo "error bad-fd"; continue;; esac',
  '  case "$name" in *[!a-z0-9-]*|"") echo "error bad-name $fd"; continue;; esac',
  '  f="$dir/$name.lock"',
  '  case "$op" in',
  '    lock)',
  '      eval "exec $fd>>\\"\\$f\\"" 2>/dev/null || { echo "error open $fd"; continue; }',
  '      if [ "$mode" = wait ]; then flock -w "$secs" "$fd"; else flock -n "$fd"; fi',
  '      if [ $? -eq 0 ]; then echo "ok $fd"; else eval "exec $fd>&-"; echo "busy $fd"; fi',
  '      ;;',
  '    unlock) eval "exec $fd>&-"; echo "released $fd";;',
  '    *) echo "error bad-op";;',
  '  esac',
  'done',
].join('\n')

interface Pending {
  resolve: (line: string) => void
}

export class RemoteLockManager {
  private channel: Promise<ClientChannel> | undefined
  private readonly waiting: Pending[] = []
  private buffer = ''
  private readonly free = [3, 4, 5, 6, 7, 8, 9]
  /** Commands are answered in order; serialize them. */
  private queue: Promise<unknown> = Promise.resolve()

  constructor(
    private readonly open: (command: string) => Promise<ClientChannel>,
    private readonly dir: string,
    private readonly where: string,
  ) {}

  private start(): Promise<ClientChannel> {
    this.channel ??= this.open(quoteCommand(['sh', '-c', LOCK_SCRIPT, 'aims-locks', this.dir])).then(
      (channel) =>
        new Promise<ClientChannel>((resolve, reject) => {
          let ready = false
          channel.on('data', (chunk: Buffer) => {
            this.buffer += chunk.toString('utf8')
            let index: number
            while ((index = this.buffer.indexOf('\n')) !== -1) {
              const line = this.buffer.slice(0, index).trim()
              this.buffer = this.buffer.slice(index + 1)
              if (!ready) {
                if (line === 'ready') {
                  ready = true
                  resolve(channel)
                } else {
                  reject(this.startError(line))
                }
                continue
              }
              this.waiting.shift()?.resolve(line)
            }
          })
          channel.stderr.on('data', () => undefined)
          channel.on('close', () => {
            if (!ready) reject(this.startError('closed'))
            // Every lock of this session is gone with the process.
            for (const pending of this.waiting.splice(0)) pending.resolve('error closed')
            this.channel = undefined
          })
        }),
    )
    this.channel.catch(() => (this.channel = undefined))
    return this.channel
  }

  /** Starts the helper ahead of the first lock (errors come back with that lock). */
  warm(): void {
    this.start().catch(() => undefined)
  }

  private startError(line: string): AimsError {
    if (line.includes('no-flock'))
      return new AimsError('remote', `flock is missing on ${this.where}`, {
        hint: 'install util-linux on the host (apt-get install util-linux)',
      })
    if (line.includes('mkdir'))
      return new AimsError('remote', `cannot create ${this.dir} on ${this.where}`, {
        hint: 'let the SSH user write the host state dir, or configure another one with aims host add --state-dir',
      })
    return new AimsError('remote', `cannot start the lock helper on ${this.where} (${oneLine(line)})`, {
      hint: 'check that the host has a POSIX sh and flock',
    })
  }

  private send(command: string): Promise<string> {
    const run = this.queue.then(async () => {
      const channel = await this.start()
      return new Promise<string>((resolve) => {
        this.waiting.push({resolve})
        channel.write(`${command}\n`)
      })
    })
    this.queue = run.catch(() => undefined)
    return run
  }

  async lock(name: string, options: {wait: boolean; timeoutMs?: number}): Promise<HostLock> {
    if (!/^[a-z0-9-]{1,80}$/.test(name)) throw new AimsError('internal', `invalid lock name ${JSON.stringify(name)}`)
    const fd = this.free.shift()
    if (fd === undefined) throw new AimsError('internal', 'too many host locks held at once')
    const seconds = Math.max(1, Math.ceil((options.timeoutMs ?? 60_000) / 1000))
    const answer = await this.send(`lock ${fd} ${options.wait ? 'wait' : 'nowait'} ${seconds} ${name}`).catch(
      (error: unknown) => {
        this.free.unshift(fd)
        throw error
      },
    )
    if (answer !== `ok ${fd}`) {
      this.free.unshift(fd)
      if (answer.startsWith('busy')) {
        throw new AimsError(
          'conflict',
          `another aims process holds the ${name} lock on ${this.where}${options.wait ? ` (waited ${seconds} s)` : ''}`,
          {hint: 'wait for it to finish and retry'},
        )
      }
      throw new AimsError('remote', `cannot take the ${name} lock on ${this.where} (${oneLine(answer)})`, {
        hint: `check that ${this.dir} is writable`,
      })
    }
    let released = false
    return {
      release: async () => {
        if (released) return
        released = true
        await this.send(`unlock ${fd}`).catch(() => undefined)
        this.free.unshift(fd)
      },
    }
  }
}
