/**
 * `aims quickstart`: the first run. Deploys the hello plug (templates/quickstart) to this machine's engine
 * through the same plug-up path as any plug (plan, gate, pre-flight gates, health gate, rollback). Its image is
 * built here instead of pulled, so no registry is needed: the pull step of the deploy builds it (after the gate,
 * so a dry run or a refusal leaves nothing). `quickstart down` removes the instance and the image it built.
 */
import {AimsError} from '../core/errors.js'
import type {InstanceRef} from '../core/names.js'
import type {PlugUpRequest} from '../core/plan/requests.js'
import {QUICKSTART_IMAGE} from '../core/quickstart/hello-image.js'
import type {CatalogSource} from './catalog-port.js'
import {plugDown, type DownResult} from './plug-manage.js'
import {plugUp, type PlugUpDeps, type PlugUpResult} from './plug-up.js'
import type {Engine, HostSession} from './ports.js'
import {passGate, type Approver} from './gate.js'
import type {Plan, PlanChange} from '../core/plan/plan.js'

/** The local images quickstart builds and removes (adapters/quickstart-images.ts). */
export interface QuickstartImages {
  /** undefined: no such image; builtByAims: it carries the quickstart label. */
  inspect(reference: string): Promise<{builtByAims: boolean} | undefined>
  /** Builds the image; `base` says what from (the machine's busybox, or the busybox image). */
  build(reference: string, onProgress: (line: string) => void): Promise<{base: string}>
  remove(reference: string): Promise<'removed' | 'absent' | 'in-use'>
}

export interface QuickstartDeps extends PlugUpDeps {
  images: QuickstartImages
  /** Where the hello plug comes from (looked up before the user's catalog). */
  quickstartCatalog: CatalogSource
}

export interface QuickstartUpResult extends PlugUpResult {
  image: {reference: string; built: boolean; base?: string}
}

export interface QuickstartDownResult {
  status: 'applied' | 'dry-run' | 'nothing-to-do'
  instance: string
  host: string
  down?: DownResult
  image: {reference: string; outcome: 'removed' | 'absent' | 'in-use' | 'kept'}
}

/** The deps' catalog with the hello plug in front. */
function withQuickstartPlug(quickstart: CatalogSource, base: CatalogSource): CatalogSource {
  return {
    list: async () => [...(await quickstart.list()), ...(await base.list())],
    find: async (id) => (await quickstart.find(id)) ?? base.find(id),
    issues: async () => base.issues(),
  }
}

/** The session, with an engine whose pull of the quickstart image builds it on the machine instead. */
function buildingSession(
  session: HostSession,
  build: (onProgress: (line: string) => void) => Promise<void>,
): HostSession {
  const engineOf = async (): Promise<Engine> => {
    const engine = await session.engine()
    return new Proxy(engine, {
      get(target, property) {
        if (property === 'pullImage')
          return async (reference: string, onProgress?: Parameters<Engine['pullImage']>[1]) =>
            reference === QUICKSTART_IMAGE
              ? build((line) => onProgress?.({image: reference, status: line}))
              : target.pullImage(reference, onProgress)
        const value = Reflect.get(target, property, target) as unknown
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
      },
    })
  }
  return new Proxy(session, {
    get(target, property) {
      if (property === 'engine') return engineOf
      const value = Reflect.get(target, property, target) as unknown
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
    },
  })
}

export async function quickstartUp(deps: QuickstartDeps, request: PlugUpRequest): Promise<QuickstartUpResult> {
  if (deps.session.host.kind !== 'local')
    throw new AimsError('usage', `quickstart deploys to this machine's engine, not to ${deps.session.host.name}`, {
      hint: `drop --host, or deploy a catalog plug there: aims plug up uptime-kuma --host ${deps.session.host.name}`,
    })
  // Fail before the plan when there is no engine, with the engine's own reason (the command adds how to get one).
  await (await deps.session.engine()).ping()
  const image: QuickstartUpResult['image'] = {reference: QUICKSTART_IMAGE, built: false}
  const session = buildingSession(deps.session, async (onProgress) => {
    deps.progress({step: 'pull', message: `building ${QUICKSTART_IMAGE} on this machine (no registry needed)`})
    const {base} = await deps.images.build(QUICKSTART_IMAGE, onProgress)
    image.built = true
    image.base = base
  })
  const result = await plugUp(
    {
      ...deps,
      session,
      approver: withImageBuild(deps.approver),
      catalog: withQuickstartPlug(deps.quickstartCatalog, deps.catalog),
    },
    request,
  )
  return {...result, image}
}

const IMAGE_CHANGE = {
  action: 'remove',
  kind: 'image',
  name: QUICKSTART_IMAGE,
  detail: 'built by aims quickstart',
} as const satisfies PlanChange

/** The approver, shown (and asked about) the plan as `edit` rewrites it. */
function editedPlans(approver: Approver, edit: (plan: Plan) => Plan): Approver {
  return {show: (plan) => approver.show(edit(plan)), decide: (plan) => approver.decide(edit(plan))}
}

/** The down plan says the image goes too (when aims built it). */
const withImageRemoval = (approver: Approver) =>
  editedPlans(approver, (plan) => ({...plan, changes: [...plan.changes, IMAGE_CHANGE]}))

/** The deploy plan says the image is built here, not pulled. */
const withImageBuild = (approver: Approver) =>
  editedPlans(approver, (plan) => ({
    ...plan,
    changes: plan.changes.map((change) =>
      change.kind === 'image' && change.name === QUICKSTART_IMAGE && change.action === 'pull'
        ? {
            action: 'create',
            kind: 'image',
            name: QUICKSTART_IMAGE,
            detail: 'built on this machine if missing, no registry',
          }
        : change,
    ),
  }))

export async function quickstartDown(deps: QuickstartDeps, ref: InstanceRef): Promise<QuickstartDownResult> {
  const host = deps.session.host.name
  const instance = `${ref.tenant}/${ref.instance}`
  const existing = await deps.images.inspect(QUICKSTART_IMAGE)
  const ours = existing?.builtByAims === true
  let down: DownResult | undefined
  try {
    down = await plugDown(ours ? {...deps, approver: withImageRemoval(deps.approver)} : deps, ref, {keepData: false})
  } catch (error) {
    if (!(error instanceof AimsError && error.kind === 'not-found')) throw error
  }
  const image = (outcome: QuickstartDownResult['image']['outcome']) => ({reference: QUICKSTART_IMAGE, outcome})
  if (down?.status === 'dry-run') return {status: 'dry-run', instance, host, down, image: image('kept')}
  if (!existing)
    return {status: down ? 'applied' : 'nothing-to-do', instance, host, ...(down ? {down} : {}), image: image('absent')}
  if (!ours)
    return {status: down ? 'applied' : 'nothing-to-do', instance, host, ...(down ? {down} : {}), image: image('kept')}
  if (!down) {
    // Only the image is left: it goes through the gate on its own.
    const plan: Plan = {
      action: 'plug-down',
      summary: `Remove the image aims quickstart built on ${host}`,
      host,
      target: instance,
      destructive: false,
      facts: [{label: 'instance', value: `${instance} is not deployed`}],
      changes: [IMAGE_CHANGE],
      gates: [],
    }
    if ((await passGate(plan, deps.approver)) === 'dry-run')
      return {status: 'dry-run', instance, host, image: image('kept')}
  }
  const outcome = await deps.images.remove(QUICKSTART_IMAGE)
  return {status: 'applied', instance, host, ...(down ? {down} : {}), image: image(outcome)}
}
