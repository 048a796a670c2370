/**
 * A cluster as a HostSession: the entry node (a manager) holds the shell, locks, state dir and
 * the nginx that fronts the cluster; its engine is the Swarm (SwarmEngine). Every other node is
 * reached over its own aims host session, opened only when something lives on that node.
 */
import type {Duplex} from 'node:stream'
import type {ClusterMember, HostEntry, ResolvedHost} from '../core/host-target.js'
import {AimsError} from '../core/errors.js'
import type {
  Engine,
  HostLock,
  HostSession,
  LockOptions,
  HostShell,
  SwarmApi,
  TransportMetrics,
} from '../services/ports.js'
import {SwarmEngine} from './swarm-engine.js'

/** IPsec ESP with AES-GCM, what Swarm's encrypted overlays need from the kernel. */
const ESP_GCM = 'rfc4106(gcm(aes))'

export class ClusterSession implements HostSession {
  readonly host: ResolvedHost
  private engineInstance?: Promise<Engine>
  private readonly opened = new Set<HostSession>()

  constructor(
    private readonly entry: HostEntry,
    private readonly entryNode: HostSession,
    private readonly sessionOf: (member: ClusterMember) => Promise<HostSession>,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {
    this.opened.add(entryNode)
    this.host = {
      ...entryNode.host,
      name: entry.name,
      ...(entry.domain ? {domain: entry.domain} : {}),
    }
  }

  private get members(): ClusterMember[] {
    return this.entry.cluster?.members ?? []
  }

  private async member(member: ClusterMember): Promise<HostSession> {
    const session = await this.sessionOf(member)
    this.opened.add(session)
    return session
  }

  engine(): Promise<Engine> {
    this.engineInstance ??= (async () => {
      const manager = await this.entryNode.engine()
      if (!manager.swarm)
        throw new AimsError('engine', `the engine of ${this.entryNode.host.name} has no Swarm API`, {
          hint: 'clusters need Docker 20.10 or newer',
        })
      const swarm: SwarmApi = manager.swarm()
      return new SwarmEngine({
        manager,
        swarm,
        sleep: this.sleep,
        encryptOverlays: () => this.encryptionSupported(),
        nodes: {
          engineOf: async (nodeId) => {
            const member = this.members.find((item) => item.nodeId === nodeId)
            return member ? (await this.member(member)).engine() : undefined
          },
          allEngines: async () => {
            const engines = await Promise.allSettled(
              this.members.map(async (member) => (await this.member(member)).engine()),
            )
            return engines.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []))
          },
        },
      })
    })()
    return this.engineInstance
  }

  /** Every node's kernel offers ESP with AES-GCM (otherwise an encrypted overlay silently drops traffic). */
  async encryptionSupported(): Promise<boolean> {
    const answers = await Promise.allSettled(
      this.members.map(async (member) => (await (await this.member(member)).shell()).readFile('/proc/crypto')),
    )
    return answers.every(
      (answer) => answer.status === 'fulfilled' && Boolean(answer.value?.toString('utf8').includes(ESP_GCM)),
    )
  }

  shell(): Promise<HostShell> {
    return this.entryNode.shell()
  }

  connectTcp(host: string, port: number): Promise<Duplex> {
    return this.entryNode.connectTcp(host, port)
  }

  lock(name: string, options: LockOptions): Promise<HostLock> {
    return this.entryNode.lock(name, options)
  }

  metrics(): TransportMetrics {
    const all = [...this.opened].map((session) => session.metrics())
    const entry = this.entryNode.metrics()
    return {
      ...entry,
      sshLogins: all.reduce((sum, item) => sum + item.sshLogins, 0),
      apiCalls: all.reduce((sum, item) => sum + item.apiCalls, 0),
    }
  }

  warmup(): void {
    this.entryNode.warmup?.()
  }

  /** Node sessions belong to the process's context, which closes them. */
  async close(): Promise<void> {}
}
