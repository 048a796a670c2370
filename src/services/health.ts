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

/** One HTTP GET over a raw stream; healthy on 2xx/3xx. */
export async function httpProbe(session: HostSession, host: string, port: number, path: string, timeoutMs = 2000): Promise<ProbeResult> {
  let stream: Duplex | undefined
  try {
    stream = await withTimeout(session.connectTcp(host, port), timeoutMs, `connect to ${host}:${port}`)
    const opened = stream
    const status = await withTimeout(
      new Promise<number>((resolve, reject) => {
        let head = ''
        opened.on('data', (chunk: Buffer) => {
          head += chunk.toString('latin1')
          const match = /^HTTP\/\d(?:\.\d)? (\d{3})/.exec(head)
          if (match) resolve(Number(match[1]))
          else if (head.length > 1024 || head.includes('\r\n')) reject(new Error('not an HTTP response'))
        })
        opened.on('error', reject)
        // Docker's port proxy accepts and then closes when nothing listens in the container.
        opened.on('end', () => reject(new Error('connection closed before a response')))
        opened.on('close', () => reject(new Error('connection closed before a response')))
        opened.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\nUser-Agent: aims-health\r\nAccept: */*\r\nConnection: close\r\n\r\n`)
      }),
      timeoutMs,
      `GET ${path}`,
    )
    return status >= 200 && status < 400 ? {ok: true, detail: `HTTP ${status} on ${path}`} : {ok: false, detail: `HTTP ${status} on ${path}`}
  } catch (error) {
    return {ok: false, detail: (error as Error).message}
  } finally {
    stream?.destroy()
  }
}

export async function tcpProbe(session: HostSession, host: string, port: number, timeoutMs = 2000): Promise<ProbeResult> {
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
  hostPort?: number
  entryContainerPort?: number
}

/** A container's first IP (aims containers sit on one or two aims networks). */
function containerIp(details: ContainerDetails): string | undefined {
  return Object.values(details.ips).find((ip) => ip !== '')
}

export async function probeService(session: HostSession, engine: Engine, target: ProbeTarget): Promise<ProbeResult> {
  const details = await engine.inspectContainer(target.containerId)
  if (!details) return {ok: false, detail: 'container is gone'}
  if (details.state !== 'running') return {ok: false, detail: `container is ${details.state}${details.exitCode ? ` (exit code ${details.exitCode})` : ''}`}
  const probe = target.probe
  const viaHostPort = (port: number) => target.hostPort !== undefined && port === target.entryContainerPort
  switch (probe.type) {
    case 'running':
      return {ok: true, detail: 'running'}
    case 'docker':
      return details.health === 'healthy' ? {ok: true, detail: 'Docker health: healthy'} : {ok: details.health === 'none', detail: details.health === 'none' ? 'running (image has no health check)' : `Docker health: ${details.health}`}
    case 'http': {
      if (viaHostPort(probe.port)) return httpProbe(session, '127.0.0.1', target.hostPort!, probe.path)
      const ip = containerIp(details)
      return ip ? httpProbe(session, ip, probe.port, probe.path) : {ok: false, detail: 'container has no IP yet'}
    }
    case 'tcp': {
      if (viaHostPort(probe.port)) return tcpProbe(session, '127.0.0.1', target.hostPort!)
      const ip = containerIp(details)
      return ip ? tcpProbe(session, ip, probe.port) : {ok: false, detail: 'container has no IP yet'}
    }
  }
}
