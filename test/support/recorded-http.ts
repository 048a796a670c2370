/**
 * The bed registry's recorded answers (test/fixtures/recorded/registry/*.http, `curl -i` output after
 * one comment line) as RegistryAnswer values, and a RegistryClient fake that answers from them.
 */
import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import type {RegistryAnswer, RegistryClient} from '../../src/services/ports.js'

const DIR = fileURLToPath(new URL('../fixtures/recorded/registry/', import.meta.url))

export function recordedHttp(file: string): RegistryAnswer & {request: string} {
  const text = readFileSync(`${DIR}${file}`, 'utf8').replace(/\r\n/g, '\n')
  const [comment, ...rest] = text.split('\n')
  const raw = rest.join('\n')
  const split = raw.indexOf('\n\n')
  const head = split >= 0 ? raw.slice(0, split) : raw
  const body = split >= 0 ? raw.slice(split + 2) : ''
  const [status, ...headerLines] = head.split('\n')
  const headers: Record<string, string> = {}
  for (const line of headerLines) {
    const colon = line.indexOf(':')
    if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim()
  }
  return {request: comment!.replace(/^#\s*/, ''), status: Number(status!.split(' ')[1]), headers, body: body.trimEnd()}
}

/** A client whose answers are recorded files, keyed by "METHOD registry path" (with or without credentials). */
export class RecordedRegistry implements RegistryClient {
  readonly calls: string[] = []
  constructor(
    private readonly routes: Record<string, {anonymous: string; authorized?: string}>,
    private readonly password?: string,
  ) {}

  async request(
    registry: string,
    path: string,
    options: {method: 'GET' | 'HEAD'; credentials?: {username: string; password: string} | undefined},
  ): Promise<RegistryAnswer> {
    const key = `${options.method} ${registry}${path}`
    this.calls.push(key)
    const route = this.routes[key]
    if (!route) throw new Error(`unexpected registry request: ${key}`)
    const authorized = route.authorized && options.credentials?.password === this.password
    return recordedHttp(authorized ? route.authorized! : route.anonymous)
  }
}
