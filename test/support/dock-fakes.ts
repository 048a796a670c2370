/**
 * Fakes for the dock's services: an engine that fails loudly on calls a test
 * did not expect, a session around it, a shell that runs commands for real
 * on this machine (so host scripts are tested as the host runs them), and a
 * controllable event stream.
 */
import {systemClock} from '../../src/context.js'
import {spawn} from 'node:child_process'
import {appendFile, mkdir, readFile} from 'node:fs/promises'
import {Duplex} from 'node:stream'
import type {ContainerDetails, ContainerSummary, EngineEvent} from '../../src/core/engine-types.js'
import {resolveHostEntry, type ResolvedHost} from '../../src/core/host-target.js'
import type {Clock, Engine, ExecResult, HostSession, HostShell} from '../../src/services/ports.js'

export function hostWithStateDir(stateDir: string): ResolvedHost {
  return {
    ...resolveHostEntry(
      {name: 'vps', target: {user: 'root', host: '203.0.113.7'}},
      {home: '/h', localUser: 'me', defaultIdentityFiles: []},
    ),
    stateDir,
  }
}

/** Every engine method a test did not provide fails the test. */
export function fakeEngine(overrides: Partial<Engine>): Engine {
  return new Proxy(overrides as Engine, {
    get(target, property) {
      if (property in target) return target[property as keyof Engine]
      if (property === 'then') return undefined
      return () => {
        throw new Error(`unexpected engine call: ${String(property)}`)
      }
    },
  })
}

export function runLocally(argv: string[], options: {stdin?: string | Buffer} = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const [command, ...args] = argv
    const child = spawn(command!, args, {stdio: ['pipe', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code) => resolve({exitCode: code ?? -1, stdout, stderr}))
    // A command that exits without reading its input closes the pipe first: EPIPE is not a failure.
    child.stdin.on('error', () => undefined)
    child.stdin.end(options.stdin ?? '')
  })
}

/** A shell on this machine: exec, append and mkdirp are real; anything else fails loudly. */
export function localShell(calls: string[] = []): HostShell {
  const shell: Partial<HostShell> = {
    exec: (argv, options) => {
      calls.push(`exec ${argv[0]}`)
      return runLocally(argv, options)
    },
    appendFile: async (path, data) => {
      calls.push(`append ${path}`)
      await appendFile(path, data)
    },
    mkdirp: async (path) => {
      calls.push(`mkdirp ${path}`)
      await mkdir(path, {recursive: true})
    },
    readFile: async (path) => {
      calls.push(`read ${path}`)
      return readFile(path).catch(() => undefined)
    },
  }
  return new Proxy(shell as HostShell, {
    get(target, property) {
      if (property in target) return target[property as keyof HostShell]
      if (property === 'then') return undefined
      return () => {
        throw new Error(`unexpected shell call: ${String(property)}`)
      }
    },
  })
}

/** An HTTP server behind connectTcp: answers every request with `status()`. */
export function httpAnswering(status: () => number): HostSession['connectTcp'] {
  return async () => {
    const socket: Duplex = new Duplex({
      read() {},
      write(chunk, _encoding, done) {
        if (String(chunk).includes('\r\n\r\n'))
          setImmediate(() => socket.push(`HTTP/1.1 ${status()} X\r\nContent-Length: 0\r\n\r\n`))
        done()
      },
    })
    return socket
  }
}

export function fakeSession(options: {
  engine: Engine
  shell?: HostShell
  host?: ResolvedHost
  connectTcp?: HostSession['connectTcp']
}): HostSession {
  return {
    host: options.host ?? hostWithStateDir('/nonexistent'),
    engine: async () => options.engine,
    shell: async () => options.shell ?? localShell(),
    connectTcp: options.connectTcp ?? (() => Promise.reject(new Error('unexpected connectTcp'))),
    lock: () => Promise.reject(new Error('unexpected lock')),
    metrics: () => ({sshLogins: 1, apiCalls: 0}),
    close: async () => undefined,
  }
}

/** A real-time clock whose sleeps can be cut short by the signal: the system clock itself. */
export const realClock: Clock = systemClock

/**
 * An engine event stream the test drives: push events, end the stream (the
 * engine restarted), or fail it. Each call to events() opens a new stream.
 */
export class EventStreams {
  readonly opened: Array<{since?: Date; labels?: Record<string, string | true>}> = []
  private current?: {push: (event: EngineEvent) => void; end: () => void; fail: (error: Error) => void}

  readonly events: Engine['events'] = (options) => {
    this.opened.push({
      ...(options.since ? {since: options.since} : {}),
      ...(options.labels ? {labels: options.labels} : {}),
    })
    const queue: EngineEvent[] = []
    let wake: (() => void) | undefined
    let ended = false
    let failure: Error | undefined
    const stream = {
      push: (event: EngineEvent) => {
        queue.push(event)
        wake?.()
      },
      end: () => {
        ended = true
        wake?.()
      },
      fail: (error: Error) => {
        failure = error
        wake?.()
      },
    }
    this.current = stream
    options.signal.addEventListener('abort', () => stream.end(), {once: true})
    return (async function* () {
      for (;;) {
        while (queue.length > 0) yield queue.shift()!
        if (failure) throw failure
        if (ended) return
        await new Promise<void>((resolve) => (wake = resolve))
        wake = undefined
      }
    })()
  }

  push(event: EngineEvent): void {
    this.current?.push(event)
  }
  end(): void {
    this.current?.end()
  }
  fail(error: Error): void {
    this.current?.fail(error)
  }
}

export function summary(
  tenant: string,
  instance: string,
  options: {
    id?: string
    state?: ContainerSummary['state']
    service?: string
    port?: number
    health?: string
    secretKeys?: string
  } = {},
): ContainerSummary {
  const service = options.service ?? 'web'
  return {
    id: options.id ?? `${tenant}-${instance}-${service}-id`,
    name: `aims-${tenant}-${instance}-${service}`,
    image: 'aims-fixture/web:1',
    labels: {
      'aims.managed': 'true',
      'aims.tenant': tenant,
      'aims.instance': instance,
      'aims.plug': 'fixture-web',
      'aims.service': service,
      'aims.entry': 'true',
      'aims.replica': '1',
      'aims.services': service,
      ...(options.port ? {'aims.port': String(options.port)} : {}),
      'aims.health': options.health ?? JSON.stringify({type: 'running'}),
      ...(options.secretKeys ? {'aims.secret-keys': options.secretKeys} : {}),
    },
    state: options.state ?? 'running',
    status: options.state === 'exited' ? 'Exited (0) 1 minute ago' : 'Up 2 minutes',
    created: new Date('2025-01-31T11:00:00Z'),
    ports: options.port ? [{containerPort: 8080, protocol: 'tcp', hostPort: options.port, hostIp: '127.0.0.1'}] : [],
    health: 'none',
    networks: [],
  }
}

export function details(container: ContainerSummary, extra: Partial<ContainerDetails> = {}): ContainerDetails {
  return {
    ...container,
    startedAt: new Date('2025-01-31T11:30:00Z'),
    restartCount: 0,
    env: {},
    ips: {net: '10.0.0.2'},
    command: [],
    mounts: [],
    oomKilled: false,
    ...extra,
  }
}

export function containerEvent(tenant: string, instance: string, action: string, at = new Date()): EngineEvent {
  return {
    type: 'container',
    action,
    id: `${tenant}-${instance}-web-id`,
    time: at,
    attributes: {
      'aims.managed': 'true',
      'aims.tenant': tenant,
      'aims.instance': instance,
      'aims.service': 'web',
      name: `aims-${tenant}-${instance}-web`,
    },
  }
}

/** Waits until `check` passes (or fails with its last error after `timeoutMs`). */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      return await check()
    } catch (error) {
      if (Date.now() > deadline) throw error
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
  }
}
