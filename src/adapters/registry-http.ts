/**
 * The registry client: HTTP/1.1 over a TCP stream opened from the host (HostSession.connectTcp), TLS
 * on top for https registries, so a registry on the VPS's loopback (or only reachable from it) is
 * asked exactly as the engine pulls from it. Basic credentials are sent when a Basic challenge
 * comes back; a Bearer challenge is answered with a token from its realm (Docker Hub, GHCR, …).
 */
import {request as httpRequest, type IncomingMessage} from 'node:http'
import {connect as tlsConnect} from 'node:tls'
import type {Duplex} from 'node:stream'
import {AimsError} from '../core/errors.js'
import {apiHost, parseChallenge, registryScheme} from '../core/registry/registry.js'
import {DOCKER_HUB} from '../core/releases/image-ref.js'
import type {HostSession, RegistryAnswer, RegistryClient} from '../services/ports.js'

interface Credentials {
  username: string
  password: string
}

export class HostRegistryClient implements RegistryClient {
  private readonly tokens = new Map<string, string>()

  /** `dockerHubMirror`: where Docker Hub names are asked (the engine's registry mirror, host[:port]). */
  constructor(
    private readonly session: Pick<HostSession, 'connectTcp'>,
    private readonly options: {dockerHubMirror?: string | undefined; timeoutMs?: number} = {},
  ) {}

  private get timeoutMs(): number {
    return this.options.timeoutMs ?? 20_000
  }

  async request(
    registry: string,
    path: string,
    options: {method: 'GET' | 'HEAD'; accept?: string; credentials?: Credentials | undefined},
  ): Promise<RegistryAnswer> {
    const mirror = registry === DOCKER_HUB ? this.options.dockerHubMirror : undefined
    const base = mirror ? `${registryScheme(mirror)}://${mirror}` : `${registryScheme(registry)}://${apiHost(registry)}`
    const headers: Record<string, string> = options.accept ? {accept: options.accept} : {}
    const token = this.tokens.get(registry)
    if (token) headers.authorization = `Bearer ${token}`
    let answer = await this.send(`${base}${path}`, options.method, headers)
    if (answer.status !== 401) return answer
    const challenge = parseChallenge(answer.headers['www-authenticate'])
    if (challenge?.scheme === 'basic' && options.credentials) {
      answer = await this.send(`${base}${path}`, options.method, {
        ...headers,
        authorization: basic(options.credentials),
      })
    } else if (challenge?.scheme === 'bearer') {
      const fresh = await this.token(challenge, options.credentials)
      if (fresh) {
        this.tokens.set(registry, fresh)
        answer = await this.send(`${base}${path}`, options.method, {...headers, authorization: `Bearer ${fresh}`})
      }
    }
    return answer
  }

  private async token(
    challenge: {realm: string; service?: string; scope?: string},
    credentials: Credentials | undefined,
  ): Promise<string | undefined> {
    const url = new URL(challenge.realm)
    if (challenge.service) url.searchParams.set('service', challenge.service)
    if (challenge.scope) url.searchParams.set('scope', challenge.scope)
    const answer = await this.send(url.toString(), 'GET', credentials ? {authorization: basic(credentials)} : {})
    if (answer.status !== 200) return undefined
    try {
      const body = JSON.parse(answer.body) as {token?: string; access_token?: string}
      return body.token ?? body.access_token
    } catch {
      return undefined
    }
  }

  private async send(url: string, method: string, headers: Record<string, string>): Promise<RegistryAnswer> {
    const target = new URL(url)
    const port = Number(target.port) || (target.protocol === 'https:' ? 443 : 80)
    const raw = await this.session.connectTcp(target.hostname, port).catch((error: Error) => {
      throw new AimsError('remote', `cannot reach the registry ${target.host} from the host: ${error.message}`, {
        hint: 'check the registry address and that it is running',
      })
    })
    const socket: Duplex =
      target.protocol === 'https:' ? tlsConnect({socket: raw as never, servername: target.hostname}) : raw
    return new Promise<RegistryAnswer>((resolve, reject) => {
      const request = httpRequest(
        {
          method,
          host: target.hostname,
          port,
          path: `${target.pathname}${target.search}`,
          headers: {host: target.host, 'user-agent': 'aims', ...headers},
          createConnection: () => socket as never,
          timeout: this.timeoutMs,
        },
        (response: IncomingMessage) => {
          const chunks: Buffer[] = []
          response.on('data', (chunk: Buffer) => chunks.push(chunk))
          response.on('end', () => {
            socket.destroy()
            resolve({
              status: response.statusCode ?? 0,
              headers: Object.fromEntries(
                Object.entries(response.headers).map(([key, value]) => [
                  key.toLowerCase(),
                  Array.isArray(value) ? value.join(', ') : (value ?? ''),
                ]),
              ),
              body: Buffer.concat(chunks).toString('utf8'),
            })
          })
          response.on('error', reject)
        },
      )
      request.on('timeout', () => request.destroy(new Error(`${target.host} did not answer in time`)))
      request.on('error', (error) =>
        reject(new AimsError('remote', `the registry ${target.host} failed: ${error.message}`)),
      )
      request.end()
    })
  }
}

const basic = (credentials: Credentials) =>
  `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`
