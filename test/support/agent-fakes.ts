/**
 * Fakes for ACHEEVY's tests: the services its tools call (lifecycle fakes
 * build a plan and pass the real gate with the approver they are given, as
 * the real services do, and record what they applied), a host session whose
 * engine only answers what the tools may ask, a UI that answers questions
 * from a script, and a provider that replays scripted turns. Every fake fails
 * loudly on a call it was not set up for.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {parsePlug} from '../../src/core/catalog/validate.js'
import {AimsError} from '../../src/core/errors.js'
import type {ChatProvider, ChatRequest, ProviderEvent, ToolCall} from '../../src/core/ai/types.js'
import {formatInstanceRef, type InstanceRef} from '../../src/core/names.js'
import type {Plan} from '../../src/core/plan/plan.js'
import {passGate} from '../../src/services/gate.js'
import type {AgentUi, ToolOutcome} from '../../src/services/agent/agent.js'
import type {AgentServices, ExtraServices, ToolCallContext, ToolRuntime} from '../../src/services/agent/runtime.js'
import type {CatalogSource} from '../../src/services/catalog-port.js'
import type {Engine, HostSession} from '../../src/services/ports.js'
import {MemoryCatalog} from './catalog-fakes.js'
import {ROOT} from './aims.js'

export const fixturePlug = (id: 'fixture-web' | 'fixture-stack' = 'fixture-web') =>
  parsePlug(readFileSync(join(ROOT, 'test', 'fixtures', 'plugs', `${id}.yaml`), 'utf8'), `${id}.yaml`)

/** Everything the fakes saw, in order: applied changes and service calls. */
export interface ServiceRecord {
  service: string
  args: unknown[]
  applied?: boolean
}

export class Unexpected extends Error {}

function fail(name: string): never {
  throw new Unexpected(`unexpected call to ${name}`)
}

export interface FakeServiceScript {
  instances?: Array<{tenant: string; instance: string; plug: string; status?: string}>
  logs?: Record<string, Array<{service?: string; text: string}>>
  /** Services allowed to be called (others fail loudly). Default: all. */
  allow?: Array<keyof AgentServices>
}

const plan = (action: Plan['action'], ref: InstanceRef, destructive = false): Plan => ({
  action,
  summary: `${action.replace('plug-', '')} ${formatInstanceRef(ref)} on vps`,
  host: 'vps',
  target: formatInstanceRef(ref),
  destructive,
  ...(destructive ? {confirmWord: ref.instance} : {}),
  facts: [],
  changes: destructive ? [{action: 'remove', kind: 'volume', name: `aims-${ref.tenant}-${ref.instance}-data`}] : [],
  gates: [],
})

export function fakeServices(records: ServiceRecord[], script: FakeServiceScript = {}): AgentServices {
  const allowed = (name: keyof AgentServices) => {
    if (script.allow && !script.allow.includes(name)) fail(name)
  }
  const views = () =>
    (script.instances ?? []).map((item) => ({
      tenant: item.tenant,
      instance: item.instance,
      ref: `${item.tenant}/${item.instance}`,
      plug: item.plug,
      status: item.status ?? 'running',
      health: 'healthy',
      hostPort: 51000,
      localUrl: 'http://127.0.0.1:51000/',
      exposed: false,
      createdAt: new Date('2025-01-01T00:00:00Z'),
      secretKeys: [],
      declaredServices: ['web'],
      replicas: [],
      links: [],
    }))
  const find = (ref: InstanceRef) => {
    const found = views().find((view) => view.tenant === ref.tenant && view.instance === ref.instance)
    if (!found)
      throw new AimsError('not-found', `no instance ${formatInstanceRef(ref)} on vps`, {hint: 'see aims plug ls'})
    return found
  }
  return {
    listCatalog: async (...args) => (
      allowed('listCatalog'),
      records.push({service: 'listCatalog', args}),
      {plugs: [], skipped: 0}
    ),
    searchCatalog: async (...args) => (
      allowed('searchCatalog'),
      records.push({service: 'searchCatalog', args}),
      {query: args[1].query, results: []}
    ),
    showCatalogPlug: async () => fail('showCatalogPlug'),
    listInstances: async (...args) => {
      allowed('listInstances')
      records.push({service: 'listInstances', args: [args[1]]})
      return views().filter((view) => !args[1].tenant || view.tenant === args[1].tenant) as never
    },
    instanceStatus: async () => fail('instanceStatus'),
    instanceLogs: async (_session, ref, options) => {
      allowed('instanceLogs')
      records.push({service: 'instanceLogs', args: [ref, options]})
      find(ref)
      return (script.logs?.[formatInstanceRef(ref)] ?? []).map((line) => ({
        service: line.service ?? 'web',
        replica: 1,
        stream: 'stdout' as const,
        text: line.text,
      }))
    },
    plugUp: async (deps, request) => {
      allowed('plugUp')
      records.push({service: 'plugUp', args: [request]})
      const {ref} = request
      const decision = await passGate(plan('plug-up', ref), deps.approver)
      if (decision === 'dry-run')
        return {
          status: 'dry-run',
          instance: formatInstanceRef(ref),
          plug: request.plugId,
          host: 'vps',
          plan: plan('plug-up', ref),
          port: 51000,
          localUrl: 'http://127.0.0.1:51000/',
          deployId: 'd',
          durationMs: 1,
          warnings: [],
        }
      records.push({service: 'plugUp', args: [formatInstanceRef(ref), deps.origin], applied: true})
      return {
        status: 'ready',
        instance: formatInstanceRef(ref),
        plug: request.plugId,
        host: 'vps',
        plan: plan('plug-up', ref),
        port: 51000,
        localUrl: 'http://127.0.0.1:51000/',
        deployId: 'd',
        durationMs: 1,
        warnings: [],
      }
    },
    changeState: async (deps, ref, action) => {
      allowed('changeState')
      records.push({service: 'changeState', args: [ref, action]})
      find(ref)
      const decision = await passGate(plan(`plug-${action}`, ref), deps.approver)
      if (decision === 'dry-run')
        return {
          status: 'dry-run',
          action: `plug-${action}`,
          instance: formatInstanceRef(ref),
          host: 'vps',
          plan: plan(`plug-${action}`, ref),
          durationMs: 0,
        }
      records.push({service: 'changeState', args: [formatInstanceRef(ref), action, deps.origin], applied: true})
      return {
        status: 'applied',
        action: `plug-${action}`,
        instance: formatInstanceRef(ref),
        host: 'vps',
        plan: plan(`plug-${action}`, ref),
        durationMs: 1,
      }
    },
    plugScale: async () => fail('plugScale'),
    plugDown: async (deps, ref, options) => {
      allowed('plugDown')
      records.push({service: 'plugDown', args: [ref, options]})
      find(ref)
      const downPlan = plan('plug-down', ref, true)
      const decision = await passGate(downPlan, deps.approver)
      const empty = {containers: [], volumes: [], networks: [], proxyConf: false}
      if (decision === 'dry-run')
        return {
          status: 'dry-run',
          action: 'plug-down',
          instance: formatInstanceRef(ref),
          host: 'vps',
          plan: downPlan,
          durationMs: 0,
          removed: empty,
          keptVolumes: [],
        }
      records.push({service: 'plugDown', args: [formatInstanceRef(ref), deps.origin], applied: true})
      return {
        status: 'applied',
        action: 'plug-down',
        instance: formatInstanceRef(ref),
        host: 'vps',
        plan: downPlan,
        durationMs: 1,
        removed: {...empty, containers: ['c']},
        keptVolumes: [],
      }
    },
    runDoctor: async () => fail('runDoctor'),
  }
}

/** A session whose engine answers the tools' secret lookups (labels + inspect env) and nothing else. */
export function fakeSession(secretEnv: Record<string, Record<string, string>> = {}): HostSession {
  const engine = new Proxy({} as Engine, {
    get(_target, name) {
      if (name === 'listContainers') {
        return async (filter: {labels?: Record<string, string>}) => {
          const ref = `${filter.labels?.['aims.tenant']}/${filter.labels?.['aims.instance']}`
          const env = secretEnv[ref]
          return env ? [{id: `id-${ref}`, name: 'c', labels: {'aims.secret-keys': Object.keys(env).join(',')}}] : []
        }
      }
      if (name === 'inspectContainer') return async (id: string) => ({id, env: secretEnv[id.replace(/^id-/, '')] ?? {}})
      if (name === 'then') return undefined
      return () => fail(`engine.${String(name)}`)
    },
  })
  return {
    host: {
      name: 'vps',
      kind: 'ssh',
      nginxConfDir: '/etc/nginx/conf.d/plugs',
      stateDir: '/var/lib/aims',
    } as HostSession['host'],
    engine: async () => engine,
    shell: async () => fail('shell'),
    connectTcp: async () => fail('connectTcp'),
    lock: async () => fail('lock'),
    metrics: () => ({sshLogins: 1, apiCalls: 0}),
    close: async () => undefined,
  }
}

/** Extra services a test did not give: a call is a test failure. */
const unexpected = (name: string) => async (): Promise<never> => {
  throw new Error(`unexpected call to ${name}: give the fake runtime one`)
}
const unexpectedExtras: ExtraServices = {
  exportBundle: unexpected('exportBundle'),
  stats: unexpected('stats'),
  health: unexpected('health'),
  events: unexpected('events'),
}

export function fakeRuntime(
  records: ServiceRecord[],
  options: {
    script?: FakeServiceScript
    extras?: Partial<ExtraServices>
    session?: HostSession
    noHost?: boolean
    catalog?: CatalogSource
  } = {},
): ToolRuntime {
  const session = options.session ?? fakeSession()
  return {
    services: fakeServices(records, options.script),
    extras: {...unexpectedExtras, ...options.extras},
    defaultTenant: 'default',
    catalog: options.catalog ?? MemoryCatalog.of(fixturePlug('fixture-web')),
    prices: {currency: 'USD', cpuMonthly: 4, memoryGiBMonthly: 2.5, diskGiBMonthly: 0.1},
    clock: {now: () => new Date('2025-06-01T12:00:00Z'), sleep: async () => undefined},
    session: async () => {
      if (options.noHost)
        throw new AimsError('usage', 'no host is configured and no local Docker engine was found', {
          hint: 'add your VPS',
        })
      return session
    },
    lifecycleDeps: async (call: ToolCallContext) =>
      ({session, approver: call.approver, progress: call.progress, origin: call.origin}) as never,
    secrets: new Set(),
  }
}

/** A UI that records what it shows and answers from a queue; undefined (end of input) when the queue is empty. */
export class ScriptedUi implements AgentUi {
  readonly output: string[] = []
  readonly asked: string[] = []
  readonly plans: Plan[] = []
  readonly results: Array<{callId: string; tool?: string; outcome: ToolOutcome}> = []
  readonly progress = () => undefined

  constructor(private readonly answers: string[] = []) {}

  text(delta: string): void {
    this.output.push(delta)
  }
  endText(): void {
    this.output.push('\n')
  }
  notice(message: string): void {
    this.output.push(`(${message})\n`)
  }
  toolCall(info: {argv: string[]}): void {
    this.output.push(`→ ${info.argv.join(' ')}\n`)
  }
  toolResult(info: {callId: string; tool?: {spec: {name: string}}; outcome: ToolOutcome}): void {
    this.results.push({callId: info.callId, ...(info.tool ? {tool: info.tool.spec.name} : {}), outcome: info.outcome})
  }
  showPlan(plan: Plan): void {
    this.plans.push(plan)
  }
  async confirm(question: string): Promise<boolean> {
    this.asked.push(question)
    return /^(?:y|yes)$/i.test(this.answers.shift() ?? '')
  }
  async askText(question: string): Promise<string | undefined> {
    this.asked.push(question)
    return this.answers.shift()
  }
  /** Answers not used by the end of a test: usually a mistake in the test. */
  get unused(): string[] {
    return [...this.answers]
  }
}

/** A provider that replays turns; each turn is events (done added), or a function of the request. */
export class ScriptedProvider implements ChatProvider {
  readonly name = 'openai' as const
  readonly model = 'scripted'
  readonly requests: ChatRequest[] = []
  constructor(private readonly turns: Array<Array<{text: string} | {call: ToolCall}>>) {}

  async *stream(request: ChatRequest): AsyncGenerator<ProviderEvent> {
    this.requests.push({...request, messages: [...request.messages]})
    const turn = this.turns.shift()
    if (!turn) throw new Unexpected(`no scripted turn left for request #${this.requests.length}`)
    let calls = 0
    for (const item of turn) {
      if ('text' in item) yield {type: 'text', delta: item.text}
      else {
        calls++
        yield {type: 'tool-call', call: item.call}
      }
    }
    yield {type: 'done', stopReason: calls > 0 ? 'tool-calls' : 'end'}
  }

  get remaining(): number {
    return this.turns.length
  }
}
