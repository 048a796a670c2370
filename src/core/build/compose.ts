/**
 * `aims plug add compose.yml`: a Compose file becomes a catalog entry (a plug). What maps: images
 * (pinned), commands, environment, the first published port as the entry (HTTP), other ports,
 * named volumes, depends_on, healthchecks. What cannot (build:, host bind mounts, privileged,
 * host networking) is refused with the reason: a plug runs only what the catalog can describe.
 * Pure: the parsed YAML comes in.
 */
import {AimsError} from '../errors.js'
import {RESOURCE_NAME} from '../names.js'

type Json = Record<string, unknown>

const refuse = (service: string, what: string, hint: string): never => {
  throw new AimsError('validation', `compose service ${service}: ${what}`, {hint})
}

function list(value: unknown): string[] {
  if (value === undefined) return []
  if (typeof value === 'string') return [value]
  if (Array.isArray(value)) return value.map(String)
  return []
}

function environment(service: string, value: unknown): Record<string, string> {
  if (value === undefined) return {}
  if (Array.isArray(value))
    return Object.fromEntries(
      value.map((item) => {
        const text = String(item)
        const index = text.indexOf('=')
        if (index <= 0) refuse(service, `environment entry ${JSON.stringify(text)} has no value`, 'write KEY=VALUE')
        return [text.slice(0, index), text.slice(index + 1)]
      }),
    )
  if (typeof value === 'object' && value)
    return Object.fromEntries(
      Object.entries(value as Json).map(([key, item]) => [key, item === null ? '' : String(item)]),
    )
  return refuse(service, 'environment is neither a list nor a map', 'see the Compose file reference')
}

/** "8080:80", "127.0.0.1:8080:80/tcp", 80, {target: 80, published: 8080} → the container port. */
function containerPort(service: string, value: unknown): {port: number; published: boolean} {
  if (typeof value === 'number') return {port: value, published: false}
  if (typeof value === 'object' && value) {
    const target = Number((value as Json).target)
    return {port: target, published: (value as Json).published !== undefined}
  }
  const text = String(value).replace(/\/(tcp|udp)$/, '')
  const parts = text.split(':')
  const port = Number(parts[parts.length - 1])
  if (!Number.isInteger(port) || port < 1 || port > 65_535)
    refuse(service, `cannot read the port ${JSON.stringify(value)}`, 'write HOST:CONTAINER, e.g. "8080:80"')
  return {port, published: parts.length > 1}
}

function healthcheck(service: string, value: unknown): Json | undefined {
  if (!value || typeof value !== 'object') return undefined
  const test = (value as Json).test
  if ((value as Json).disable === true) return undefined
  const words = list(test)
  if (words[0] === 'NONE') return undefined
  if (words[0] === 'CMD') return {type: 'command', command: words.slice(1)}
  if (words[0] === 'CMD-SHELL') return {type: 'command', command: ['sh', '-c', words.slice(1).join(' ')]}
  if (typeof test === 'string') return {type: 'command', command: ['sh', '-c', test]}
  return refuse(service, 'cannot read its healthcheck test', 'use test: ["CMD", …] or ["CMD-SHELL", "…"]')
}

export function composeToPlug(document: unknown, options: {id: string; name?: string; file: string}): Json {
  if (!RESOURCE_NAME.test(options.id))
    throw new AimsError('usage', `invalid plug id ${JSON.stringify(options.id)}`, {
      hint: 'pass --name with a-z, 0-9 and "-"',
    })
  const services = (document as Json | undefined)?.services
  if (!services || typeof services !== 'object' || Object.keys(services).length === 0)
    throw new AimsError('validation', `${options.file} has no services`, {hint: 'is it a Compose file?'})
  const out: Record<string, Json> = {}
  let entry: {service: string; port: number} | undefined
  for (const [name, raw] of Object.entries(services as Record<string, Json>)) {
    const service = raw ?? {}
    if (!RESOURCE_NAME.test(name)) refuse(name, 'the name is not a-z, 0-9 and "-"', 'rename the service')
    if (service.build !== undefined)
      refuse(
        name,
        'has build:, which a catalog entry cannot describe',
        'build the directory with aims plug add DIR or aims build DIR',
      )
    if (typeof service.image !== 'string') refuse(name, 'has no image', 'give it an image with a version tag')
    if (service.privileged === true) refuse(name, 'is privileged', 'a plug never runs privileged containers')
    if (service.network_mode === 'host') refuse(name, 'uses host networking', 'publish ports instead')
    const parsedPorts = (Array.isArray(service.ports) ? (service.ports as unknown[]) : []).map((port) =>
      containerPort(name, port),
    )
    const exposed = list(service.expose).map((port) => containerPort(name, port).port)
    const volumes = (Array.isArray(service.volumes) ? service.volumes : []).map((volume) => {
      const text =
        typeof volume === 'string' ? volume : `${String((volume as Json).source)}:${String((volume as Json).target)}`
      const [source = '', target = ''] = text.split(':')
      if (source.startsWith('.') || source.startsWith('/') || source.startsWith('~'))
        refuse(name, `mounts the host path ${source}`, 'use a named volume: a plug carries no host files')
      return {name: source, path: target}
    })
    const published = parsedPorts.find((port) => port.published)
    if (published && !entry) entry = {service: name, port: published.port}
    const health = healthcheck(name, service.healthcheck)
    const dependsOn = Array.isArray(service.depends_on)
      ? Object.fromEntries(service.depends_on.map((dependency) => [String(dependency), 'started']))
      : service.depends_on && typeof service.depends_on === 'object'
        ? Object.fromEntries(
            Object.entries(service.depends_on as Record<string, Json>).map(([dependency, condition]) => [
              dependency,
              condition?.condition === 'service_healthy' ? 'healthy' : 'started',
            ]),
          )
        : {}
    out[name] = {
      image: service.image,
      ...(service.command !== undefined ? {command: list(service.command)} : {}),
      ...(service.entrypoint !== undefined ? {entrypoint: list(service.entrypoint)} : {}),
      env: environment(name, service.environment),
      ports: [...new Set([...parsedPorts.filter((port) => port !== published).map((port) => port.port), ...exposed])],
      volumes,
      depends_on: dependsOn,
      ...(health ? {health} : {}),
      ...(typeof service.user === 'string' ? {user: service.user} : {}),
      ...(typeof service.working_dir === 'string' ? {working_dir: service.working_dir} : {}),
    }
  }
  if (!entry)
    throw new AimsError('validation', `${options.file}: no service publishes a port`, {
      hint: 'publish the port users reach on one service (ports: ["8080:80"])',
    })
  const main = out[entry.service]!
  main.entry = {port: entry.port, protocol: 'http'}
  main.ports = (main.ports as number[]).filter((port) => port !== entry!.port)
  if (!main.health) main.health = {type: 'tcp'}
  return {
    id: options.id,
    name: options.name ?? options.id,
    description: `Added by aims plug add from ${options.file.split('/').pop()}`.slice(0, 400),
    category: 'devtools',
    tags: ['custom', 'compose'],
    homepage: 'https://example.invalid/',
    license: 'proprietary',
    size: 's',
    services: out,
  }
}
