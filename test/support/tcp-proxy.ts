/**
 * A TCP proxy on loopback between aims and the bed's sshd, that a test
 * controls: `cut()` drops every connection through it (a lost link), `stall()`
 * stops forwarding bytes while keeping the sockets open (a link that hangs).
 * Safer than killing sshd children on a shared bed: only our own traffic.
 */
import {createServer, createConnection, type Server, type Socket} from 'node:net'

export interface TcpProxy {
  port: number
  /** Connections accepted so far. */
  readonly accepted: number
  /** Drops every open connection at once (RST), keeps accepting new ones. */
  cut(): void
  /** Stops forwarding on every open connection (bytes are swallowed), until the sockets are closed. */
  stall(): void
  close(): Promise<void>
}

export async function tcpProxy(target: {host: string; port: number}): Promise<TcpProxy> {
  const pairs = new Set<{client: Socket; upstream: Socket; stalled: boolean}>()
  let accepted = 0
  const server: Server = createServer((client) => {
    accepted++
    const upstream = createConnection(target)
    const pair = {client, upstream, stalled: false}
    pairs.add(pair)
    client.on('data', (chunk) => {
      if (!pair.stalled) upstream.write(chunk)
    })
    upstream.on('data', (chunk) => {
      if (!pair.stalled) client.write(chunk)
    })
    const end = () => {
      pairs.delete(pair)
      client.destroy()
      upstream.destroy()
    }
    client.on('close', end)
    upstream.on('close', end)
    client.on('error', end)
    upstream.on('error', end)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    port,
    get accepted() {
      return accepted
    },
    cut() {
      for (const pair of [...pairs]) {
        pair.client.resetAndDestroy()
        pair.upstream.destroy()
        pairs.delete(pair)
      }
    },
    stall() {
      for (const pair of pairs) pair.stalled = true
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const pair of pairs) {
          pair.client.destroy()
          pair.upstream.destroy()
        }
        server.close(() => resolve())
      }),
  }
}
