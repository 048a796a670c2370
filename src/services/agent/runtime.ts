/**
 * What ACHEEVY's tools need to run: the same services the CLI commands call
 * (as an interface, so tests pass fakes and production loads the real ones
 * lazily), the services other parts of aims provide and this build may not
 * have yet (export, stats, health, events), and the one host session of the
 * process. Nothing here runs a shell or spawns `aims`.
 */
import type {ToolEffect} from '../../core/ai/types.js'
import type {Prices} from '../../core/plan/policy.js'
import type {InstanceRef} from '../../core/names.js'
import type {CatalogSource} from '../catalog-port.js'
import type {Approver} from '../gate.js'
import type {PlugUpDeps} from '../plug-up.js'
import type {Clock, HostSession, Origin} from '../ports.js'
import type {Progress} from '../progress.js'

/** The lifecycle and read services, exactly those the CLI commands call. */
export interface AgentServices {
  listCatalog: typeof import('../catalog.js').listCatalog
  searchCatalog: typeof import('../catalog.js').searchCatalog
  showCatalogPlug: typeof import('../catalog.js').showCatalogPlug
  listInstances: typeof import('../instances.js').listInstances
  instanceStatus: typeof import('../instances.js').instanceStatus
  instanceLogs: typeof import('../instances.js').instanceLogs
  plugUp: typeof import('../plug-up.js').plugUp
  changeState: typeof import('../plug-manage.js').changeState
  plugScale: typeof import('../plug-manage.js').plugScale
  plugDown: typeof import('../plug-manage.js').plugDown
  runDoctor: typeof import('../doctor.js').runDoctor
}

/** Loads the real services (dynamic imports: nothing is paid until a tool runs). */
export async function loadAgentServices(): Promise<AgentServices> {
  const [catalog, instances, plugUp, manage, doctor] = await Promise.all([
    import('../catalog.js'),
    import('../instances.js'),
    import('../plug-up.js'),
    import('../plug-manage.js'),
    import('../doctor.js'),
  ])
  return {
    listCatalog: catalog.listCatalog,
    searchCatalog: catalog.searchCatalog,
    showCatalogPlug: catalog.showCatalogPlug,
    listInstances: instances.listInstances,
    instanceStatus: instances.instanceStatus,
    instanceLogs: instances.instanceLogs,
    plugUp: plugUp.plugUp,
    changeState: manage.changeState,
    plugScale: manage.plugScale,
    plugDown: manage.plugDown,
    runDoctor: doctor.runDoctor,
  }
}

/**
 * The services of export, stats, health and events, bound by the composition
 * (src/agent-context.ts, extraServices) so that this module loads none of them.
 */
export interface ExtraServices {
  exportBundle(request: {target: string; out?: string}, deps: PlugUpDeps): Promise<unknown>
  stats(request: {ref?: InstanceRef}, session: HostSession): Promise<unknown>
  health(request: {ref?: InstanceRef}, session: HostSession): Promise<unknown>
  events(request: {since: Date; until: Date}, session: HostSession): Promise<unknown>
}

/** One tool call as the gate and the audit log see it. */
export interface ToolCallContext {
  id: string
  /** Audit origin: chat or ask, with the utterance and this call's argv. */
  origin: Origin
  /** The gate's approver for this call (asks in chat, --yes in ask). */
  approver: Approver
  progress: Progress
}

export interface ToolRuntime {
  services: AgentServices
  extras: ExtraServices
  defaultTenant: string
  catalog: CatalogSource
  prices: Prices
  clock: Clock
  /** The process's one session to the selected host (opened on first use). */
  session(): Promise<HostSession>
  /** Lifecycle deps wired to this call's approver, progress and origin. */
  lifecycleDeps(call: ToolCallContext): Promise<PlugUpDeps>
  /** Secret values known in this session (intake answers, instance secrets): masked wherever text leaves aims. */
  secrets: Set<string>
}

export interface ToolRunResult {
  status: 'ok' | 'dry-run'
  /**
   * What goes back to the model as the tool result: compact JSON with a
   * one-line `summary`, never a secret value, container text fenced.
   */
  content: {summary: string} & Record<string, unknown>
  /** The service's full typed result (for --json and the chat's rendering). */
  data?: unknown
  /** The instance the conversation is now about; null when it is gone. */
  focus?: string | null | undefined
}

export type {ToolEffect}
