/**
 * Health probes, run from the host's side of the one connection: HTTP and
 * TCP checks reach 127.0.0.1-bound ports and container IPs through SSH
 * forwarding, so nothing needs to be exposed for aims to see it.
 */
import type {Duplex} from 'node:stream'
import type {ProbeSpec} from '../core/plan/plug-up.js'
import type {ContainerDetails} from '../core/engine-types.js'
import type {Engine, HostSession} from './ports.js'

export interface ProbeResult {
  ok: boolean
  detail: string
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

export interface HttpHead {
  status: number
  /** Lower-cased header names. */
  headers: Record<string, string>
}

/**
 * One HTTP/1.1 GET over a stream opened from the host's side of the
 * connection; resolves with the status line and headers (the body is not read).
 */
export async function httpHead(
  session: HostSession,
  host: string,
  port: number,
  path: string,
  options: {hostHeader?: string; timeoutMs?: number} = {},
): Promise<HttpHead> {
  const timeoutMs = options.timeoutMs ?? 2000
  let stream: Duplex | undefined
  try {
    stream = await withTimeout(session.connectTcp(host, port), timeoutMs, `connect to ${host}:${port}`)
    const opened = stream
    return await withTimeout(
      new Promise<HttpHead>((resolve, reject) => {
        let head = ''
        opened.on('data', (chunk: Buffer) => {
          head += chunk.toString('latin1')
          const end = head.indexOf('\r\n\r\n')
          if (!/^HTTP\/\d/.test(head) && head.length >= 5) return reject(new Error('not an HTTP response'))
          if (end === -1) {
            if (head.length > 65_536) reject(new Error('HTTP headers too long'))
            return
          }
          const [statusLine = '', ...lines] = head.slice(0, end).split('\r\n')
          const status = Number(/^HTTP\/\d(?:\.\d)? (\d{3})/.exec(statusLine)?.[1])
          if (!status) return reject(new Error('not an HTTP response'))
          const headers: Record<string, string> = {}
          for (const line of lines) {
            const colon = line.indexOf(':')
            if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
          }
          resolve({status, headers})
        })
        opened.on('error', reject)
        // Docker's port proxy accepts and then closes when nothing listens in the container.
        opened.on('end', () => reject(new Error('connection closed before a response')))
        opened.on('close', () => reject(new Error('connection closed before a response')))
        opened.write(
          `GET ${path} HTTP/1.1\r\nHost: ${options.hostHeader ?? 'localhost'}\r\nUser-Agent: ` +
            `aims-health\r\nAccept: */*\r\nConnection: close\r\n\r\n`,
        )
      }),
      timeoutMs,
      `GET ${path}`,
    )
  } finally {
    stream?.destroy()
  }
}

/** Healthy on 2xx/3xx. */
export async function httpProbe(
  session: HostSession,
  host: string,
  port: number,
  path: string,
  timeoutMs = 2000,
): Promise<ProbeResult> {
  try {
    const {status} = await httpHead(session, host, port, path, {timeoutMs})
    return status >= 200 && status < 400
      ? {ok: true, detail: `HTTP ${status} on ${path}`}
      : {ok: false, detail: `HTTP ${status} on ${path}`}
  } catch (error) {
    return {ok: false, detail: (error as Error).message}
  }
}

export async function tcpProbe(
  session: HostSession,
  host: string,
  port: number,
  timeoutMs = 2000,
): Promise<ProbeResult> {
  try {
    const stream = await withTimeout(session.connectTcp(host, port), timeoutMs, `connect to ${host}:${port}`)
    stream.destroy()
    return {ok: true, detail: `TCP ${port} accepts connections`}
  } catch (error) {
    return {ok: false, detail: (error as Error).message}
  }
}

export interface ProbeTarget {
  probe: ProbeSpec
  containerId: string
  /** The entry service's host port, for probes of the entry port (127.0.0.1 on the host). */
  hostPort?: number | undefined
  entryContainerPort?: number | undefined
  /** The container as the caller inspected it just now: spares a second inspect per check. */
  details?: ContainerDetails | undefined
}

/** A container's first IP (aims containers sit on one or two aims networks). */
function containerIp(details: ContainerDetails): string | undefined {
  return Object.values(details.ips).find((ip) => ip !== '')
}

/**
 * Where a published port is reached from the host's side: the address it is bound to when that is
 * a specific one (a cluster's task publishes on its node's address), else loopback.
 */
export function boundAddress(ports: ContainerDetails['ports'], hostPort: number): string {
  const ip = ports.find((binding) => binding.hostPort === hostPort)?.hostIp ?? ''
  return ip === '' || ip === '0.0.0.0' || ip === '::' ? '127.0.0.1' : ip
}

export async function probeService(session: HostSession, engine: Engine, target: ProbeTarget): Promise<ProbeResult> {
  const details = target.details ?? (await engine.inspectContainer(target.containerId))
  if (!details) return {ok: false, detail: 'container is gone'}
  if (details.state !== 'running')
    return {
      ok: false,
      detail: `container is ${details.state}${details.exitCode ? ` (exit code ${details.exitCode})` : ''}`,
    }
  const probe = target.probe
  const viaHostPort = (port: number) => target.hostPort !== undefined && port === target.entryContainerPort
  switch (probe.type) {
    case 'running':
      return {ok: true, detail: 'running'}
    case 'docker':
      return details.health === 'healthy'
        ? {ok: true, detail: 'Docker health: healthy'}
        : {
            ok: details.health === 'none',
            detail:
              details.health === 'none' ? 'running (image has no health check)' : `Docker health: ${details.health}`,
          }
    case 'http': {
      if (viaHostPort(probe.port))
        return httpProbe(session, boundAddress(details.ports, target.hostPort!), target.hostPort!, probe.path)
      const ip = containerIp(details)
      return ip ? httpProbe(session, ip, probe.port, probe.path) : {ok: false, detail: 'container has no IP yet'}
    }
    case 'tcp': {
      if (viaHostPort(probe.port))
        return tcpProbe(session, boundAddress(details.ports, target.hostPort!), target.hostPort!)
      const ip = containerIp(details)
      return ip ? tcpProbe(session, ip, probe.port) : {ok: false, detail: 'container has no IP yet'}
    }
  }
}

/** One HTTP/1.1 GET from the host's side, with the body (up to 1 MiB): smoke tests of what was built. */
export async function httpGet(
  session: HostSession,
  host: string,
  port: number,
  path: string,
  options: {hostHeader?: string; timeoutMs?: number; headers?: Record<string, string>} = {},
): Promise<{status: number; headers: Record<string, string>; body: string}> {
  const timeoutMs = options.timeoutMs ?? 3000
  const stream = await withTimeout(session.connectTcp(host, port), timeoutMs, `connect to ${host}:${port}`)
  try {
    const raw = await withTimeout(
      new Promise<Buffer>((resolve, reject) => {
        const chunks: Buffer[] = []
        let size = 0
        stream.on('data', (chunk: Buffer) => {
          chunks.push(chunk)
          size += chunk.length
          if (size > 1024 * 1024) resolve(Buffer.concat(chunks))
        })
        stream.on('error', reject)
        stream.on('end', () => resolve(Buffer.concat(chunks)))
        stream.on('close', () => resolve(Buffer.concat(chunks)))
        const extra = Object.entries(options.headers ?? {})
          .map(([key, value]) => `${key}: ${value}\r\n`)
          .join('')
        stream.write(
          `GET ${path} HTTP/1.1\r\nHost: ${options.hostHeader ?? 'localhost'}\r\nUser-Agent: aims-verify\r\n` +
            `Accept: */*\r\n${extra}Connection: close\r\n\r\n`,
        )
      }),
      timeoutMs,
      `GET ${path}`,
    )
    const text = raw.toString('utf8')
    const end = text.indexOf('\r\n\r\n')
    const [statusLine = '', ...lines] = (end === -1 ? text : text.slice(0, end)).split('\r\n')
    const status = Number(/^HTTP\/\d(?:\.\d)? (\d{3})/.exec(statusLine)?.[1])
    if (!status) throw new Error('not an HTTP response')
    const headers: Record<string, string> = {}
    for (const line of lines) {
      const colon = line.indexOf(':')
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
    }
    let body = end === -1 ? '' : text.slice(end + 4)
    if (/chunked/i.test(headers['transfer-encoding'] ?? '')) body = unchunk(body)
    return {status, headers, body}
  } finally {
    stream.destroy()
  }
}

function unchunk(body: string): string {
  let out = ''
  let rest = body
  for (;;) {
    const line = rest.indexOf('\r\n')
    if (line === -1) return out
    const size = parseInt(rest.slice(0, line), 16)
    if (!size) return out
    out += rest.slice(line + 2, line + 2 + size)
    rest = rest.slice(line + 2 + size + 2)
  }
}
