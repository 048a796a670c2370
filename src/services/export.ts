/**
 * `aims export`: a self-host bundle for a plug (from the catalog) or an
 * instance (read from the engine over the session), written to a local
 * directory. The bundle runs without aims: docker-compose.yml, .env.example,
 * setup.sh, healthcheck.sh, nginx.conf and README.md.
 *
 * Secrets never leave the host: an instance's secret values are dropped when
 * it is read (core/export/instance.ts), and the rendered files are checked
 * for every one of them before anything is written.
 *
 * The dock and ACHEEVY call `exportBundle` too: keep its name and module path.
 */
import {CONTROL_CHARACTER} from '../core/text/sanitize.js'
import type {Plug} from '../core/catalog/schema.js'
import {AimsError, shown, usageError} from '../core/errors.js'
import type {ContainerDetails} from '../core/engine-types.js'
import {readInstanceExport, MIN_SECRET_MATCH} from '../core/export/instance.js'
import {buildBundleModel, type BundleModel, type InstanceExport} from '../core/export/model.js'
import {BUNDLE_TEMPLATES, renderBundle, type BundleFile, type BundleTemplates} from '../core/export/render.js'
import {findInstance, type InstanceView} from '../core/instances.js'
import {
  checkResourceName,
  formatInstanceRef,
  instanceRef,
  isResourceName,
  parseInstanceRef,
  type InstanceRef,
} from '../core/names.js'
import {closest} from '../core/suggest.js'
import type {CatalogSource} from './catalog-port.js'
import {readInstances, requireInstance} from './instances.js'
import type {Clock, HostSession} from './ports.js'

/** What a bundle directory looks like before writing. */
export type OutputState = {kind: 'missing'} | {kind: 'directory'; entries: string[]} | {kind: 'other'}

/** The local directory the bundle goes to. */
export interface BundleOutput {
  /** An absolute path for what the user gave (relative to the working directory). */
  resolve(path: string): string
  inspect(path: string): Promise<OutputState>
  /** Creates the directory (and parents) and writes every file with its exact mode, each atomically. */
  write(dir: string, files: BundleFile[]): Promise<void>
}

export interface ExportDeps {
  catalog: CatalogSource
  /** A template under templates/ (e.g. "export/setup.sh.tmpl"). */
  readTemplate(name: string): Promise<string>
  output: BundleOutput
  clock: Pick<Clock, 'now'>
  /** The session to the host; opened only for instance exports (plug exports work offline). */
  session(): Promise<HostSession>
  /** Tenant of a bare instance name. */
  defaultTenant: string
  /** Written into the bundle's headers. */
  aimsVersion: string
}

export interface ExportOptions {
  /** A plug id, TENANT/NAME, or NAME (a plug; else an instance in the default tenant). */
  target: string
  /** Makes a bare NAME an instance of this tenant. */
  tenant?: string
  /** Default ./<plug-or-instance>-bundle. */
  out?: string
  /** Write into a non-empty directory (the bundle's files are replaced; others are kept). */
  force?: boolean
}

/** Checked export options: what exportBundle takes. */
export interface ExportRequest {
  /** As given, trimmed: a plug id, TENANT/NAME, or NAME. */
  target: string
  /** The instance, when the target names one for certain (TENANT/NAME, or NAME with a tenant). */
  ref?: InstanceRef
  out?: string
  force: boolean
}

export interface ExportResult {
  kind: 'plug' | 'instance'
  plug: string
  /** TENANT/NAME for instance exports. */
  instance?: string
  host?: string
  dir: string
  files: Array<{path: string; mode: string; bytes: number}>
  services: string[]
  projectName: string
  /** Host port of the entry (PORT in .env). */
  port: number
  protocol: 'http' | 'tcp'
  /** Names only, never values. */
  variables: {settings: string[]; secrets: string[]; generated: string[]; required: string[]; withheld: string[]}
  /** What to run next. */
  next: string
  warnings: string[]
}

/** Checks the input without I/O: bad input fails here, before anything is read or written. */
export function validateExportOptions(options: ExportOptions): ExportRequest {
  const target = options.target ?? ''
  let ref: InstanceRef | undefined
  if (target.trim() === '')
    throw usageError('no plug or instance to export', 'give a plug id (aims catalog ls) or an instance (TENANT/NAME)')
  if (CONTROL_CHARACTER.test(target))
    throw usageError(
      `invalid export target ${shown(target)}: it holds a control character`,
      'give a plug id or TENANT/NAME',
    )
  if (options.tenant !== undefined) checkResourceName('tenant', options.tenant)
  if (target.includes('/')) {
    ref = parseInstanceRef(target)
    if (options.tenant !== undefined && options.tenant !== ref.tenant)
      throw usageError(
        `${target} is in tenant ${ref.tenant}, but --tenant ${options.tenant} was given`,
        'drop one of them',
      )
  } else if (options.tenant !== undefined) {
    ref = instanceRef(options.tenant, target)
  }
  if (options.out !== undefined) {
    if (options.out.trim() === '') throw usageError('--out is empty', 'give a directory, e.g. --out ./n8n-bundle')
    // A path is the user's choice (relative, absolute, ../), but a line break or control character in it is a mistake
    // or a trick.
    if (CONTROL_CHARACTER.test(options.out))
      throw usageError(
        `invalid --out ${shown(options.out)}: it holds a line break or control character`,
        'give a plain directory path',
      )
    if (options.out.length > 4096) throw usageError('--out is longer than 4096 characters', 'give a shorter path')
  }
  return {
    target: target.trim(),
    ...(ref ? {ref} : {}),
    ...(options.out !== undefined ? {out: options.out} : {}),
    force: Boolean(options.force),
  }
}

type Target =
  {kind: 'plug'; plug: Plug} | {kind: 'instance'; ref: InstanceRef} | {kind: 'plug-or-instance'; name: string}

async function plugNotFound(
  catalog: CatalogSource,
  name: string,
  extra: {instances?: InstanceView[]; defaultTenant?: string; hint?: string} = {},
): Promise<AimsError> {
  const plugs = (await catalog.list()).map((entry) => entry.plug.id)
  const needle = name.toLowerCase()
  // Instances of the default tenant go by their name; others by TENANT/NAME when their name is close.
  const instances = extra.instances ?? []
  const local = instances.filter((view) => view.tenant === extra.defaultTenant).map((view) => view.instance)
  const elsewhere = instances
    .filter((view) => view.tenant !== extra.defaultTenant && closest(needle, [view.instance]).length > 0)
    .map((view) => view.ref)
  const suggestions = [...closest(needle, [...plugs, ...local]), ...elsewhere].slice(0, 3)
  const what = extra.instances ? 'no plug or instance' : 'no plug'
  return new AimsError('not-found', `${what} named ${shown(name)}${extra.instances ? '' : ' in the catalog'}`, {
    hint: [
      suggestions.length > 0
        ? `did you mean ${suggestions.map((item) => `"${item}"`).join(' or ')}?`
        : 'list the plugs with aims catalog ls',
      extra.hint,
    ]
      .filter(Boolean)
      .join('; '),
    details: {suggestions},
  })
}

async function resolveTarget(deps: ExportDeps, request: ExportRequest): Promise<Target> {
  const {target} = request
  if (request.ref) return {kind: 'instance', ref: request.ref}
  const entry = await deps.catalog.find(target)
  if (entry) return {kind: 'plug', plug: entry.plug}
  if (!isResourceName(target)) throw await plugNotFound(deps.catalog, target)
  return {kind: 'plug-or-instance', name: target}
}

function defaultOut(target: Target): string {
  switch (target.kind) {
    case 'plug':
      return `./${target.plug.id}-bundle`
    case 'instance':
      return `./${target.ref.instance}-bundle`
    default:
      return `./${target.name}-bundle`
  }
}

async function loadTemplates(deps: ExportDeps): Promise<BundleTemplates> {
  const entries = await Promise.all(
    Object.entries(BUNDLE_TEMPLATES).map(async ([key, name]) => [key, await deps.readTemplate(name)] as const),
  )
  return Object.fromEntries(entries) as BundleTemplates
}

interface InstanceRead {
  plug: Plug
  export: InstanceExport
  secretValues: string[]
  warnings: string[]
}

async function readInstance(deps: ExportDeps, session: HostSession, ref: InstanceRef): Promise<InstanceRead> {
  const engine = await session.engine()
  const view = await requireInstance(session, engine, ref)
  const entry = await deps.catalog.find(view.plug)
  if (!entry) {
    throw new AimsError(
      'not-found',
      `${formatInstanceRef(ref)} runs plug ${shown(view.plug)}, which is not in the catalog here`,
      {
        hint:
          'add the catalog directory it came from (aims config set catalog.paths, or AIMS_CATALOG_PATH), then ' +
          'export again',
      },
    )
  }
  const details: Array<ContainerDetails | undefined> = await Promise.all(
    view.replicas.map((replica) => engine.inspectContainer(replica.containerId)),
  )
  const reading = readInstanceExport({plug: entry.plug, view, details, host: session.host.name})
  const warnings: string[] = []
  const deployed = reading.export.plugVersion
  if (deployed && deployed !== String(entry.plug.version))
    warnings.push(
      `${formatInstanceRef(ref)} was deployed from catalog entry v${deployed} of ${view.plug}; the bundle ` +
        `follows the current entry v${entry.plug.version} (images and limits are the instance's)`,
    )
  const missing = Object.keys(entry.plug.services).filter(
    (service) => !view.replicas.some((replica) => replica.service === service),
  )
  if (missing.length > 0)
    warnings.push(
      `${formatInstanceRef(ref)} has no container for ${missing.join(', ')}: those services come from the ` +
        `catalog entry`,
    )
  for (const [key, reason] of Object.entries(reading.export.withheld))
    warnings.push(`${key} is not exported: ${reason}`)
  return {plug: entry.plug, export: reading.export, secretValues: reading.secretValues, warnings}
}

/** Last line of defence: a rendered bundle that holds any of the instance's secret values is never written. */
export function assertNoSecretValues(files: BundleFile[], secretValues: string[]): void {
  for (const secret of secretValues) {
    if (secret.length < MIN_SECRET_MATCH) continue
    const file = files.find((candidate) => candidate.content.includes(secret))
    if (file)
      throw new AimsError(
        'internal',
        `refusing to write the bundle: ${file.path} would contain a secret value of the instance`,
        {hint: 'nothing was written; report this as a bug in aims export'},
      )
  }
}

async function checkOutput(deps: ExportDeps, dir: string, given: string, force: boolean): Promise<OutputState> {
  const state = await deps.output.inspect(dir)
  if (state.kind === 'other')
    throw usageError(`--out ${shown(given)} exists and is not a directory`, 'choose a directory path')
  if (state.kind === 'directory' && state.entries.length > 0 && !force) {
    throw usageError(
      `${shown(given)} is not empty (${state.entries.length} entr${state.entries.length === 1 ? 'y' : 'ies'})`,
      'pass --force to write the bundle into it (its files are replaced; others, such as .env, are kept), or ' +
        'choose another --out',
    )
  }
  return state
}

export async function exportBundle(deps: ExportDeps, request: ExportRequest): Promise<ExportResult> {
  const target = await resolveTarget(deps, request)
  const given = request.out ?? defaultOut(target)
  const dir = deps.output.resolve(given)
  // The directory is checked before the host is asked anything: a refusal has no side effect and costs nothing.
  await checkOutput(deps, dir, given, request.force)

  let plug: Plug
  let instance: InstanceRead | undefined
  if (target.kind === 'plug') {
    plug = target.plug
  } else if (target.kind === 'instance') {
    instance = await readInstance(deps, await deps.session(), target.ref)
    plug = instance.plug
  } else {
    // A bare name that is no plug: an instance of the default tenant, if the host has one.
    const ref = instanceRef(deps.defaultTenant, target.name)
    let session: HostSession
    try {
      session = await deps.session()
    } catch (error) {
      throw await plugNotFound(deps.catalog, target.name, {
        hint:
          `it is no instance either, as far as aims can tell: the host did not answer ` +
          `(${error instanceof AimsError ? error.message : String(error)})`,
      })
    }
    const engine = await session.engine()
    const views = await readInstances(session, engine)
    if (!findInstance(views, ref))
      throw await plugNotFound(deps.catalog, target.name, {
        instances: views,
        defaultTenant: deps.defaultTenant,
        hint: 'an instance of another tenant is TENANT/NAME',
      })
    instance = await readInstance(deps, session, ref)
    plug = instance.plug
  }

  const model: BundleModel = buildBundleModel({
    plug,
    ...(instance ? {instance: instance.export} : {}),
    exportedAt: deps.clock.now(),
    aimsVersion: deps.aimsVersion,
  })
  const files = renderBundle(await loadTemplates(deps), model)
  if (instance) assertNoSecretValues(files, instance.secretValues)
  await deps.output.write(dir, files)

  const secrets = model.variables.filter((variable) => variable.kind === 'secret')
  const source = model.source.instance
  return {
    kind: model.source.kind,
    plug: plug.id,
    ...(source ? {instance: `${source.tenant}/${source.instance}`, host: source.host} : {}),
    dir,
    files: files.map((file) => ({
      path: file.path,
      mode: `0${file.mode.toString(8)}`,
      bytes: Buffer.byteLength(file.content),
    })),
    services: model.services.map((service) => service.name),
    projectName: model.projectName,
    port: model.port,
    protocol: model.entry.protocol,
    variables: {
      settings: model.variables.filter((variable) => variable.kind === 'setting').map((variable) => variable.key),
      secrets: secrets.map((variable) => variable.key),
      generated: secrets.filter((variable) => variable.generate).map((variable) => variable.key),
      required: model.variables
        .filter((variable) => variable.required && variable.value === '')
        .map((variable) => variable.key),
      withheld: model.variables.filter((variable) => variable.withheld).map((variable) => variable.key),
    },
    next: `cd ${shellPath(given)} && ./setup.sh`,
    warnings: instance?.warnings ?? [],
  }
}

/** The --out path as a shell word for the "next" hint. */
function shellPath(path: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`
}
