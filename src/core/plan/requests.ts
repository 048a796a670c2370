/**
 * What a user asks of `plug up` and `plug scale`, checked once where it
 * enters (the command, or ACHEEVY's tool) into the request the service and
 * the plan take. Pure: bad input fails here, before any connection or other
 * effect (exit 2). Instances arrive checked too: an InstanceRef is only made
 * by parseInstanceRef or instanceRef.
 */
import {usageError} from '../errors.js'
import {
  checkDomain,
  instanceRef,
  parseCpus,
  parseInstanceRef,
  parseMemorySize,
  PLUG_ID,
  type InstanceRef,
} from '../names.js'
import {parseEnvAssignment, parseEnvFile} from './env.js'

/** What the user typed (flags, or a tool call's arguments), unchecked. */
export interface PlugUpOptions {
  plug: string
  name?: string
  tenant: string
  /** KEY=VALUE items from --env. */
  env: string[]
  envFile?: {path: string; text: string}
  domain?: string
  cpus?: string
  memory?: string
  expose: boolean
  links: string[]
}

/** A checked plug up request: what the service and buildPlugUpPlan take. */
export interface PlugUpRequest {
  plugId: string
  ref: InstanceRef
  envFlags: Record<string, string>
  envFile: Record<string, string>
  cpus?: number
  memoryBytes?: number
  domain?: string
  expose: boolean
  links: InstanceRef[]
}

/** Everything the user typed, checked before any I/O (exit 2, no side effect). */
export function validatePlugUpOptions(options: PlugUpOptions): PlugUpRequest {
  if (!PLUG_ID.test(options.plug)) {
    throw usageError(
      `unknown plug ${JSON.stringify(options.plug.length > 60 ? `${options.plug.slice(0, 57)}…` : options.plug)}`,
      'plug ids are lower-case words such as n8n or uptime-kuma; see aims catalog ls',
    )
  }
  const ref = instanceRef(options.tenant, options.name ?? options.plug)
  const envFlags: Record<string, string> = {}
  for (const item of options.env) {
    const [key, value] = parseEnvAssignment(item)
    envFlags[key] = value
  }
  const envFile = options.envFile ? parseEnvFile(options.envFile.text, options.envFile.path) : {}
  const links = options.links.map((link) => {
    if (!link.includes('/')) throw usageError(`invalid --link ${JSON.stringify(link)}`, 'write --link TENANT/INSTANCE')
    return parseInstanceRef(link)
  })
  for (const link of links)
    if (link.tenant === ref.tenant && link.instance === ref.instance)
      throw usageError('an instance cannot link to itself', 'drop that --link')
  return {
    plugId: options.plug,
    ref,
    envFlags,
    envFile,
    ...(options.cpus !== undefined ? {cpus: parseCpus(options.cpus)} : {}),
    ...(options.memory !== undefined ? {memoryBytes: parseMemorySize(options.memory)} : {}),
    ...(options.domain !== undefined ? {domain: checkDomain(options.domain)} : {}),
    expose: options.expose,
    links,
  }
}

/** The most replicas of a main service `plug scale` makes. */
export const MAX_REPLICAS = 20

/** What the user typed for `plug scale`, unchecked. */
export interface ScaleOptions {
  replicas?: number
  cpus?: string
  memory?: string
}

/** A checked scale request: at least one of them. */
export interface ScaleRequest {
  replicas?: number
  cpus?: number
  memoryBytes?: number
}

export function validateScaleOptions(options: ScaleOptions): ScaleRequest {
  if (options.replicas === undefined && options.cpus === undefined && options.memory === undefined)
    throw usageError('nothing to scale', 'pass --replicas N, --cpus N and/or --memory SIZE')
  if (
    options.replicas !== undefined &&
    (!Number.isInteger(options.replicas) || options.replicas < 1 || options.replicas > MAX_REPLICAS)
  ) {
    throw usageError(
      `--replicas must be a whole number from 1 to ${MAX_REPLICAS}, got ${options.replicas}`,
      'e.g. --replicas 3',
    )
  }
  return {
    ...(options.replicas !== undefined ? {replicas: options.replicas} : {}),
    ...(options.cpus !== undefined ? {cpus: parseCpus(options.cpus)} : {}),
    ...(options.memory !== undefined ? {memoryBytes: parseMemorySize(options.memory)} : {}),
  }
}
