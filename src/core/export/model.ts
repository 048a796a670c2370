/**
 * What an export bundle holds, as data: the services as Compose will run them
 * (images, env by reference to .env, volumes, health checks, dependencies,
 * limits, the entry port) and every variable .env needs. Built from a catalog
 * plug, and for an instance export from the instance's non-secret settings.
 * This model never holds a secret value: instance settings arrive with secrets
 * already removed (see instance.ts), and secret variables only have names.
 * Pure: no I/O.
 */
import type {EnvSpec, Plug} from '../catalog/schema.js'
import {BUILTIN_VARIABLES, dependencyCondition, deployOrder, entryService} from '../catalog/validate.js'
import {serviceReservation} from '../catalog/cost.js'
import {AimsError} from '../errors.js'
import {looksSecret} from '../plan/env.js'
import {composeHealth, type ServiceHealth} from './health.js'

/** Where the bundle's entry port starts when nothing else says (aims' own first host port). */
export const DEFAULT_BUNDLE_PORT = 51_000

export type GenerateCharset = NonNullable<EnvSpec['generate']>['charset']

/** Characters `tr -dc` keeps for each catalog charset (setup.sh generates secrets with them). */
export const CHARSET_TR_SETS: Record<GenerateCharset, string> = {
  alnum: 'A-Za-z0-9',
  hex: '0-9a-f',
  base64url: 'A-Za-z0-9_-',
  alpha: 'A-Za-z',
  numeric: '0-9',
}

export type VariableKind = 'compose' | 'builtin' | 'setting' | 'secret'

export interface BundleVariable {
  key: string
  kind: VariableKind
  description: string
  /** The value written in .env.example: '' for every secret. */
  value: string
  required: boolean
  default?: string
  /** setup.sh fills it when empty. */
  generate?: {length: number; charset: GenerateCharset}
  pattern?: string
  example?: string
  /** Services whose environment reads it. */
  usedBy: string[]
  /** Why the value is not in .env.example although it is not a secret. */
  withheld?: string
  /** The value the instance had, for built-ins (shown as a comment; never a secret). */
  instanceValue?: string
}

/** Compose's depends_on conditions for the catalog's (`completed` is an init job that must exit 0). */
const COMPOSE_CONDITION = {
  started: 'service_started',
  healthy: 'service_healthy',
  completed: 'service_completed_successfully',
} as const

export interface BundleService {
  name: string
  image: string
  entrypoint?: string[]
  command?: string[]
  /** Compose values: `${VAR}` references to .env, literal `$` already written `$$`. */
  environment: Array<{key: string; value: string}>
  /** The entry port, published on 127.0.0.1 (`${PORT}` on the host). */
  entry?: {containerPort: number; protocol: 'http' | 'tcp'}
  expose: number[]
  volumes: Array<{name: string; path: string; size?: string}>
  dependsOn: Array<{
    service: string
    condition: 'service_started' | 'service_healthy' | 'service_completed_successfully'
  }>
  /** A one-shot job (catalog `run: once`): `restart: "no"`, the others wait for it to exit 0. */
  job: boolean
  health: ServiceHealth
  cpus: number
  memoryBytes: number
  user?: string
  workingDir?: string
  tmpfs: string[]
  stopGraceSeconds?: number
}

/**
 * An instance as read from the engine, reduced to what may leave the host:
 * non-secret settings, the names of secret variables, images and limits.
 */
export interface InstanceExport {
  tenant: string
  instance: string
  host: string
  /** Values of the plug's non-secret variables as the instance runs them. */
  settings: Record<string, string>
  /** Declared variables whose values are secret on this instance (beyond the catalog's own secrets). */
  secretVariables: string[]
  /** Settings left out of .env.example, and why (e.g. the value holds a secret). */
  withheld: Record<string, string>
  /** Undeclared env keys given at deploy that hold secrets (names only). */
  extraSecretKeys: string[]
  /** Image each service runs. */
  images: Record<string, string>
  /** Limits each service runs with (after plug scale). */
  resources: Record<string, {cpus?: number; memoryBytes?: number}>
  hostPort?: number
  /** The instance's URL on aims (a fact for the README, never a secret). */
  url?: string
  plugVersion?: string
}

export interface BundleSource {
  kind: 'plug' | 'instance'
  plug: string
  plugVersion: number
  instance?: {tenant: string; instance: string; host: string; url?: string; deployedPlugVersion?: string}
}

export interface BundleModel {
  source: BundleSource
  plug: Plug
  /** Compose project name (COMPOSE_PROJECT_NAME in .env). */
  projectName: string
  /** Default host port of the entry (PORT in .env). */
  port: number
  /** .env names of the bundle's own variables. */
  names: {port: string; publicUrl: string; publicHost?: string; domain?: string}
  /** In deploy order: dependencies first. */
  services: BundleService[]
  variables: BundleVariable[]
  entry: {service: string; containerPort: number; protocol: 'http' | 'tcp'}
  /** Seconds setup.sh waits for health by default. */
  waitSeconds: number
  exportedAt: Date
  aimsVersion: string
}

export interface BundleModelInput {
  plug: Plug
  instance?: InstanceExport
  exportedAt: Date
  aimsVersion: string
}

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g

/**
 * Compose reads COMPOSE_* from .env as its own settings (COMPOSE_FILE,
 * COMPOSE_PROFILES…): a plug variable with such a name would change how the
 * bundle runs, so it cannot be exported as is.
 */
function checkVariableNames(plug: Plug): void {
  const reserved = Object.keys(plug.env).filter((key) => key.startsWith('COMPOSE_') || key === 'DOCKER_HOST')
  if (reserved.length > 0) {
    throw new AimsError(
      'validation',
      `plug ${plug.id} declares ${reserved.join(', ')}, which Docker Compose reads from .env as its own setting`,
      {hint: `rename the variable in ${plug.id}.yaml`},
    )
  }
}

/** A bundle variable name that does not clash with the plug's own variables. */
function freeName(wanted: string, taken: Set<string>): string {
  let name = wanted
  while (taken.has(name)) name = `BUNDLE_${name}`
  taken.add(name)
  return name
}

/**
 * A catalog env value as a Compose value: `${VAR}` of the plug's env spec
 * stays a reference to .env, built-ins become the bundle's variables (or the
 * fixed identity of what was exported), and every other `$` is literal.
 */
export function composeEnvValue(
  value: string,
  resolveBuiltin: (name: string) => {reference: string} | {literal: string} | undefined,
  declared: Set<string>,
): string {
  let out = ''
  let last = 0
  for (const match of value.matchAll(REFERENCE)) {
    const index = match.index ?? 0
    out += value.slice(last, index).replace(/\$/g, '$$$$')
    const name = match[1] ?? ''
    const builtin =
      (BUILTIN_VARIABLES as readonly string[]).includes(name) && !declared.has(name) ? resolveBuiltin(name) : undefined
    if (declared.has(name)) out += `\${${name}}`
    else if (builtin && 'reference' in builtin) out += `\${${builtin.reference}}`
    else if (builtin) out += builtin.literal.replace(/\$/g, '$$$$')
    // aims leaves unknown references as they are (catalog validation rejects them).
    else out += match[0].replace(/\$/g, '$$$$')
    last = index + match[0].length
  }
  return out + value.slice(last).replace(/\$/g, '$$$$')
}

function describeSecret(spec: EnvSpec | undefined): string {
  if (spec?.generate)
    return (
      `Secret: setup.sh generates ${spec.generate.length} random characters (${spec.generate.charset}) when it ` +
      `is empty.`
    )
  if (spec?.required) return 'Secret, required: set it before running setup.sh.'
  return 'Secret: leave empty or set your own. Keep .env private.'
}

export function buildBundleModel(input: BundleModelInput): BundleModel {
  const {plug, instance} = input
  checkVariableNames(plug)
  const entry = entryService(plug)
  const order = deployOrder(plug)
  const declared = new Set(Object.keys(plug.env))
  const taken = new Set([...declared, ...(instance?.extraSecretKeys ?? [])])

  const referenced = new Set<string>()
  for (const service of Object.values(plug.services))
    for (const value of Object.values(service.env))
      for (const match of value.matchAll(REFERENCE)) referenced.add(match[1] ?? '')
  const usesBuiltin = (name: string) => referenced.has(name) && !declared.has(name)

  const names: BundleModel['names'] = {
    port: freeName('PORT', taken),
    publicUrl: freeName('PUBLIC_URL', taken),
    ...(usesBuiltin('AIMS_HOST') ? {publicHost: freeName('PUBLIC_HOST', taken)} : {}),
    ...(usesBuiltin('AIMS_DOMAIN') ? {domain: freeName('DOMAIN', taken)} : {}),
  }
  const identity = {
    AIMS_TENANT: instance?.tenant ?? 'default',
    AIMS_INSTANCE: instance?.instance ?? plug.id,
    AIMS_PLUG: plug.id,
  }
  const resolveBuiltin = (name: string): {reference: string} | {literal: string} | undefined => {
    switch (name) {
      case 'AIMS_URL':
        return {reference: names.publicUrl}
      case 'AIMS_PORT':
        return {reference: names.port}
      case 'AIMS_HOST':
        return names.publicHost ? {reference: names.publicHost} : undefined
      case 'AIMS_DOMAIN':
        return names.domain ? {reference: names.domain} : undefined
      case 'AIMS_TENANT':
      case 'AIMS_INSTANCE':
      case 'AIMS_PLUG':
        return {literal: identity[name]}
      default:
        return undefined
    }
  }

  const usedBy = new Map<string, string[]>()
  const use = (key: string, service: string) => usedBy.set(key, [...new Set([...(usedBy.get(key) ?? []), service])])

  const services: BundleService[] = order.map((name) => {
    const service = plug.services[name]!
    const isEntry = name === entry.name
    const environment = Object.entries(service.env).map(([key, value]) => {
      for (const match of value.matchAll(REFERENCE)) {
        const variable = match[1] ?? ''
        if (declared.has(variable)) use(variable, name)
        else if (variable === 'AIMS_URL') use(names.publicUrl, name)
        else if (variable === 'AIMS_PORT') use(names.port, name)
        else if (variable === 'AIMS_HOST' && names.publicHost) use(names.publicHost, name)
        else if (variable === 'AIMS_DOMAIN' && names.domain) use(names.domain, name)
      }
      return {key, value: composeEnvValue(value, resolveBuiltin, declared)}
    })
    // Undeclared variables given at deploy reach every service (as aims passes them).
    for (const key of instance?.extraSecretKeys ?? []) {
      if (!(key in service.env)) {
        environment.push({key, value: `\${${key}}`})
        use(key, name)
      }
    }
    const limits = instance?.resources[name]
    const image = instance?.images[name] ?? service.image
    return {
      name,
      image,
      ...(service.entrypoint ? {entrypoint: service.entrypoint} : {}),
      ...(service.command ? {command: service.command} : {}),
      environment,
      ...(isEntry ? {entry: {containerPort: entry.port, protocol: entry.protocol}} : {}),
      expose: service.ports,
      volumes: service.volumes.map((volume) => ({
        name: volume.name,
        path: volume.path,
        ...(volume.size ? {size: volume.size} : {}),
      })),
      dependsOn: Object.entries(service.depends_on)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([dependency, condition]) => ({
          service: dependency,
          condition: COMPOSE_CONDITION[dependencyCondition(condition)],
        })),
      job: service.run === 'once',
      health: composeHealth(service.health, isEntry ? entry.port : undefined, plug.health_gate),
      // The same limits aims applies: the catalog's, or aims' defaults.
      ...serviceReservation(service, limits ?? {}),
      ...(service.user ? {user: service.user} : {}),
      ...(service.working_dir ? {workingDir: service.working_dir} : {}),
      tmpfs: service.tmpfs ?? [],
      ...(service.stop_grace_seconds ? {stopGraceSeconds: service.stop_grace_seconds} : {}),
    }
  })

  const projectName = instance ? `${instance.tenant}-${instance.instance}` : plug.id
  const port = instance?.hostPort ?? DEFAULT_BUNDLE_PORT
  const publicUrlUsers = usedBy.get(names.publicUrl) ?? []
  const variables: BundleVariable[] = [
    {
      key: 'COMPOSE_PROJECT_NAME',
      kind: 'compose',
      description:
        'Compose project name: prefixes the containers, volumes and network of this stack. Keep it once data ' +
        'exists (the volumes carry it).',
      value: projectName,
      required: true,
      usedBy: [],
    },
    {
      key: names.port,
      kind: 'builtin',
      description:
        `Host port of the ${entry.protocol === 'http' ? 'app' : 'service'} (${entry.name}:${entry.port}), ` +
        'published on 127.0.0.1 only' +
        (entry.protocol === 'http'
          ? ': nginx (nginx.conf) or an SSH tunnel reaches it. If you change it, change the port in nginx.conf too.'
          : ': reach it with an SSH tunnel.'),
      value: String(port),
      required: true,
      usedBy: usedBy.get(names.port) ?? [],
      ...(instance?.hostPort ? {instanceValue: String(instance.hostPort)} : {}),
    },
    {
      key: names.publicUrl,
      kind: 'builtin',
      description:
        'Public base URL of the app, without a trailing slash, e.g. https://app.example.com. ' +
        `Empty: setup.sh sets http://127.0.0.1:${'$'}${names.port}.` +
        (publicUrlUsers.length > 0 ? ` The app builds its links from it (${publicUrlUsers.join(', ')}).` : ''),
      value: '',
      required: false,
      usedBy: publicUrlUsers,
      ...(instance?.url ? {instanceValue: instance.url} : {}),
    },
    ...(names.publicHost
      ? [
          {
            key: names.publicHost,
            kind: 'builtin' as const,
            description: `Host name part of ${names.publicUrl}. Empty: setup.sh takes it from ${names.publicUrl}.`,
            value: '',
            required: false,
            usedBy: usedBy.get(names.publicHost) ?? [],
          },
        ]
      : []),
    ...(names.domain
      ? [
          {
            key: names.domain,
            kind: 'builtin' as const,
            description: 'Domain the app is served on (empty when none).',
            value: '',
            required: false,
            usedBy: usedBy.get(names.domain) ?? [],
          },
        ]
      : []),
  ]

  for (const [key, spec] of Object.entries(plug.env)) {
    const secret =
      spec.secret || Boolean(spec.generate) || looksSecret(key) || Boolean(instance?.secretVariables.includes(key))
    const common = {
      key,
      description: spec.description,
      usedBy: usedBy.get(key) ?? [],
      ...(spec.pattern ? {pattern: spec.pattern} : {}),
      ...(spec.example && !secret ? {example: spec.example} : {}),
    }
    if (secret) {
      variables.push({
        ...common,
        kind: 'secret',
        value: '',
        // A secret with a catalog default has no value to offer here: the user sets one.
        required: spec.required || (spec.default !== undefined && !spec.generate),
        ...(spec.generate ? {generate: {length: spec.generate.length, charset: spec.generate.charset}} : {}),
        description: `${spec.description}. ${describeSecret(spec)}`,
      })
      continue
    }
    const withheld = instance?.withheld[key]
    const value = withheld ? '' : (instance?.settings[key] ?? spec.default ?? '')
    variables.push({
      ...common,
      kind: 'setting',
      value,
      required: spec.required,
      ...(spec.default !== undefined ? {default: spec.default} : {}),
      ...(withheld ? {withheld} : {}),
    })
  }
  for (const key of instance?.extraSecretKeys ?? []) {
    variables.push({
      key,
      kind: 'secret',
      description:
        'Secret given to the instance at deploy (not part of the plug). Set it yourself: aims never exports ' +
        'secret values.',
      value: '',
      required: false,
      usedBy: usedBy.get(key) ?? [],
    })
  }

  const waitSeconds = Math.max(60, Math.ceil(plug.health_gate.retries * plug.health_gate.interval_seconds) + 30)
  return {
    source: {
      kind: instance ? 'instance' : 'plug',
      plug: plug.id,
      plugVersion: plug.version,
      ...(instance
        ? {
            instance: {
              tenant: instance.tenant,
              instance: instance.instance,
              host: instance.host,
              ...(instance.url ? {url: instance.url} : {}),
              ...(instance.plugVersion ? {deployedPlugVersion: instance.plugVersion} : {}),
            },
          }
        : {}),
    },
    plug,
    projectName,
    port,
    names,
    services,
    variables,
    entry: {service: entry.name, containerPort: entry.port, protocol: entry.protocol},
    waitSeconds,
    exportedAt: input.exportedAt,
    aimsVersion: input.aimsVersion,
  }
}
