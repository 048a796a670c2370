/**
 * A host for unit tests: files in memory (FakeShell), host locks that can be
 * held by "another process" or trigger a race when taken, and TCP from the
 * host's side answered by the fake engine's containers. Commands (exec) are
 * not expected by the lifecycle: they fail the test.
 */
import type {Duplex} from 'node:stream'
import {AimsError} from '../../src/core/errors.js'
import {resolveHostEntry, type HostEntry, type ResolvedHost} from '../../src/core/host-target.js'
import type {
  ExecResult,
  HostLock,
  HostSession,
  LockOptions,
  HostShell,
  TransportMetrics,
} from '../../src/services/ports.js'
import {FakeEngine} from './fake-engine.js'
import {recordedStatvfs} from './recorded.js'
import {diskSpaceFromStatvfs} from '../../src/adapters/disk-space.js'

export class FakeShell implements HostShell {
  readonly files = new Map<string, string>()
  readonly dirs = new Set<string>()
  /**
   * What the host's SFTP server answers for statvfs, in ssh2's own shape (recorded from the bed:
   * test/fixtures/recorded/ssh2/statvfs.json); diskFree converts it as the SSH adapter does.
   * Set `disk` instead to answer in bytes directly.
   */
  statvfs: Record<string, unknown> | undefined = recordedStatvfs()
  disk: {freeBytes: number; totalBytes: number} | undefined | 'from-statvfs' = 'from-statvfs'
  /** path → error thrown by any operation on it. */
  readonly failing = new Map<string, Error>()

  constructor(readonly log: string[] = []) {}

  async exec(argv: string[]): Promise<ExecResult> {
    // The two commands plug up's rendered files need (chmod of their root, rm -rf of an instance's dir).
    if (argv[0] === 'chmod' && argv.length === 3) {
      this.check(argv[2]!)
      this.log.push(`chmod ${argv[1]} ${argv[2]}`)
      return {exitCode: 0, stdout: '', stderr: ''}
    }
    if (argv.length === 4 && argv[0] === 'rm' && argv[1] === '-rf' && argv[2] === '--') {
      const dir = argv[3]!
      this.check(dir)
      for (const file of [...this.files.keys()]) if (file.startsWith(`${dir}/`)) this.files.delete(file)
      for (const known of [...this.dirs]) if (known === dir || known.startsWith(`${dir}/`)) this.dirs.delete(known)
      this.log.push(`rm -rf ${dir}`)
      return {exitCode: 0, stdout: '', stderr: ''}
    }
    throw new Error(`unexpected shell exec: ${argv.join(' ')}`)
  }

  async execStream(argv: string[]): Promise<{exitCode: number; stderr: string}> {
    throw new Error(`unexpected shell execStream: ${argv.join(' ')}`)
  }

  async readFile(path: string): Promise<Buffer | undefined> {
    this.check(path)
    const text = this.files.get(path)
    return text === undefined ? undefined : Buffer.from(text)
  }

  async writeFile(path: string, data: string | Buffer): Promise<void> {
    this.check(path)
    this.files.set(path, data.toString())
    this.log.push(`write ${path}`)
  }

  async appendFile(path: string, data: string): Promise<void> {
    this.check(path)
    this.files.set(path, (this.files.get(path) ?? '') + data)
    this.log.push(`append ${path}`)
  }

  async removeFile(path: string): Promise<void> {
    this.check(path)
    if (this.files.delete(path)) this.log.push(`rm ${path}`)
  }

  async rename(from: string, to: string): Promise<void> {
    const text = this.files.get(from)
    if (text === undefined) throw new Error(`rename: no such file ${from}`)
    this.files.delete(from)
    this.files.set(to, text)
  }

  async mkdirp(path: string): Promise<void> {
    this.check(path)
    this.dirs.add(path)
  }

  async listDir(path: string): Promise<string[] | undefined> {
    this.check(path)
    const children = [...this.files.keys()]
      .filter((file) => file.startsWith(`${path}/`) && !file.slice(path.length + 1).includes('/'))
      .map((file) => file.slice(path.length + 1))
    if (children.length === 0 && !this.dirs.has(path)) return undefined
    return children.sort()
  }

  async diskFree(): Promise<{freeBytes: number; totalBytes: number} | undefined> {
    return this.disk === 'from-statvfs' ? diskSpaceFromStatvfs(this.statvfs) : this.disk
  }

  private check(path: string): void {
    const error = this.failing.get(path)
    if (error) throw error
  }
}

/** /proc/net/tcp with these ports listening on 127.0.0.1. */
export function procNetTcp(ports: number[]): string {
  const header = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode'
  return (
    [
      header,
      ...ports.map(
        (port, index) =>
          `   ${index}: 0100007F:${port.toString(16).toUpperCase().padStart(4, '0')} 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 ${1000 + index} 1 0000000000000000 100 0 0 10 0`,
      ),
    ].join('\n') + '\n'
  )
}

export const GiB = 1024 ** 3

export function meminfo(totalBytes: number, availableBytes: number): string {
  return `MemTotal:       ${Math.round(totalBytes / 1024)} kB\nMemFree:        1024 kB\nMemAvailable:   ${Math.round(availableBytes / 1024)} kB\n`
}

export function testHost(overrides: Partial<HostEntry> = {}): ResolvedHost {
  return resolveHostEntry(
    {name: 'vps', target: {user: 'root', host: '203.0.113.7'}, ...overrides},
    {home: '/home/me', localUser: 'me', defaultIdentityFiles: []},
  )
}

interface LockRecord {
  name: string
  wait: boolean
  timeoutMs?: number
  released: boolean
}

export class FakeSession implements HostSession {
  readonly log: string[]
  readonly engineFake: FakeEngine
  readonly shellFake: FakeShell
  readonly locks: LockRecord[] = []
  /** Locks another process holds: taking them fails with 'conflict'. */
  readonly heldElsewhere = new Set<string>()
  private readonly onAcquire = new Map<string, () => void | Promise<void>>()

  constructor(
    public host: ResolvedHost = testHost(),
    options: {engine?: FakeEngine; shell?: FakeShell; log?: string[]} = {},
  ) {
    this.log = options.log ?? options.engine?.log ?? []
    this.engineFake = options.engine ?? new FakeEngine(this.log)
    this.shellFake = options.shell ?? new FakeShell(this.log)
  }

  async engine(): Promise<FakeEngine> {
    return this.engineFake
  }

  async shell(): Promise<FakeShell> {
    return this.shellFake
  }

  connectTcp(host: string, port: number): Promise<Duplex> {
    return this.engineFake.connect(host, port)
  }

  /** Runs `hook` right after the lock is taken (another process did something just before). */
  whenLocked(name: string, hook: () => void | Promise<void>): void {
    this.onAcquire.set(name, hook)
  }

  async lock(name: string, options: LockOptions): Promise<HostLock> {
    if (this.heldElsewhere.has(name))
      throw new AimsError('conflict', `the lock ${name} on ${this.host.name} is held by another process`)
    if (this.locks.some((lock) => lock.name === name && !lock.released))
      throw new Error(`FakeSession: lock ${name} taken twice by one process`)
    const record: LockRecord = {
      name,
      wait: options.wait,
      ...(options.timeoutMs !== undefined ? {timeoutMs: options.timeoutMs} : {}),
      released: false,
    }
    this.locks.push(record)
    this.log.push(`lock ${name}`)
    const hook = this.onAcquire.get(name)
    if (hook) {
      this.onAcquire.delete(name)
      await hook()
    }
    return {
      release: async () => {
        if (record.released) throw new Error(`FakeSession: lock ${name} released twice`)
        record.released = true
        this.log.push(`unlock ${name}`)
      },
    }
  }

  /** Locks taken and not released (must be empty when a service returns or throws). */
  openLocks(): string[] {
    return this.locks.filter((lock) => !lock.released).map((lock) => lock.name)
  }

  metrics(): TransportMetrics {
    return {sshLogins: 0, apiCalls: 0}
  }

  async close(): Promise<void> {}
}
