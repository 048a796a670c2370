/**
 * ACHEEVY's tools: one per aims command whose declaration gives it one
 * (`agent` in src/core/commands). The declaration gives each tool its JSON
 * schema, argument checks, effect (read, change, destroy: the gate depends on
 * it) and aims command line (what `aims ask --dry-run` prints and the audit
 * log records): tool-shape.ts derives them. What is written here is what a
 * tool does: a summary for people, the instance it acts on, and a run function
 * that calls the same service as the CLI command, in process, over the one
 * host session.
 *
 * Changes never bypass the gate: plug up/start/stop/restart/scale/down call
 * the lifecycle services, which call passGate with the approver the agent
 * gives this call; export, whose service writes local files, passes the gate
 * here before it is called.
 */
import {AimsError} from '../../core/errors.js'
import {fenceUntrusted} from '../../core/ai/untrusted.js'
import type {ToolEffect, ToolSpec} from '../../core/ai/types.js'
import {COMMAND_EFFECTS, COMMANDS, type CommandPath} from '../../core/commands/index.js'
import {paramName, type CommandSpec} from '../../core/commands/spec.js'
import {LABEL} from '../../core/engine-types.js'
import {secretKeysFromLabels} from '../../core/instances.js'
import {formatInstanceRef, type InstanceNames, type InstanceRef} from '../../core/names.js'
import {looksSecret} from '../../core/plan/env.js'
import {validatePlugUpOptions, validateScaleOptions} from '../../core/plan/requests.js'
import type {Plan} from '../../core/plan/plan.js'
import type {InstanceHealthReport} from '../../core/health-report.js'
import type {InstanceStats} from '../../core/stats.js'
import {passGate, type Approver} from '../gate.js'
import type {HostSession} from '../ports.js'
import {eventsAnswer, healthAnswer, listAnswer, logsAnswer, redactedLines, statsAnswer} from './answers.js'
import {refOf} from './tool-args.js'
import {deriveTool, type DerivedTool, type ToolArgs} from './tool-shape.js'
import type {ToolCallContext, ToolRunResult, ToolRuntime} from './runtime.js'

/** What a tool does; the rest of it is derived from its command's declaration. */
export interface ToolBehaviour {
  /** One line for people, never holding env values. */
  summary(args: ToolArgs, defaultTenant: string): string
  /** The instance the call acts on, if any (default: its INSTANCE argument). */
  target?(args: ToolArgs, defaultTenant: string): InstanceNames | undefined
  run(args: ToolArgs, runtime: ToolRuntime, call: ToolCallContext): Promise<ToolRunResult>
}

export interface AgentTool extends DerivedTool, ToolBehaviour {
  target(args: ToolArgs, defaultTenant: string): InstanceNames | undefined
}

// ---- content helpers ----------------------------------------------------------

/** A JSON copy (Dates as ISO strings, no undefined), capped so one result cannot flood a prompt. */
function plain<T>(value: T): unknown {
  return JSON.parse(JSON.stringify(value ?? null)) as unknown
}

function fencedJson(label: string, value: unknown, secrets: Iterable<string>): string {
  return fenceUntrusted(label, JSON.stringify(plain(value), null, 1), {secrets, keep: 'head'})
}

/**
 * The secret values of an instance (its env values under aims.secret-keys
 * and secret-looking names), read from the engine so that logs and inspect
 * output can be masked before a model sees them. They are held in memory only.
 */
export async function instanceSecretValues(session: HostSession, ref: InstanceRef): Promise<string[]> {
  try {
    const engine = await session.engine()
    const containers = await engine.listContainers({
      all: true,
      labels: {[LABEL.managed]: 'true', [LABEL.tenant]: ref.tenant, [LABEL.instance]: ref.instance},
    })
    const values: string[] = []
    for (const container of containers) {
      const keys = new Set(secretKeysFromLabels(container.labels))
      const details = await engine.inspectContainer(container.id)
      for (const [key, value] of Object.entries(details?.env ?? {}))
        if ((keys.has(key) || looksSecret(key)) && value.length >= 4) values.push(value)
    }
    return values
  } catch {
    // Masking by shape (redactSecrets) still applies; the read itself reports real failures.
    return []
  }
}

/** The session's secrets plus the instance's; kept for the session, so transcripts mask them too. */
async function knownSecrets(runtime: ToolRuntime, session: HostSession, ref: InstanceRef): Promise<string[]> {
  for (const value of await instanceSecretValues(session, ref)) runtime.secrets.add(value)
  return [...runtime.secrets]
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`

// ---- the tools ----------------------------------------------------------------

const catalogLs: ToolBehaviour = {
  summary: (args) =>
    args.category ? `List the ${args.category} plugs in the catalog` : 'List the plugs in the catalog',
  async run(args, runtime) {
    const result = await runtime.services.listCatalog(
      {catalog: runtime.catalog, prices: runtime.prices},
      args.category ? {category: String(args.category)} : {},
    )
    return {
      status: 'ok',
      data: result,
      content: {
        summary:
          `${plural(result.plugs.length, 'plug')} in the ` + `catalog${result.category ? ` (${result.category})` : ''}`,
        plugs: result.plugs.map((plug) => ({
          id: plug.id,
          name: plug.name,
          category: plug.category,
          description: plug.description,
          monthlyCost: `${plug.monthlyCost.total} ${plug.monthlyCost.currency}`,
        })),
      },
    }
  },
}

const catalogSearch: ToolBehaviour = {
  summary: (args) => `Search the catalog for "${String(args.query)}"`,
  async run(args, runtime) {
    const result = await runtime.services.searchCatalog(
      {catalog: runtime.catalog, prices: runtime.prices},
      {query: String(args.query)},
    )
    return {
      status: 'ok',
      data: result,
      content: {
        summary: `${plural(result.results.length, 'match')} for "${result.query}"`,
        results: result.results
          .slice(0, 10)
          .map((hit) => ({id: hit.id, name: hit.name, category: hit.category, description: hit.description})),
      },
    }
  },
}

const catalogShow: ToolBehaviour = {
  summary: (args) => `Show the catalog entry of ${String(args.plug)}`,
  async run(args, runtime) {
    const result = await runtime.services.showCatalogPlug(
      {catalog: runtime.catalog, prices: runtime.prices},
      {id: String(args.plug)},
    )
    const {plug} = result
    return {
      status: 'ok',
      data: result,
      content: {
        summary: `${plug.name} (${plug.id}): ${plug.description}`,
        id: plug.id,
        category: plug.category,
        tier: plug.tier,
        size: plug.size,
        services: Object.keys(plug.services),
        // Secret defaults are already redacted by the service; generated values are made at deploy time.
        env: Object.entries(plug.env).map(([key, env]) => ({
          key,
          description: env.description,
          required: env.required,
          secret: env.secret || Boolean(env.generate),
          generated: Boolean(env.generate),
          ...(env.question ? {question: env.question} : {}),
          ...(env.default !== undefined && !env.secret ? {default: env.default} : {}),
        })),
        monthlyCost: `${result.monthlyCost.total} ${result.monthlyCost.currency}`,
      },
    }
  },
}

const plugUp: ToolBehaviour = {
  summary(args, defaultTenant) {
    const keys = ((args.env as string[] | undefined) ?? []).map((item) => item.slice(0, item.indexOf('=')))
    const limits = [args.cpus ? `${String(args.cpus)} CPU` : '', args.memory ? `${String(args.memory)} memory` : '']
    const notes = [
      args.name ? `as ${String(args.name)}` : '',
      args.domain ? `on ${String(args.domain)}` : '',
      args.cpus || args.memory ? `with ${limits.filter(Boolean).join(' and ')}` : '',
      args.expose ? 'exposed on all interfaces' : '',
      keys.length > 0 ? `with env ${keys.join(', ')}` : '',
    ].filter(Boolean)
    const tenant = String(args.tenant ?? defaultTenant)
    return `Deploy ${String(args.plug)} for tenant ${tenant}${notes.length > 0 ? ` ${notes.join(', ')}` : ''}`
  },
  target: (args, defaultTenant) => ({
    tenant: String(args.tenant ?? defaultTenant),
    instance: String(args.name ?? args.plug),
  }),
  async run(args, runtime, call) {
    const deps = await runtime.lifecycleDeps(call)
    const result = await runtime.services.plugUp(
      deps,
      validatePlugUpOptions({
        plug: String(args.plug),
        tenant: String(args.tenant ?? runtime.defaultTenant),
        env: (args.env as string[] | undefined) ?? [],
        expose: Boolean(args.expose),
        links: (args.links as string[] | undefined) ?? [],
        ...(args.name ? {name: String(args.name)} : {}),
        ...(args.domain ? {domain: String(args.domain)} : {}),
        ...(args.cpus ? {cpus: String(args.cpus)} : {}),
        ...(args.memory ? {memory: String(args.memory)} : {}),
      }),
    )
    const ready = result.status === 'ready'
    return {
      status: ready ? 'ok' : 'dry-run',
      data: result,
      focus: ready ? result.instance : undefined,
      content: {
        summary: ready
          ? `${result.instance} is ready at ${result.domainUrl ?? result.localUrl}`
          : `dry run: ${result.plan.summary}`,
        status: result.status,
        instance: result.instance,
        port: result.port,
        localUrl: result.localUrl,
        ...(result.domainUrl ? {domainUrl: result.domainUrl} : {}),
        ...(result.warnings.length > 0 ? {warnings: result.warnings} : {}),
      },
    }
  },
}

const plugLs: ToolBehaviour = {
  summary: (args) => `List running instances${args.tenant ? ` of tenant ${String(args.tenant)}` : ''}`,
  async run(args, runtime) {
    const session = await runtime.session()
    const instances = await runtime.services.listInstances(session, {
      ...(args.tenant ? {tenant: String(args.tenant)} : {}),
      probe: true,
    })
    const host = session.host.name
    return {
      status: 'ok',
      data: {host, instances},
      content: {
        summary: listAnswer(instances, host, args.tenant ? String(args.tenant) : undefined),
        host,
        instances: instances.map((view) => ({
          instance: view.ref,
          plug: view.plug,
          status: view.status,
          health: view.health,
          ...((view.domainUrl ?? view.localUrl) ? {url: view.domainUrl ?? view.localUrl} : {}),
        })),
      },
    }
  },
}

/** A tool whose command acts on one INSTANCE: the summary reads it as the target. */
function onInstance(summary: (target: string, args: ToolArgs) => string, run: ToolBehaviour['run']): ToolBehaviour {
  return {summary: (args) => summary(String(args.instance), args), run}
}

const ref = (args: ToolArgs, runtime: ToolRuntime) => refOf(String(args.instance), runtime.defaultTenant)

const plugStatus = onInstance(
  (target) => `Show the status of ${target}`,
  async (args, runtime) => {
    const session = await runtime.session()
    const target = ref(args, runtime)
    const status = await runtime.services.instanceStatus(session, target)
    const secrets = await knownSecrets(runtime, session, target)
    const view = status.instance
    return {
      status: 'ok',
      data: status,
      focus: view.ref,
      content: {
        summary:
          `${view.ref} (${view.plug}) is ${view.status}, ` +
          `${view.health}${view.healthDetail ? ` (${view.healthDetail})` : ''}`,
        instance: view.ref,
        plug: view.plug,
        status: view.status,
        health: view.health,
        ...(view.domainUrl ? {url: view.domainUrl} : {}),
        ...(view.localUrl ? {localUrl: view.localUrl} : {}),
        // Inspect output (env, state details) is container data: fenced like logs.
        services: fencedJson(`inspect of ${view.ref}`, status.services, secrets),
      },
    }
  },
)

const plugLogs = onInstance(
  (target, args) =>
    `Show ${args.tail ? `the last ${String(args.tail)} log lines` : 'the logs'} of ` +
    `${target}${args.service ? ` (service ${String(args.service)})` : ''}`,
  async (args, runtime) => {
    const session = await runtime.session()
    const target = ref(args, runtime)
    const lines = await runtime.services.instanceLogs(session, target, {
      tail: Number(args.tail ?? 50),
      ...(args.service ? {service: String(args.service)} : {}),
    })
    const secrets = await knownSecrets(runtime, session, target)
    const shown = redactedLines(lines, secrets)
    const text = lines
      .map((line) => `${line.service}${line.replica > 1 ? `#${line.replica}` : ''} | ${line.text}`)
      .join('\n')
    const instance = formatInstanceRef(target)
    return {
      status: 'ok',
      data: {instance, lines: shown},
      focus: instance,
      content: {
        summary: logsAnswer(lines, instance, secrets),
        instance,
        lines: lines.length,
        logs: fenceUntrusted(`logs of ${instance}`, text, {secrets, keep: 'tail'}),
      },
    }
  },
)

function stateTool(action: 'start' | 'stop' | 'restart'): ToolBehaviour {
  const label = {start: 'Start', stop: 'Stop', restart: 'Restart'}[action]
  const done = {start: 'started', stop: 'stopped', restart: 'restarted'}[action]
  return onInstance(
    (target) => `${label} ${target}`,
    async (args, runtime, call) => {
      const deps = await runtime.lifecycleDeps(call)
      const result = await runtime.services.changeState(deps, ref(args, runtime), action)
      const applied = result.status === 'applied'
      const unchanged = result.status === 'unchanged'
      return {
        status: applied || unchanged ? 'ok' : 'dry-run',
        data: result,
        focus: result.instance,
        content: {
          summary: applied
            ? `${done} ${result.instance}${result.health ? ` (${result.health.detail})` : ''}`
            : unchanged
              ? `${result.instance} is already ${result.already}: nothing changed`
              : `dry run: ${result.plan.summary}`,
          status: result.status,
          instance: result.instance,
          ...(result.health ? {health: result.health} : {}),
        },
      }
    },
  )
}

const plugScale = onInstance(
  (target, args) => {
    const replicas = args.replicas ? `${String(args.replicas)} replica${args.replicas === 1 ? '' : 's'}` : ''
    const limits = [args.cpus ? `${String(args.cpus)} CPU` : '', args.memory ? `${String(args.memory)} memory` : '']
    return `Scale ${target} to ${[replicas, ...limits].filter(Boolean).join(', ')}`
  },
  async (args, runtime, call) => {
    const deps = await runtime.lifecycleDeps(call)
    const request = validateScaleOptions({
      ...(args.replicas !== undefined ? {replicas: Number(args.replicas)} : {}),
      ...(args.cpus ? {cpus: String(args.cpus)} : {}),
      ...(args.memory ? {memory: String(args.memory)} : {}),
    })
    const result = await runtime.services.plugScale(deps, ref(args, runtime), request)
    const done = result.status === 'applied'
    return {
      status: done ? 'ok' : 'dry-run',
      data: result,
      focus: result.instance,
      content: {
        summary: done
          ? `${result.instance} runs ${plural(result.replicas, 'replica')}`
          : `dry run: ${result.plan.summary}`,
        status: result.status,
        instance: result.instance,
        replicas: result.replicas,
      },
    }
  },
)

const plugDown = onInstance(
  (target, args) => `Decommission ${target} (${args.keep_data ? 'keeps its data volumes' : 'deletes its data'})`,
  async (args, runtime, call) => {
    const deps = await runtime.lifecycleDeps(call)
    const result = await runtime.services.plugDown(deps, ref(args, runtime), {keepData: Boolean(args.keep_data)})
    const done = result.status === 'applied'
    const {containers, volumes} = result.removed
    return {
      status: done ? 'ok' : 'dry-run',
      data: result,
      focus: done ? null : result.instance,
      content: {
        summary: done
          ? `${result.instance} is gone: ${plural(containers.length, 'container')}, ` +
            `${plural(volumes.length, 'volume')} removed`
          : `dry run: ${result.plan.summary}`,
        status: result.status,
        instance: result.instance,
      },
    }
  },
)

/** Export writes files here; its service is gated here, then called with an approver that does not ask twice. */
const exportTool: ToolBehaviour = {
  summary: (args) =>
    `Export ${String(args.target)} as a self-host bundle${args.out ? ` into ${String(args.out)}` : ''}`,
  async run(args, runtime, call) {
    const {exportBundle} = runtime.extras
    const plan: Plan = {
      action: 'export',
      summary: `Export ${String(args.target)} as a self-host bundle`,
      host: 'this machine',
      target: String(args.target),
      destructive: false,
      facts: [
        {label: 'target', value: String(args.target)},
        {label: 'out', value: args.out ? String(args.out) : '(the default directory)'},
        {label: 'secrets', value: 'never written: placeholders that setup.sh fills'},
      ],
      changes: [],
      gates: [],
    }
    const decision = await passGate(plan, call.approver)
    if (decision === 'dry-run')
      return {status: 'dry-run', content: {summary: `dry run: ${plan.summary}`, status: 'dry-run'}}
    const approved: Approver = {show: () => undefined, decide: async () => 'apply'}
    const deps = await runtime.lifecycleDeps({...call, approver: approved})
    const result = await exportBundle({target: String(args.target), ...(args.out ? {out: String(args.out)} : {})}, deps)
    return {
      status: 'ok',
      data: result,
      content: {
        summary: `exported ${String(args.target)}`,
        result: fencedJson(`export of ${String(args.target)}`, result, runtime.secrets),
      },
    }
  },
}

/** A stats or health result in words (the services' own result shapes). */
function answerOf(name: 'stats' | 'health', result: unknown, fallback: string): string {
  const instances = (result as {instances?: unknown} | undefined)?.instances
  if (name === 'stats') return Array.isArray(instances) ? statsAnswer(instances as InstanceStats[]) : fallback
  return Array.isArray(result) && result.every((report) => typeof report?.health === 'string')
    ? healthAnswer(result as InstanceHealthReport[])
    : fallback
}

function optionalInstanceTool(name: 'stats' | 'health', summary: (target?: string) => string): ToolBehaviour {
  return {
    summary: (args) => summary(args.instance === undefined ? undefined : String(args.instance)),
    async run(args, runtime) {
      const service = runtime.extras[name]
      const session = await runtime.session()
      const target = args.instance === undefined ? undefined : refOf(String(args.instance), runtime.defaultTenant)
      const result = await service({...(target ? {ref: target} : {})}, session)
      const label = `${name}${target ? ` of ${formatInstanceRef(target)}` : ''}`
      return {
        status: 'ok',
        data: result,
        ...(target ? {focus: formatInstanceRef(target)} : {}),
        content: {
          summary: answerOf(name, result, summary(target ? formatInstanceRef(target) : undefined)),
          result: fencedJson(label, result, runtime.secrets),
        },
      }
    },
  }
}

const stats = optionalInstanceTool(
  'stats',
  (target) => `Show resource usage ${target ? `of ${target}` : 'of all instances'}`,
)
const health = optionalInstanceTool('health', (target) => `Check the health of ${target ?? 'all instances'}`)

const EVENTS_WINDOW_MS = 60 * 60 * 1000

const events: ToolBehaviour = {
  summary: () => 'Show recent engine events',
  async run(_args, runtime) {
    const service = runtime.extras.events
    const session = await runtime.session()
    const until = runtime.clock.now()
    const result = await service({since: new Date(until.getTime() - EVENTS_WINDOW_MS), until}, session)
    return {
      status: 'ok',
      data: result,
      content: {
        summary:
          Array.isArray(result) && result.every((event) => event?.time instanceof Date)
            ? eventsAnswer(result)
            : `${Array.isArray(result) ? result.length : 'recent'} events in the last hour`,
        events: fencedJson('engine events', result, runtime.secrets),
      },
    }
  },
}

const doctor: ToolBehaviour = {
  summary: () => 'Check the current host: connection, Docker engine and proxy',
  async run(_args, runtime) {
    const session = await runtime.session()
    const {report} = await runtime.services.runDoctor({session, now: () => runtime.clock.now().getTime()})
    const failed = report.checks.filter((check) => check.status === 'fail')
    return {
      status: 'ok',
      data: report,
      content: {
        summary: report.ok
          ? `${report.host} is ready for aims`
          : `${report.host}: ${failed.map((check) => check.title).join(', ')} failed`,
        ok: report.ok,
        checks: report.checks.map((check) => ({
          check: check.title,
          status: check.status,
          detail: check.detail,
          ...(check.fix ? {fix: check.fix} : {}),
        })),
      },
    }
  },
}

/** What each tool does, by the command it is the tool of. A command that declares `agent` needs an entry. */
const BEHAVIOURS: {[Path in CommandPath]?: ToolBehaviour} = {
  'catalog ls': catalogLs,
  'catalog search': catalogSearch,
  'catalog show': catalogShow,
  'plug up': plugUp,
  'plug ls': plugLs,
  'plug status': plugStatus,
  'plug logs': plugLogs,
  'plug start': stateTool('start'),
  'plug stop': stateTool('stop'),
  'plug restart': stateTool('restart'),
  'plug scale': plugScale,
  'plug down': plugDown,
  export: exportTool,
  stats,
  health,
  events,
  doctor,
}

/** The tool of a declared command: derived shape plus behaviour; its target defaults to its INSTANCE argument. */
function agentTool(command: CommandSpec & {path: CommandPath}): AgentTool {
  const behaviour = BEHAVIOURS[command.path]
  if (!behaviour) throw new Error(`internal: ${command.path} declares a tool for ACHEEVY but tools.ts has none`)
  const instance = Object.entries(command.args ?? {}).flatMap(([name, arg]) =>
    arg.agent?.kind === 'instance' ? [paramName(name, arg.agent)] : [],
  )[0]
  const target = (args: ToolArgs, defaultTenant: string) =>
    instance === undefined || args[instance] === undefined ? undefined : refOf(String(args[instance]), defaultTenant)
  return {...deriveTool(command), target, ...behaviour}
}

export const AGENT_TOOLS: readonly AgentTool[] = COMMANDS.filter((command) => 'agent' in command).map(agentTool)

export class ToolRegistry {
  private readonly byName: Map<string, AgentTool>
  private readonly byPath: Map<CommandPath, AgentTool>

  constructor(readonly tools: readonly AgentTool[] = AGENT_TOOLS) {
    this.byName = new Map(tools.map((tool) => [tool.spec.name, tool]))
    this.byPath = new Map(tools.map((tool) => [tool.cli.path, tool]))
    for (const tool of tools) {
      // A tool's effect is its command's: a tool built by hand that says otherwise is refused.
      const effects = COMMAND_EFFECTS[tool.cli.path]
      const expected: ToolEffect = effects.destructive ? 'destroy' : effects.mutates ? 'change' : 'read'
      if (expected !== tool.spec.effect)
        throw new AimsError(
          'internal',
          `tool ${tool.spec.name} declares ${tool.spec.effect} but ${tool.cli.path} is a ${expected}`,
        )
    }
  }

  get specs(): ToolSpec[] {
    return this.tools.map((tool) => tool.spec)
  }

  get(name: string): AgentTool | undefined {
    return this.byName.get(name)
  }

  forCommand(path: CommandPath): AgentTool | undefined {
    return this.byPath.get(path)
  }
}
