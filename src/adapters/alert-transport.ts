/**
 * Sends alerts: HTTP POSTs (webhook, n8n: the JSON payload; ntfy: the message as text with a
 * title and priority; Slack: `{text}`) and mail over SMTP (plain, or AUTH PLAIN when the URL has
 * credentials; smtps:// is TLS from the start). Error messages never carry the target URL (it may
 * hold a token): only its host.
 */
import {connect as connectTcp, type Socket} from 'node:net'
import {connect as connectTls} from 'node:tls'
import {hostname} from 'node:os'
import type {AlertKind, AlertPayload} from '../core/warden/alerts.js'
import type {AlertTransport} from '../services/warden/alert-sink.js'

const TIMEOUT_MS = 10_000

async function post(url: string, body: string, headers: Record<string, string>): Promise<void> {
  let response: Response
  try {
    response = await fetch(url, {method: 'POST', body, headers, signal: AbortSignal.timeout(TIMEOUT_MS)})
  } catch (error) {
    throw new Error(`POST to ${new URL(url).host} failed: ${(error as Error).message}`, {cause: error})
  }
  await response.arrayBuffer().catch(() => undefined)
  if (!response.ok) throw new Error(`POST to ${new URL(url).host} answered HTTP ${response.status}`)
}

export async function httpPing(url: string): Promise<void> {
  const response = await fetch(url, {signal: AbortSignal.timeout(TIMEOUT_MS)}).catch((error: Error) => {
    throw new Error(`GET ${new URL(url).host} failed: ${error.message}`)
  })
  await response.arrayBuffer().catch(() => undefined)
  if (!response.ok) throw new Error(`GET ${new URL(url).host} answered HTTP ${response.status}`)
}

const NTFY_PRIORITY = {critical: '5', warning: '4', info: '3'} as const

export const alertTransport: AlertTransport = {
  async send(kind: AlertKind, url: string, payload: AlertPayload): Promise<void> {
    switch (kind) {
      case 'webhook':
      case 'n8n':
        return post(url, JSON.stringify(payload), {'content-type': 'application/json', 'user-agent': 'aims-warden'})
      case 'slack':
        return post(url, JSON.stringify({text: payload.message}), {'content-type': 'application/json'})
      case 'ntfy':
        return post(url, payload.message, {
          'content-type': 'text/plain; charset=utf-8',
          title: `aims: ${payload.instance} ${payload.event}`,
          priority: NTFY_PRIORITY[payload.severity],
          tags: payload.event,
        })
      case 'email':
        return sendMail(
          url,
          `[aims] ${payload.instance} ${payload.event}`,
          `${payload.message}\n\n${JSON.stringify(payload, null, 2)}\n`,
        )
    }
  },
}

/** A minimal SMTP client: EHLO, optional AUTH PLAIN, MAIL FROM, RCPT TO (each `to`), DATA, QUIT. */
export async function sendMail(smtpUrl: string, subject: string, text: string): Promise<void> {
  const url = new URL(smtpUrl)
  const secure = url.protocol === 'smtps:'
  const port = Number(url.port) || (secure ? 465 : 25)
  const to = (url.searchParams.get('to') ?? '').split(',').filter(Boolean)
  const from = url.searchParams.get('from') ?? `aims@${hostname()}`
  const socket: Socket = secure
    ? connectTls({host: url.hostname, port, servername: url.hostname})
    : connectTcp({host: url.hostname, port})
  socket.setTimeout(TIMEOUT_MS, () => socket.destroy(new Error(`SMTP ${url.host} timed out`)))
  let buffer = ''
  const waiters: Array<(line: string) => void> = []
  const failures: Array<(error: Error) => void> = []
  socket.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8')
    for (;;) {
      // A reply ends with a line "NNN text" (a hyphen after the code means more lines follow).
      const match = /^(?:\d{3}-[^\n]*\n)*\d{3}(?: [^\n]*)?\r?\n/.exec(buffer)
      if (!match) break
      buffer = buffer.slice(match[0].length)
      waiters.shift()?.(match[0])
      failures.shift()
    }
  })
  socket.on('error', (error) => failures.shift()?.(error))
  const reply = () =>
    new Promise<string>((resolve, reject) => {
      waiters.push(resolve)
      failures.push(reject)
    })
  const expect = async (code: string, command?: string) => {
    if (command !== undefined) socket.write(`${command}\r\n`)
    const answer = await reply()
    const last = answer.trimEnd().split('\n').pop() ?? ''
    if (!last.startsWith(code)) throw new Error(`SMTP ${url.host}: ${last.slice(0, 120)}`)
  }
  try {
    await expect('220')
    await expect('250', `EHLO ${hostname()}`)
    if (url.username) {
      const plain = Buffer.from(`\0${decodeURIComponent(url.username)}\0${decodeURIComponent(url.password)}`).toString(
        'base64',
      )
      await expect('235', `AUTH PLAIN ${plain}`)
    }
    await expect('250', `MAIL FROM:<${from}>`)
    for (const rcpt of to) await expect('25', `RCPT TO:<${rcpt}>`)
    await expect('354', 'DATA')
    const body = text.replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..')
    await expect(
      '250',
      `From: ${from}\r\nTo: ${to.join(', ')}\r\nSubject: ${subject}\r\n` +
        `Content-Type: text/plain; charset=utf-8\r\n\r\n${body}\r\n.`,
    )
    socket.write('QUIT\r\n')
  } finally {
    socket.end()
  }
}
