/**
 * Parses and validates one catalog file: YAML syntax, the schema, then the
 * rules that span fields (one entrypoint, known dependencies, no cycles,
 * defined variables). Every problem names the file, the path and the fix.
 */
import {parseDocument} from 'yaml'
import type {z} from 'zod'
import {BUILTIN_VARIABLES, isJob, referencedVariables} from './model.js'
import {compileCatalogPattern} from './pattern.js'
import {plugSchema, type Plug} from './schema.js'

export interface CatalogIssue {
  file: string
  /** Dotted path in the file, e.g. services.web.image ("" for the whole file). */
  path: string
  message: string
}

export class CatalogValidationError extends Error {
  constructor(readonly issues: CatalogIssue[]) {
    super(issues.map(formatIssue).join('\n'))
    this.name = 'CatalogValidationError'
  }
}

export function formatIssue(issue: CatalogIssue): string {
  return `${issue.file}: ${issue.path ? `${issue.path}: ` : ''}${issue.message}`
}

function zodPath(path: PropertyKey[]): string {
  return path
    .map((part) => (typeof part === 'number' ? `[${part}]` : String(part)))
    .join('.')
    .replace(/\.\[/g, '[')
}

const typeName = (expected: string) =>
  expected === 'array' ? 'a list' : expected === 'object' ? 'a mapping' : `a ${expected}`

function explainZodIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'unrecognized_keys':
      return (
        `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')}: ` +
        `remove ${issue.keys.length > 1 ? 'them' : 'it'} or check the spelling`
      )
    case 'invalid_type':
      return issue.input === undefined ? `is required (${issue.expected})` : `must be ${typeName(issue.expected)}`
    case 'invalid_value':
      return `must be one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`
    case 'invalid_key':
      // A bad key in a record (service, env or volume name): say which rule it broke.
      return `is not a valid name: ${issue.issues[0]?.message ?? 'see plugs-catalog/README.md'}`
    case 'invalid_union':
      return 'has the wrong shape: see plugs-catalog/README.md for the format'
    default:
      return issue.message
  }
}

/** Cross-field rules; assumes the schema passed. */
export function checkPlugRules(plug: Plug, file: string, expectedId?: string): CatalogIssue[] {
  const issues: CatalogIssue[] = []
  const add = (path: string, message: string) => issues.push({file, path, message})
  if (expectedId !== undefined && plug.id !== expectedId)
    add('id', `id "${plug.id}" does not match the file name "${expectedId}.yaml": rename one of them`)

  const services = Object.entries(plug.services)
  const entries = services.filter(([, service]) => service.entry)
  if (entries.length === 0)
    add('services', 'no service has an "entry" port: mark the service users reach with entry: {port: N}')
  if (entries.length > 1)
    add('services', `several services have an "entry" (${entries.map(([name]) => name).join(', ')}): keep exactly one`)

  const volumeNames = new Map<string, string>()
  const sizes = new Map<string, string>()
  for (const [name, service] of services) {
    const base = `services.${name}`
    for (const [dependency, condition] of Object.entries(service.depends_on)) {
      const target = plug.services[dependency]
      if (!target)
        add(
          `${base}.depends_on.${dependency}`,
          `depends on unknown service "${dependency}": use one of ${
            services
              .map(([other]) => other)
              .filter((other) => other !== name)
              .join(', ') || '(no other service)'
          }`,
        )
      else if (dependency === name) add(`${base}.depends_on.${dependency}`, 'a service cannot depend on itself')
      else {
        const wanted = typeof condition === 'string' ? condition : condition.condition
        if (wanted === 'healthy' && !target.health)
          add(
            `${base}.depends_on.${dependency}`,
            `waits for "${dependency}" to be healthy, but "${dependency}" has no health check: add one or use ` +
              `condition started`,
          )
        if (wanted === 'completed' && !isJob(target))
          add(
            `${base}.depends_on.${dependency}`,
            `waits for "${dependency}" to complete, but "${dependency}" is not a one-shot job: give it run: once ` +
              `or use condition started/healthy`,
          )
        if (wanted !== 'completed' && isJob(target))
          add(
            `${base}.depends_on.${dependency}`,
            `"${dependency}" is a one-shot job (run: once): wait for it with condition completed`,
          )
      }
    }
    if (isJob(service)) checkJob(service, base, add)
    checkFiles(plug, service, base, add)
    if (service.health?.type === 'http' && service.health.port === undefined && !service.entry)
      add(`${base}.health.port`, 'an HTTP health check on a service without an entry port needs a port')
    if (service.health?.type === 'tcp' && service.health.port === undefined && !service.entry)
      add(`${base}.health.port`, 'a TCP health check on a service without an entry port needs a port')
    if (service.entry && service.entry.protocol === 'http' && !service.health)
      add(`${base}.health`, 'the entry service needs a health check (e.g. health: {type: http, path: /})')
    for (const [index, volume] of service.volumes.entries()) {
      // One name in several services is one volume they share (catalog v2: a cron sidecar, an init job); its size
      // is said once.
      const owner = volumeNames.get(volume.name)
      if (owner === name)
        add(`${base}.volumes[${index}].name`, `volume "${volume.name}" is mounted twice in this service: keep one`)
      else if (owner && volume.size !== undefined && sizes.get(volume.name) !== undefined)
        add(
          `${base}.volumes[${index}].size`,
          `volume "${volume.name}" is shared with service "${owner}", which gives its size: give it once`,
        )
      if (!owner) volumeNames.set(volume.name, name)
      if (volume.size !== undefined && !sizes.has(volume.name)) sizes.set(volume.name, volume.size)
    }
    for (const [key, value] of Object.entries(service.env)) {
      for (const variable of referencedVariables(value)) {
        if (!plug.env[variable] && !(BUILTIN_VARIABLES as readonly string[]).includes(variable)) {
          add(
            `${base}.env.${key}`,
            `references \${${variable}}, which is neither in the plug's env spec nor one of ` +
              `${BUILTIN_VARIABLES.join(', ')}: declare it under env`,
          )
        }
      }
    }
  }

  checkRoutes(plug, add)

  // Dependency cycles make a deploy order impossible.
  const visiting = new Set<string>()
  const done = new Set<string>()
  const visit = (name: string, trail: string[]): void => {
    if (done.has(name)) return
    if (visiting.has(name)) {
      add(`services.${name}.depends_on`, `dependency cycle: ${[...trail, name].join(' → ')}: remove one of the links`)
      return
    }
    visiting.add(name)
    for (const dependency of Object.keys(plug.services[name]?.depends_on ?? {}))
      if (plug.services[dependency]) visit(dependency, [...trail, name])
    visiting.delete(name)
    done.add(name)
  }
  for (const [name] of services) visit(name, [])

  for (const [key, spec] of Object.entries(plug.env)) {
    if (spec.required && spec.default !== undefined)
      add(`env.${key}`, 'is required and has a default: drop one of them')
    if (spec.generate && !spec.secret) add(`env.${key}.secret`, 'generated values are secrets: set secret: true')
    if (spec.required && spec.generate) add(`env.${key}`, 'is required and generated: drop required')
    if (spec.pattern !== undefined) {
      const compiled = compileCatalogPattern(spec.pattern)
      if (!compiled.ok) add(`env.${key}.pattern`, compiled.reason)
      const pattern = compiled.ok ? compiled : undefined
      if (pattern && spec.default !== undefined && !pattern.test(spec.default))
        add(`env.${key}.default`, `does not match its own pattern ${spec.pattern}`)
      // A generated value the pattern refuses would fail every deploy with an error users cannot fix.
      if (pattern && spec.generate && !pattern.test(sampleOf(spec.generate)))
        add(
          `env.${key}.generate`,
          `generated ${spec.generate.charset} values do not match the pattern ${spec.pattern}: change the ` +
            `charset or the pattern`,
        )
    }
  }
  return issues
}

type AddIssue = (path: string, message: string) => void

/** A one-shot job runs to completion: nothing reaches it and nothing waits for it to be healthy. */
function checkJob(service: Plug['services'][string], base: string, add: AddIssue): void {
  if (service.entry) add(`${base}.entry`, 'a one-shot job (run: once) cannot be the entry: drop entry or run: once')
  if (service.health)
    add(`${base}.health`, 'a one-shot job (run: once) has no health check: its exit code (0) is what counts')
  if (service.ports.length > 0) add(`${base}.ports`, 'a one-shot job (run: once) serves no ports: drop ports')
}

/** File paths are unique per service and their templates reference only known variables. */
function checkFiles(plug: Plug, service: Plug['services'][string], base: string, add: AddIssue): void {
  const paths = new Set<string>()
  const volumes = service.volumes.map((volume) => volume.path)
  for (const [index, file] of service.files.entries()) {
    const at = `${base}.files[${index}]`
    if (paths.has(file.path)) add(`${at}.path`, `${file.path} is already a file of this service: keep one`)
    paths.add(file.path)
    if (volumes.includes(file.path)) add(`${at}.path`, `${file.path} is a volume's mount point: pick a file path`)
    for (const variable of referencedVariables(file.template))
      if (!plug.env[variable] && !(BUILTIN_VARIABLES as readonly string[]).includes(variable))
        add(
          `${at}.template`,
          `references \${${variable}}, which is neither in the plug's env spec nor one of ` +
            `${BUILTIN_VARIABLES.join(', ')}: declare it under env (or write $${variable} for the container's own)`,
        )
  }
}

/** Path routes go to a long-running service's declared port, one route per path, `/` staying the entry's. */
function checkRoutes(plug: Plug, add: AddIssue): void {
  const seen = new Set<string>()
  const entry = Object.values(plug.services).find((service) => service.entry)
  if (plug.routes.length > 0 && entry && entry.entry?.protocol !== 'http')
    add('routes', 'path routes need an HTTP entry: nginx routes only HTTP plugs')
  for (const [index, route] of plug.routes.entries()) {
    const at = `routes[${index}]`
    if (route.path === '/') add(`${at}.path`, '"/" goes to the entry service: route a longer path such as /api/')
    if (seen.has(route.path)) add(`${at}.path`, `${route.path} is routed twice: keep one`)
    seen.add(route.path)
    const target = plug.services[route.service]
    if (!target) {
      add(
        `${at}.service`,
        `routes to unknown service "${route.service}": use one of ${Object.keys(plug.services).join(', ')}`,
      )
      continue
    }
    if (isJob(target)) add(`${at}.service`, `"${route.service}" is a one-shot job: route to a service that stays up`)
    else if (target.entry?.port !== route.port && !target.ports.includes(route.port))
      add(`${at}.port`, `port ${route.port} is not a port of "${route.service}": add it to its ports (or its entry)`)
  }
}

const SAMPLE_CHARSETS: Record<string, string> = {
  alnum: 'aZ09',
  alpha: 'aZ',
  numeric: '09',
  hex: '0f',
  base64url: 'aZ0-_',
}

/** A value of the charset and length a generated secret would have (every character kind included). */
function sampleOf(generate: {length: number; charset: string}): string {
  const kinds = SAMPLE_CHARSETS[generate.charset] ?? 'aZ09'
  return Array.from({length: generate.length}, (_, index) => kinds[index % kinds.length]).join('')
}

/**
 * Text of one catalog file → a validated Plug, or a CatalogValidationError
 * listing every problem found.
 */
export function parsePlug(text: string, file: string, expectedId?: string): Plug {
  const document = parseDocument(text, {prettyErrors: true, uniqueKeys: true})
  if (document.errors.length > 0) {
    throw new CatalogValidationError(
      document.errors.map((error) => ({
        file,
        path: error.linePos ? `line ${error.linePos[0].line}` : '',
        message: `YAML syntax: ${error.message.split('\n')[0]}`,
      })),
    )
  }
  const data: unknown = document.toJS()
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new CatalogValidationError([{file, path: '', message: 'must be a YAML mapping with id, name, services, …'}])
  }
  const result = plugSchema.safeParse(data)
  if (!result.success) {
    throw new CatalogValidationError(
      result.error.issues.map((issue) => ({file, path: zodPath(issue.path), message: explainZodIssue(issue)})),
    )
  }
  const issues = checkPlugRules(result.data, file, expectedId)
  if (issues.length > 0) throw new CatalogValidationError(issues)
  return result.data
}

export {BUILTIN_VARIABLES, dependencyCondition, deployOrder, entryService, referencedVariables} from './model.js'
