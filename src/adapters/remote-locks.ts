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
import type {HostLock, LockOptions} from '../services/ports.js'

/** The holder record as the lock scripts take it: base64 of its JSON (one shell-safe word), or ''. */
export function holderInfo(holder: LockOptions['holder']): string {
  return holder ? Buffer.from(JSON.stringify(holder), 'utf8').toString('base64') : ''
}

/**
 * The protocol: `lock FD wait|nowait SECONDS NAME` → `ok FD` | `busy FD` | `error …`;
 * `unlock FD` → `released FD`; `remove FD` → `removed FD` (unlinks the lock
 * file while still holding it, then releases, then sweeps); `sweep` → `swept N`.
 * FD is 3-8, chosen by aims (9 is the sweep's own); NAME is a validated lock
 * name; the directory is the script's first argument. Nothing a user typed
 * reaches eval: FD is checked against [3-8] before use.
 *
 * Lock files of instances (instance-*) are transient: removed when released
 * (`remove`), and a sweep removes every one nobody holds (left by a killed
 * run or an older aims), so /var/lib/aims/locks does not fill up with one
 * file per instance ever deployed. Removing a file someone may be waiting on
 * is safe because of how a lock is taken: open, flock, then check that the
 * path still names the file that was locked (`[ "$f" -ef /dev/fd/FD ]`). A
 * waiter that wakes up holding a removed file lets go and opens the path
 * again, so two holders never hold "the same" lock through two files.
 */
/** The two shell functions both lock helpers use (this one over SSH, the local adapter's). */
export const LOCK_FUNCTIONS = [
  // take FD MODE SECS: 0 held (and $f still names it), 1 busy, 2 cannot open.
  'take() {',
  '  tries=0',
  '  while :; do',
  '    eval "exec $1>>\\"\\$f\\"" 2>/dev/null || return 2',
  '    if [ "$2" = wait ]; then flock -w "$3" "$1"; else flock -n "$1"; fi || { eval "exec $1>&-"; return 1; }',
  '    [ "$f" -ef "/dev/fd/$1" ] && return 0',
  '    eval "exec $1>&-"',
  '    tries=$((tries + 1))',
  '    [ "$tries" -lt 50 ] || return 1',
  '  done',
  '}',
  // hold LOCKFILE INFO: records who holds it (base64 of aims' JSON, nothing else) beside the lock file.
  'hold() {',
  '  case "$2" in "") return 0;; *[!A-Za-z0-9+/=]*) return 0;; esac',
  '  printf "%s\\n" "$2" > "${1%.lock}.holder" 2>/dev/null || :',
  '}',
  // Removes every instance lock file nobody holds (flock -n succeeds and the path still names it).
  'sweep() {',
  '  swept=0',
  '  for g in "$dir"/instance-*.lock; do',
  '    [ -f "$g" ] || continue',
  '    exec 9>>"$g" 2>/dev/null || continue',
  '    if flock -n 9 && [ "$g" -ef /dev/fd/9 ]; then rm -f "$g" "${g%.lock}.holder" && swept=$((swept + 1)); fi',
  '    exec 9>&-',
  '  done',
  '}',
]

export const LOCK_SCRIPT = [
  'dir="$1"',
  'mkdir -p "$dir" 2>/dev/null || { echo "error mkdir"; exit 3; }',
  'command -v flock >/dev/null 2>&1 || { echo "error no-flock"; exit 4; }',
  ...LOCK_FUNCTIONS,
  'echo ready',
  'while read -r op fd mode secs name info; do',
  '  case "$op" in',
  '    sweep) sweep; echo "swept $swept"; continue;;',
  '  esac',
  '  case "$fd" in [3-8]) ;; *) echo "error bad-fd"; continue;; esac',
  '  case "$op" in',
  '    lock)',
  '      case "$name" in *[!a-z0-9-]*|"") echo "error bad-name $fd"; continue;; esac',
  '      f="$dir/$name.lock"',
  '      take "$fd" "$mode" "$secs"',
  '      case $? in',
  '        0) eval "held$fd=\\$f"; hold "$f" "$info"; echo "ok $fd";;',
  '        2) echo "error open $fd";;',
  '        *) echo "busy $fd";;',
  '      esac',
  '      ;;',
  '    unlock) eval "g=\\$held$fd"; [ -n "$g" ] && rm -f "${g%.lock}.holder"',
  '      eval "exec $fd>&-; held$fd="; echo "released $fd";;',
  '    remove)',
  '      eval "g=\\$held$fd"',
  '      [ -n "$g" ] && rm -f "${g%.lock}.holder" "$g"',
  '      eval "exec $fd>&-; held$fd="',
  '      sweep',
  '      echo "removed $fd"',
  '      ;;',
  '    *) echo "error bad-op";;',
  '  esac',
  'done',
].join('\n')

/** Lock names whose files are removed when released (one per instance; see LOCK_SCRIPT). */
export const TRANSIENT_LOCK = /^instance-/

/**
 * One lock for the local adapter, held by its own `sh` (arguments: dir, name,
 * wait|nowait, seconds, 1 when transient): prints `locked` once held, holds
 * until stdin closes, then removes a transient file (still holding it) and
 * sweeps. Exit 11: busy; 12: cannot open the file.
 */
export const LOCAL_LOCK_SCRIPT = [
  'dir="$1"',
  'f="$dir/$2.lock"',
  ...LOCK_FUNCTIONS,
  'take 3 "$3" "$4"',
  'taken=$?',
  '[ "$taken" -eq 0 ] || exit $((taken + 10))',
  'hold "$f" "$6"',
  'echo locked',
  'cat >/dev/null',
  'rm -f "${f%.lock}.holder"',
  'if [ "$5" = 1 ]; then rm -f "$f"; exec 3>&-; sweep; fi',
].join('\n')

interface Pending {
  resolve: (line: string) => void
}

export class RemoteLockManager {
  private channel: Promise<ClientChannel> | undefined
  private readonly waiting: Pending[] = []
  private buffer = ''
  private readonly free = [3, 4, 5, 6, 7, 8]
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

  /** Removes the lock files of instances that nobody holds; how many went. */
  async sweep(): Promise<number> {
    const answer = await this.send('sweep')
    const swept = /^swept (\d+)$/.exec(answer)
    if (!swept) throw new AimsError('remote', `cannot sweep the lock files on ${this.where} (${oneLine(answer)})`)
    return Number(swept[1])
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

  async lock(name: string, options: LockOptions): Promise<HostLock> {
    if (!/^[a-z0-9-]{1,80}$/.test(name)) throw new AimsError('internal', `invalid lock name ${JSON.stringify(name)}`)
    const fd = this.free.shift()
    if (fd === undefined) throw new AimsError('internal', 'too many host locks held at once')
    const seconds = Math.max(1, Math.ceil((options.timeoutMs ?? 60_000) / 1000))
    const info = holderInfo(options.holder)
    const answer = await this.send(
      `lock ${fd} ${options.wait ? 'wait' : 'nowait'} ${seconds} ${name}${info ? ` ${info}` : ''}`,
    ).catch((error: unknown) => {
      this.free.unshift(fd)
      throw error
    })
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
        await this.send(`${TRANSIENT_LOCK.test(name) ? 'remove' : 'unlock'} ${fd}`).catch(() => undefined)
        this.free.unshift(fd)
      },
    }
  }
}
