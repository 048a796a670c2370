/**
 * Everything the lifecycle services need, as fakes: an approver, the audit
 * log, the proxy, plugs from the fixture and real catalogs, and a "world"
 * (engine + host + clock) wired into PlugUpDeps.
 */
import {readFileSync} from 'node:fs'
import {AimsError} from '../../src/core/errors.js'
import type {Plug} from '../../src/core/catalog/schema.js'
import {parsePlug} from '../../src/core/catalog/validate.js'
import type {HostEntry} from '../../src/core/host-target.js'
import {DEFAULT_PRICES} from '../../src/core/catalog/cost.js'
import type {Plan} from '../../src/core/plan/plan.js'
import type {AuditLog, AuditRecord} from '../../src/services/audit.js'
import type {CatalogSource} from '../../src/services/catalog-port.js'
import type {Approver, GateDecision} from '../../src/services/gate.js'
import type {ProgressEvent} from '../../src/services/progress.js'
import type {ProxyManager, ProxyTarget} from '../../src/services/proxy-manager.js'
import {validatePlugUpOptions, type PlugUpOptions} from '../../src/core/plan/requests.js'
import {plugUp, type PlugUpDeps, type PlugUpResult} from '../../src/services/plug-up.js'
import {MemoryCatalog} from './catalog-fakes.js'
import {FakeClock} from './fake-clock.js'
import {FakeEngine} from './fake-engine.js'
import {FakeSession, FakeShell, GiB, meminfo, procNetTcp, testHost} from './fake-session.js'

const FIXTURES = new URL('../fixtures/plugs/', import.meta.url)
const CATALOG = new URL('../../plugs-catalog/', import.meta.url)

export function fixturePlug(id: string): Plug {
  return parsePlug(readFileSync(new URL(`${id}.yaml`, FIXTURES), 'utf8'), `test/fixtures/plugs/${id}.yaml`, id)
}

export function catalogPlug(id: string): Plug {
  return parsePlug(readFileSync(new URL(`${id}.yaml`, CATALOG), 'utf8'), `plugs-catalog/${id}.yaml`, id)
}

/** Approves (or not) as told; records what it was shown. `decide` is a failure unless a decision was given. */
export class FakeApprover implements Approver {
  readonly shown: Plan[] = []
  readonly decided: Plan[] = []
  readonly events: string[] = []

  constructor(private readonly decision: GateDecision | AimsError | 'unexpected' = 'apply') {}

  show(plan: Plan): void {
    this.events.push('show')
    this.shown.push(plan)
  }

  async decide(plan: Plan): Promise<GateDecision> {
    this.events.push('decide')
    this.decided.push(plan)
    if (this.decision === 'unexpected') throw new Error('FakeApprover: decide was not expected')
    if (this.decision instanceof AimsError) throw this.decision
    return this.decision
  }
}

export class MemoryAudit implements AuditLog {
  readonly records: AuditRecord[] = []
  async append(record: AuditRecord): Promise<void> {
    this.records.push(record)
  }
  async list(): Promise<AuditRecord[]> {
    return [...this.records]
  }
}

export class FakeProxy implements ProxyManager {
  readonly applied: Array<{target: ProxyTarget; ports: number[]}> = []
  readonly removed: string[] = []
  failApply?: Error
  /** What remove() answers (whether a conf existed). */
  removeResult = true

  async apply(target: ProxyTarget, hostPorts: number[]): Promise<void> {
    if (this.failApply) throw this.failApply
    this.applied.push({target, ports: [...hostPorts]})
  }

  async remove(tenant: string, instance: string): Promise<boolean> {
    this.removed.push(`${tenant}/${instance}`)
    return this.removeResult
  }
}

/** Secrets the generator hands out, in order: recognisable in logs and plans. */
export function secretGenerator(): PlugUpDeps['generateSecret'] & {handedOut: string[]} {
  const handedOut: string[] = []
  const generate = (spec: {length: number; charset: string}) => {
    const value = `gen${handedOut.length + 1}${'S'.repeat(Math.max(0, spec.length - 4))}`.slice(0, spec.length)
    handedOut.push(value)
    return value
  }
  return Object.assign(generate, {handedOut})
}

export interface World {
  session: FakeSession
  engine: FakeEngine
  shell: FakeShell
  clock: FakeClock
  approver: FakeApprover
  audit: MemoryAudit
  proxy: FakeProxy
  progress: ProgressEvent[]
  secrets: ReturnType<typeof secretGenerator>
  deps: PlugUpDeps
  log: string[]
}

export const FIXTURE_IMAGES = ['aims-fixture/web:1', 'aims-fixture/sick:1', 'aims-fixture/crash:1']

/**
 * A host with an engine (fixture images present), 8 GiB of memory, 100 GiB
 * of free disk, nothing listening, and deps whose approver says `decision`.
 */
export function makeWorld(
  options: {
    host?: Partial<HostEntry>
    decision?: GateDecision | AimsError | 'unexpected'
    plugs?: Plug[]
    preferences?: Record<string, unknown>
    origin?: PlugUpDeps['origin']
    ask?: PlugUpDeps['ask']
    proxy?: boolean
  } = {},
): World {
  const log: string[] = []
  const engine = new FakeEngine(log)
  const shell = new FakeShell(log)
  const session = new FakeSession(testHost(options.host), {engine, shell, log})
  for (const image of FIXTURE_IMAGES) engine.images.add(image)
  shell.files.set('/proc/meminfo', meminfo(8 * GiB, 6 * GiB))
  shell.files.set('/proc/net/tcp', procNetTcp([22]))
  shell.files.set('/proc/net/tcp6', procNetTcp([]))
  const clock = new FakeClock()
  const approver = new FakeApprover(options.decision ?? 'apply')
  const audit = new MemoryAudit()
  const proxy = new FakeProxy()
  const progress: ProgressEvent[] = []
  const secrets = secretGenerator()
  let ids = 0
  const plugs =
    options.plugs ?? ['fixture-web', 'fixture-stack', 'fixture-sick', 'fixture-crash', 'fixture-ask'].map(fixturePlug)
  const catalog: CatalogSource = MemoryCatalog.of(...plugs)
  const deps: PlugUpDeps = {
    session,
    catalog,
    preferences: options.preferences ?? {},
    prices: DEFAULT_PRICES,
    clock,
    newId: () => `id${String(++ids).padStart(3, '0')}`,
    generateSecret: secrets,
    actor: 'me@laptop',
    audit,
    approver,
    progress: (event) => progress.push(event),
    origin: options.origin ?? {kind: 'cli', argv: ['plug', 'up']},
    ...(options.ask ? {ask: options.ask} : {}),
    ...(options.proxy === false ? {} : {proxy}),
    networkPool: {pool: '10.210.0.0/16', tenantPrefix: 24, instancePrefix: 27},
  }
  return {session, engine, shell, clock, approver, audit, proxy, progress, secrets, deps, log}
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<AimsError> {
  try {
    await promise
  } catch (error) {
    if (!(error instanceof AimsError)) throw error
    return error
  }
  throw new Error('expected an AimsError, the call succeeded')
}

/** plug up as the CLI runs it: the options checked into a request (a bad one rejects), then the service. */
export async function deploy(deps: PlugUpDeps, options: PlugUpOptions): Promise<PlugUpResult> {
  return plugUp(deps, validatePlugUpOptions(options))
}
