/**
 * Alert receivers on loopback, started by a test: an HTTP server that records every request
 * (webhook, ntfy and n8n-shaped endpoints alike) and a minimal SMTP server that records each mail.
 */
import {createServer as createHttpServer, type Server} from 'node:http'
import {createServer as createTcpServer, type Server as TcpServer} from 'node:net'
import type {AddressInfo} from 'node:net'

export interface Received {
  method: string
  path: string
  headers: Record<string, string | string[] | undefined>
  body: string
  at: number
}

export async function httpReceiver(): Promise<{url: string; received: Received[]; close(): Promise<void>}> {
  const received: Received[] = []
  const server: Server = createHttpServer((request, response) => {
    let body = ''
    request.setEncoding('utf8')
    request.on('data', (chunk: string) => (body += chunk))
    request.on('end', () => {
      received.push({
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        body,
        at: Date.now(),
      })
      response.writeHead(200, {'content-type': 'application/json'}).end('{"ok":true}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

export interface Mail {
  from: string
  to: string[]
  auth?: string
  data: string
}

export async function smtpReceiver(): Promise<{port: number; mails: Mail[]; close(): Promise<void>}> {
  const mails: Mail[] = []
  const server: TcpServer = createTcpServer((socket) => {
    socket.setEncoding('utf8')
    let buffer = ''
    let inData = false
    let mail: Mail = {from: '', to: [], data: ''}
    socket.write('220 wd-smtp ready\r\n')
    socket.on('data', (chunk: string) => {
      buffer += chunk
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n')
          if (end === -1) return
          mail.data = buffer.slice(0, end)
          buffer = buffer.slice(end + 5)
          inData = false
          mails.push(mail)
          mail = {from: '', to: [], data: ''}
          socket.write('250 queued\r\n')
          continue
        }
        const newline = buffer.indexOf('\r\n')
        if (newline === -1) return
        const line = buffer.slice(0, newline)
        buffer = buffer.slice(newline + 2)
        const verb = line.slice(0, 4).toUpperCase()
        if (verb === 'EHLO') socket.write('250-wd-smtp\r\n250 AUTH PLAIN\r\n')
        else if (verb === 'AUTH') {
          mail.auth = line.slice(11)
          socket.write('235 ok\r\n')
        } else if (verb === 'MAIL') {
          mail.from = line.slice(10).replace(/[<>]/g, '')
          socket.write('250 ok\r\n')
        } else if (verb === 'RCPT') {
          mail.to.push(line.slice(8).replace(/[<>]/g, ''))
          socket.write('250 ok\r\n')
        } else if (verb === 'DATA') {
          inData = true
          socket.write('354 go on\r\n')
        } else if (verb === 'QUIT') socket.end('221 bye\r\n')
        else socket.write('250 ok\r\n')
      }
    })
    socket.on('error', () => undefined)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    mails,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
