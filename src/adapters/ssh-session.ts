/**
 * One SSH connection per aims process and host, reused for everything:
 * Docker API calls (streamlocal forwarding to the engine's Unix socket behind
 * an http.Agent for dockerode), remote commands (argv quoted), files (SFTP),
 * TCP to the host's loopback (health checks) and host locks (flock).
 *
 * Host keys are checked like `ssh` with StrictHostKeyChecking=yes: unknown →
 * error pointing at `aims host trust`, changed → hard error with both
 * fingerprints.
 */
import {oneLine} from '../core/text/sanitize.js'
import {randomBytes} from 'node:crypto'
import {readFileSync} from 'node:fs'
import http from 'node:http'
import {inspect} from 'node:util'
import type {Duplex} from 'node:stream'
import {createRequire} from 'node:module'
import type DockerodeType from 'dockerode'
import ssh2 from 'ssh2'
import type {AnyAuthMethod, AuthenticationType, ClientChannel, ParsedKey, SFTPWrapper} from 'ssh2'
import {AimsError} from '../core/errors.js'
import {diskSpaceFromStatvfs} from './disk-space.js'
import type {ResolvedHost} from '../core/host-target.js'
import {
  fingerprint,
  keyTypeLabel,
  keyTypeOf,
  knownHostName,
  knownKeyTypes,
  verifyHostKey,
  type HostKey,
  type HostKeyVerdict,
} from '../core/known-hosts.js'
import {quoteCommand} from '../core/shell-quote.js'
import type {
  Engine,
  ExecResult,
  HostKeyScanner,
  HostLock,
  HostSession,
  HostShell,
  KnownHostsStore,
  LockOptions,
  Prompter,
  TransportMetrics,
} from '../services/ports.js'
import {DockerEngine} from './docker-engine.js'

/**
 * require(), not import: CommonJS loaded from ESM through import() is scanned for named exports first (~40 ms on this
 * bundle).
 */
const loadDockerode = () => createRequire(import.meta.url)('dockerode') as typeof DockerodeType
import {RemoteLockManager} from './remote-locks.js'

const {Client, utils} = ssh2
type Client = InstanceType<typeof Client>

export interface SshSessionOptions {
  knownHosts: KnownHostsStore
  prompter: Prompter
  connectTimeoutMs: number
  callTimeoutMs: number
  /** SSH keepalive interval (a stalled link is found after about three); default 5 s. */
  keepaliveIntervalMs?: number
  /** SSH_AUTH_SOCK */
  agentSocket?: string
}

/** Algorithm names that can carry a host key of a recorded type (so we ask for known keys first). */
function hostKeyAlgorithmsFor(types: string[]): string[] {
  return types.flatMap((type) => (type === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [type]))
}

function describeEndpoint(host: ResolvedHost): string {
  const ssh = host.ssh
  if (!ssh) return host.name
  return `${ssh.user}@${ssh.host}${ssh.port === 22 ? '' : `:${ssh.port}`}`
}

export function knownHostNames(host: ResolvedHost): string[] {
  const ssh = host.ssh
  if (!ssh) return []
  const names = [knownHostName(ssh.host, ssh.port)]
  if (ssh.alias && ssh.alias !== ssh.host) names.push(knownHostName(ssh.alias, ssh.port))
  return names
}

/** Node's http machinery calls these on sockets; SSH channels don't have them. */
function asSocket(channel: ClientChannel): Duplex {
  const socket = channel as unknown as Record<string, unknown>
  for (const method of ['setTimeout', 'setNoDelay', 'setKeepAlive', 'ref', 'unref']) {
    if (typeof socket[method] !== 'function') socket[method] = () => channel
  }
  return channel
}

function connectionError(
  error: NodeJS.ErrnoException & {level?: string},
  host: ResolvedHost,
  timeoutMs: number,
): AimsError {
  const where = describeEndpoint(host)
  const ssh = host.ssh
  const address = ssh ? `${ssh.host}:${ssh.port}` : host.name
  switch (error.code) {
    case 'ECONNREFUSED':
      return new AimsError('connection', `SSH connection to ${address} refused (host ${host.name})`, {
        hint: 'check that sshd runs on the host and the port is right (aims host ls)',
      })
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new AimsError('connection', `cannot resolve ${ssh?.host ?? host.name} (host ${host.name})`, {
        hint: 'check the host name or use its IP address',
      })
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new AimsError('connection', `${address} is unreachable from here (host ${host.name})`, {
        hint: 'check your network, VPN or the host firewall',
      })
    case 'ECONNRESET':
      return new AimsError('connection', `the SSH connection to ${address} was reset (host ${host.name})`, {
        hint: 'sshd may limit connections (MaxStartups) or a firewall drops them; retry',
      })
    default:
      break
  }
  if (error.level === 'client-timeout' || error.code === 'ETIMEDOUT' || /timed out/i.test(error.message)) {
    return new AimsError(
      'connection',
      `SSH connection to ${address} timed out after ${Math.round(timeoutMs / 1000)} s (host ${host.name})`,
      {hint: 'check that the host is up and that a firewall lets SSH through'},
    )
  }
  if (error.level === 'client-authentication') {
    return new AimsError('auth', `SSH authentication as ${where} failed`, {
      hint:
        `add your public key to ~${ssh?.user}/.ssh/authorized_keys on the host, load it with ssh-add, or pass ` +
        `--identity to aims host add`,
    })
  }
  return new AimsError(
    'connection',
    `SSH connection to ${address} failed: ${oneLine(error.message)} (host ${host.name})`,
    {hint: 'run aims doctor for a diagnosis'},
  )
}

export function hostKeyError(verdict: HostKeyVerdict, offered: HostKey, host: ResolvedHost): AimsError {
  const label = keyTypeLabel(offered.type)
  const offeredPrint = fingerprint(offered.blob)
  if (verdict.status === 'changed') {
    const known = verdict.known
      .map((entry) => `${keyTypeLabel(entry.key.type)} ${fingerprint(entry.key.blob)} (${entry.file}:${entry.line})`)
      .join(', ')
    return new AimsError(
      'host-key',
      `HOST KEY CHANGED for ${host.name}: it now offers ${label} ${offeredPrint}, but ${known} was recorded`,
      {
        hint:
          `someone may be intercepting the connection; if the host was rebuilt, verify the new key out of band ` +
          `and run aims host trust ${host.name} --replace-key SHA256:… (its fingerprint)`,
        details: {offered: offeredPrint, recorded: verdict.known.map((entry) => fingerprint(entry.key.blob))},
      },
    )
  }
  if (verdict.status === 'revoked') {
    return new AimsError(
      'host-key',
      `the host key of ${host.name} (${label} ${offeredPrint}) is marked @revoked in ${verdict.entry.file}`,
      {hint: 'do not connect; rotate the host key'},
    )
  }
  return new AimsError('host-key', `the host key of ${host.name} is not known (${label} ${offeredPrint})`, {
    hint: `check the fingerprint, then run aims host trust ${host.name}`,
    details: {offered: offeredPrint},
  })
}

interface KeyCandidate {
  file: string
  explicit: boolean
}

export class SshHostSession implements HostSession {
  private client: Promise<Client> | undefined
  private sftpSession: Promise<{client: Client; sftp: SFTPWrapper}> | undefined
  private engineInstance: Engine | undefined
  private readonly counters: TransportMetrics = {sshLogins: 0, apiCalls: 0}
  private closed = false
  private lastClient: Client | undefined
  /**
   * Per connection: whether it was lost, and the operations waiting on it. A
   * callback ssh2 never calls (an SFTP request on a dead channel) would leave
   * a promise pending forever and Node would exit 13 mid-deploy: instead every
   * waiting operation is rejected with one clear error when its connection goes.
   */
  private readonly links = new WeakMap<Client, {lost?: AimsError; waiting: Set<(error: AimsError) => void>}>()

  constructor(
    readonly host: ResolvedHost,
    private readonly options: SshSessionOptions,
  ) {
    if (!host.ssh) throw new AimsError('internal', `host ${host.name} has no SSH target`)
  }

  metrics(): TransportMetrics {
    return {...this.counters}
  }

  /** The one connection, opened on first use and again only if it dropped. */
  connection(): Promise<Client> {
    if (this.closed) return Promise.reject(new AimsError('internal', `the session to ${this.host.name} is closed`))
    this.client ??= this.open().catch((error: unknown) => {
      this.client = undefined
      throw error
    })
    return this.client
  }

  private async open(): Promise<Client> {
    const ssh = this.host.ssh!
    const started = Date.now()
    const entries = await this.options.knownHosts.entries()
    const names = knownHostNames(this.host)
    const knownTypes = knownKeyTypes(entries, names)
    let rejected: {verdict: HostKeyVerdict; key: HostKey} | undefined
    const authFailures: string[] = []
    const methods = await this.authMethods(ssh.user, authFailures)

    const client = new Client()
    return new Promise<Client>((resolve, reject) => {
      let settled = false
      const fail = (error: AimsError) => {
        if (settled) return
        settled = true
        client.end()
        reject(error)
      }
      client.on('ready', () => {
        settled = true
        this.lastClient = client
        // Small request/response exchanges: without this, Nagle + delayed ACK add ~40 ms per API call.
        client.setNoDelay(true)
        this.counters.sshLogins++
        this.counters.connectMs = Date.now() - started
        // ssh2 keeps its TCP socket private; the port lets tests match sshd's log line for this login.
        const localPort = (client as unknown as {_sock?: {localPort?: number}})._sock?.localPort
        if (localPort) this.counters.localPort = localPort
        resolve(client)
      })
      this.links.set(client, {waiting: new Set()})
      let cause: string | undefined
      client.on('error', (error: NodeJS.ErrnoException & {level?: string}) => {
        if (settled)
          cause = error.level === 'client-timeout' ? 'no answer to keepalives' : (error.code ?? error.message)
        if (rejected) return fail(hostKeyError(rejected.verdict, rejected.key, this.host))
        const mapped = connectionError(error, this.host, this.options.connectTimeoutMs)
        if (mapped.kind === 'auth' && authFailures.length > 0) {
          return fail(new AimsError('auth', `${mapped.message} (${authFailures.join('; ')})`, {hint: mapped.hint}))
        }
        fail(mapped)
      })
      client.on('close', () => {
        if (!settled)
          fail(
            new AimsError('connection', `the SSH connection to ${this.host.name} closed during the handshake`, {
              hint: 'check sshd logs on the host (MaxStartups, AllowUsers, DenyUsers)',
            }),
          )
        this.connectionLost(client, cause)
        // A dropped connection is reopened by the next call.
        void this.client?.then(
          (current) => {
            if (current === client) {
              this.client = undefined
              this.sftpSession = undefined
            }
          },
          () => undefined,
        )
      })
      let next = 0
      client.connect({
        host: ssh.host,
        port: ssh.port,
        username: ssh.user,
        readyTimeout: this.options.connectTimeoutMs,
        // A link that stalls is found within about three intervals (then every waiting call fails at once).
        keepaliveInterval: this.options.keepaliveIntervalMs ?? 5000,
        keepaliveCountMax: 2,
        ...(knownTypes.length > 0
          ? {algorithms: {serverHostKey: {prepend: hostKeyAlgorithmsFor(knownTypes)} as never}}
          : {}),
        hostVerifier: (blob: Buffer) => {
          const key = {type: keyTypeOf(blob), blob}
          const verdict = verifyHostKey(entries, names, key)
          if (verdict.status === 'trusted') {
            this.counters.hostKey = {
              type: keyTypeLabel(key.type),
              fingerprint: fingerprint(blob),
              source: `${verdict.entry.file}:${verdict.entry.line}`,
            }
            return true
          }
          rejected = {verdict, key}
          return false
        },
        authHandler: (
          _left: AuthenticationType[],
          _partial: boolean,
          callback: (method: AnyAuthMethod | false) => void,
        ) => {
          const method = methods[next++]
          callback(method ?? false)
        },
      } as never)
    })
  }

  /** The connection is gone: every operation waiting on it fails now, with one clear error. */
  private connectionLost(client: Client, cause: string | undefined): void {
    const link = this.links.get(client)
    if (!link || link.lost) return
    link.lost = new AimsError(
      'connection',
      `the SSH connection to ${this.host.name} was lost${cause ? ` (${oneLine(cause)})` : ''}`,
      {
        hint:
          'check the network and retry; what a deploy left half-done is removed by aims plug down (or the next ' +
          'plug up of it), and aims doctor lists it',
      },
    )
    for (const reject of link.waiting) reject(link.lost)
    link.waiting.clear()
  }

  /** A callback-style operation on `client` that a lost connection rejects instead of leaving pending. */
  private onLink<T>(
    client: Client,
    executor: (resolve: (value: T) => void, reject: (error: unknown) => void) => void,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const link = this.links.get(client)
      if (link?.lost) return reject(link.lost)
      const fail = (error: AimsError) => reject(error)
      link?.waiting.add(fail)
      const done = () => link?.waiting.delete(fail)
      try {
        executor(
          (value) => (done(), resolve(value)),
          (error) => (done(), reject(error)),
        )
      } catch (error) {
        done()
        // ssh2 throws "Not connected" synchronously on a closed socket.
        reject(link?.lost ?? error)
      }
    })
  }

  /** Agent first unless a key was given explicitly; then keys from --identity, ~/.ssh/config and the defaults. */
  private async authMethods(username: string, failures: string[]): Promise<AnyAuthMethod[]> {
    const ssh = this.host.ssh!
    const candidates: KeyCandidate[] = ssh.identityFiles.map((file) => ({
      file,
      explicit: file === ssh.explicitIdentity,
    }))
    const methods: AnyAuthMethod[] = []
    const agent = this.options.agentSocket
      ? [{type: 'agent', username, agent: this.options.agentSocket} as AnyAuthMethod]
      : []
    const explicit = candidates.filter((candidate) => candidate.explicit)
    const others = candidates.filter((candidate) => !candidate.explicit)
    for (const candidate of explicit) {
      const key = await this.loadKey(candidate, failures)
      if (key) methods.push({type: 'publickey', username, key})
    }
    methods.push(...agent)
    for (const candidate of others) {
      const key = await this.loadKey(candidate, failures)
      if (key) methods.push({type: 'publickey', username, key})
    }
    if (methods.length === 0) {
      const encrypted = failures.some((failure) => failure.includes('is encrypted'))
      throw new AimsError(
        'auth',
        `no SSH key to log in to ${this.host.name} with ` +
          `(${failures.join('; ') || 'no ssh-agent and no key in ~/.ssh'})`,
        {
          hint: encrypted
            ? 'load the key into ssh-agent with ssh-add (then SSH_AUTH_SOCK reaches aims), or run aims in a ' +
              'terminal to type the passphrase'
            : 'pass --identity FILE to aims host add, start ssh-agent and ssh-add a key, or name an ' +
              'IdentityFile in ~/.ssh/config',
        },
      )
    }
    return methods
  }

  private async loadKey(candidate: KeyCandidate, failures: string[]): Promise<ParsedKey | undefined> {
    let data: Buffer
    try {
      data = readFileSync(candidate.file)
    } catch (error) {
      if (candidate.explicit) {
        throw new AimsError(
          'usage',
          `cannot read the identity file ${candidate.file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
          {hint: 'check the path given to --identity and its permissions'},
        )
      }
      return undefined
    }
    let parsed = utils.parseKey(data)
    if (parsed instanceof Error && /encrypted|passphrase/i.test(parsed.message)) {
      if (!this.options.prompter.interactive) {
        failures.push(`${candidate.file} is encrypted and there is no terminal to ask for its passphrase`)
        return undefined
      }
      const passphrase = await this.options.prompter.input(`Passphrase for ${candidate.file}:`, {secret: true})
      parsed = utils.parseKey(data, passphrase)
      if (parsed instanceof Error) {
        throw new AimsError('auth', `wrong passphrase for ${candidate.file}`, {
          hint: 'try again, or load the key with ssh-add',
        })
      }
    }
    if (parsed instanceof Error) {
      failures.push(`${candidate.file} is not a private key aims can read (${oneLine(parsed.message)})`)
      if (candidate.explicit)
        throw new AimsError(
          'usage',
          `${candidate.file} is not a private key aims can read (${oneLine(parsed.message)})`,
          {hint: 'give the private key file (not the .pub) in OpenSSH or PEM format'},
        )
      return undefined
    }
    return Array.isArray(parsed) ? parsed[0] : parsed
  }

  async engine(): Promise<Engine> {
    if (this.engineInstance) return this.engineInstance
    const socketPath = this.host.dockerSocket
    const session = this
    class StreamLocalAgent extends http.Agent {
      // docker-modem util.inspect()s every request's options (agent included, showHidden, depth
      // null) for a debug line even when debugging is off; walking the pooled SSH channels and the
      // ssh2 client cost ~100 ms of CPU per API call. A one-word rendering makes that free.
      [inspect.custom](): string {
        return 'StreamLocalAgent'
      }

      override createConnection(
        _options: unknown,
        callback?: (error: Error | null, socket: Duplex) => void,
      ): Duplex | undefined {
        session
          .connection()
          .then((client) =>
            session.onLink<Duplex>(client, (resolve, reject) =>
              client.openssh_forwardOutStreamLocal(socketPath, (error, channel) => {
                if (error) reject(Object.assign(error, {aimsSocketForward: true}))
                else resolve(session.endsWithLink(client, asSocket(channel)))
              }),
            ),
          )
          .then(
            (socket) => callback?.(null, socket),
            (error: Error) => callback?.(error, undefined as never),
          )
        return undefined
      }
    }
    const agent = new StreamLocalAgent({keepAlive: true, maxSockets: 16})
    const docker = new (loadDockerode())({
      protocol: 'http',
      host: 'docker.sock',
      port: 2375,
      agent,
      version: 'v1.41',
    } as DockerodeType.DockerOptions)
    this.engineInstance = new DockerEngine(docker, {
      callTimeoutMs: this.options.callTimeoutMs,
      where: this.host.name,
      onCall: () => this.counters.apiCalls++,
      mapTransportError: (error) => this.mapTransportError(error),
    })
    return this.engineInstance
  }

  /** Names the cause when the engine can't be reached through the connection. */
  private async mapTransportError(error: unknown): Promise<AimsError> {
    if (error instanceof AimsError) return error
    // A request cut because the connection went: the one clear error, not the socket's.
    const lost = this.lastClient ? this.links.get(this.lastClient)?.lost : undefined
    if (lost) return lost
    const failure = error as Error & {reason?: number; aimsSocketForward?: boolean}
    const socket = this.host.dockerSocket
    if (failure.aimsSocketForward) {
      if (failure.reason === 1) {
        return new AimsError('connection', `sshd on ${this.host.name} forbids forwarding to the Docker socket`, {
          hint: 'set AllowStreamLocalForwarding yes in /etc/ssh/sshd_config on the host and reload sshd',
        })
      }
      const probe = await this.exec(
        [
          'sh',
          '-c',
          'if [ ! -e "$1" ]; then echo missing; elif [ ! -S "$1" ]; then echo not-socket; elif [ ! -r "$1" ] ' +
            '|| [ ! -w "$1" ]; then echo denied; else echo ok; fi',
          'aims-probe',
          socket,
        ],
        {timeoutMs: 5000},
      ).catch(() => undefined)
      const verdict = probe?.stdout.trim()
      if (verdict === 'missing')
        return new AimsError('engine', `the Docker socket ${socket} does not exist on ${this.host.name}`, {
          hint:
            'install and start Docker on the host (systemctl start docker), or set the socket path with aims ' +
            'host add --docker-socket',
        })
      if (verdict === 'not-socket')
        return new AimsError('engine', `${socket} on ${this.host.name} is not a Unix socket`, {
          hint: 'point aims at the Docker socket with --docker-socket',
        })
      if (verdict === 'denied')
        return new AimsError(
          'engine',
          `permission denied on the Docker socket ${socket} for ${this.host.ssh?.user} on ${this.host.name}`,
          {hint: `add the user to the docker group (usermod -aG docker ${this.host.ssh?.user}) and log in again`},
        )
      return new AimsError('engine', `the Docker engine on ${this.host.name} is not answering on ${socket}`, {
        hint: 'start it on the host (systemctl start docker) and check journalctl -u docker',
      })
    }
    // A request cut while the SSH connection itself is still up: the engine went away, not SSH.
    if ((error as NodeJS.ErrnoException)?.code === 'ECONNRESET' && (await this.connectionAlive())) {
      return new AimsError(
        'engine',
        `the Docker engine on ${this.host.name} closed the connection mid-request (${socket})`,
        {hint: 'it may be restarting: retry in a moment, or check journalctl -u docker on the host'},
      )
    }
    if (error instanceof Error && (error as NodeJS.ErrnoException).code)
      return connectionError(error as NodeJS.ErrnoException, this.host, this.options.connectTimeoutMs)
    return new AimsError(
      'engine',
      `Docker API call to ${this.host.name} failed: ${oneLine(String((error as Error)?.message ?? error))}`,
    )
  }

  async exec(argv: string[], options: {stdin?: string | Buffer; timeoutMs?: number} = {}): Promise<ExecResult> {
    const client = await this.connection()
    const command = quoteCommand(argv)
    return this.onLink<ExecResult>(client, (resolve, reject) => {
      client.exec(command, (error, stream) => {
        if (error)
          return reject(
            new AimsError('remote', `cannot run ${argv[0]} on ${this.host.name}: ${oneLine(error.message)}`),
          )
        const stdout: Buffer[] = []
        const stderr: Buffer[] = []
        let exitCode = -1
        const timer = options.timeoutMs
          ? setTimeout(() => {
              stream.close()
              reject(
                new AimsError(
                  'remote',
                  `${argv[0]} on ${this.host.name} did not finish within ${Math.round(options.timeoutMs! / 1000)} s`,
                ),
              )
            }, options.timeoutMs)
          : undefined
        stream.on('data', (chunk: Buffer) => stdout.push(chunk))
        stream.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
        stream.on('exit', (code: number | null) => {
          exitCode = code ?? -1
        })
        stream.on('close', () => {
          if (timer) clearTimeout(timer)
          resolve({
            exitCode,
            stdout: Buffer.concat(stdout).toString('utf8'),
            stderr: Buffer.concat(stderr).toString('utf8'),
          })
        })
        if (options.stdin !== undefined) stream.end(options.stdin)
        else stream.end()
      })
    })
  }

  /** A command whose stdout is piped into `stdout` as it comes (and stdin from a readable): backups, restores. */
  async execStream(
    argv: string[],
    options: {stdout?: NodeJS.WritableStream; stdin?: NodeJS.ReadableStream; timeoutMs?: number},
  ): Promise<{exitCode: number; stderr: string}> {
    const client = await this.connection()
    const command = quoteCommand(argv)
    return new Promise((resolve, reject) => {
      client.exec(command, (error, stream) => {
        if (error)
          return reject(
            new AimsError('remote', `cannot run ${argv[0]} on ${this.host.name}: ${oneLine(error.message)}`),
          )
        const stderr: Buffer[] = []
        let exitCode = -1
        const timer = options.timeoutMs
          ? setTimeout(() => {
              stream.close()
              reject(new AimsError('remote', `${argv[0]} on ${this.host.name} did not finish in time`))
            }, options.timeoutMs)
          : undefined
        if (options.stdout) stream.pipe(options.stdout, {end: false})
        else stream.resume()
        stream.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
        stream.on('exit', (code: number | null) => {
          exitCode = code ?? -1
        })
        stream.on('close', () => {
          if (timer) clearTimeout(timer)
          resolve({exitCode, stderr: Buffer.concat(stderr).toString('utf8')})
        })
        if (options.stdin) options.stdin.pipe(stream)
        else stream.end()
      })
    })
  }

  /** Whether the SSH connection is open right now (without opening one). */
  private async connectionAlive(): Promise<boolean> {
    if (!this.client) return false
    const client = await this.client.catch(() => undefined)
    return Boolean(client && (client as unknown as {_sock?: {writable?: boolean}})._sock?.writable)
  }

  private sftp(): Promise<{client: Client; sftp: SFTPWrapper}> {
    this.sftpSession ??= this.connection().then((client) =>
      this.onLink<{client: Client; sftp: SFTPWrapper}>(client, (resolve, reject) => {
        client.sftp((error, sftp) =>
          error
            ? reject(
                new AimsError('remote', `SFTP is not available on ${this.host.name}: ${oneLine(error.message)}`, {
                  hint: 'enable the sftp Subsystem in sshd_config',
                }),
              )
            : resolve({client, sftp}),
        )
      }),
    )
    this.sftpSession.catch(() => (this.sftpSession = undefined))
    return this.sftpSession
  }

  async shell(): Promise<HostShell> {
    const session = this
    const sftpCall = <T>(
      what: string,
      run: (sftp: SFTPWrapper, done: (error: (Error & {code?: number}) | null | undefined, value?: T) => void) => void,
    ) =>
      this.sftp().then(({client, sftp}) =>
        this.onLink<T>(client, (resolve, reject) => {
          run(sftp, (error, value) => {
            if (error)
              reject(
                Object.assign(
                  new AimsError('remote', `${what} on ${session.host.name} failed: ${oneLine(error.message)}`),
                  {sftpCode: error.code},
                ),
              )
            else resolve(value as T)
          })
        }),
      )
    const noSuchFile = (error: unknown) => (error as {sftpCode?: number}).sftpCode === 2
    return {
      exec: (argv, options) => this.exec(argv, options),
      execStream: (argv, options) => this.execStream(argv, options),
      readFile: async (path) => {
        try {
          return await sftpCall<Buffer>(`read ${path}`, (sftp, done) => sftp.readFile(path, done))
        } catch (error) {
          if (noSuchFile(error)) return undefined
          throw error
        }
      },
      writeFile: async (path, data, mode = 0o644) => {
        const temp = `${path}.aims-${randomBytes(4).toString('hex')}.tmp`
        await sftpCall<void>(`write ${path}`, (sftp, done) =>
          sftp.writeFile(temp, data, {mode}, (error) => done(error)),
        )
        await sftpCall<void>(`rename ${temp}`, (sftp, done) =>
          sftp.ext_openssh_rename(temp, path, (error) => done(error)),
        )
      },
      appendFile: (path, data) =>
        sftpCall<void>(`append to ${path}`, (sftp, done) =>
          sftp.appendFile(path, data, {mode: 0o640}, (error) => done(error)),
        ),
      removeFile: async (path) => {
        try {
          await sftpCall<void>(`remove ${path}`, (sftp, done) => sftp.unlink(path, (error) => done(error)))
        } catch (error) {
          if (!noSuchFile(error)) throw error
        }
      },
      rename: (from, to) =>
        sftpCall<void>(`rename ${from}`, (sftp, done) => sftp.ext_openssh_rename(from, to, (error) => done(error))),
      // Over SFTP, not `mkdir -p` through exec: exec starts a login shell, which can cost far more than the round
      // trips.
      mkdirp: async (path) => {
        const isDir = (target: string) =>
          sftpCall<{isDirectory(): boolean}>(`stat ${target}`, (sftp, done) => sftp.stat(target, done)).then(
            (stats) => stats.isDirectory(),
            () => false,
          )
        const make = async (target: string): Promise<void> => {
          try {
            await sftpCall<void>(`create ${target}`, (sftp, done) =>
              sftp.mkdir(target, {mode: 0o755}, (error) => done(error)),
            )
          } catch (error) {
            if (await isDir(target)) return
            const parent = target.replace(/\/[^/]+$/, '')
            if (!noSuchFile(error) || parent === '' || parent === target)
              throw new AimsError(
                'remote',
                `cannot create ${target} on ${this.host.name}: ${oneLine((error as Error).message)}`,
                {hint: 'check the SSH user may write there, or configure another directory for the host'},
              )
            await make(parent)
            await make(target)
          }
        }
        if (!(await isDir(path))) await make(path)
      },
      diskFree: async (path) => {
        try {
          const stats = await sftpCall<unknown>(`statvfs ${path}`, (sftp, done) =>
            sftp.ext_openssh_statvfs(path, done as never),
          )
          return diskSpaceFromStatvfs(stats)
        } catch {
          return undefined
        }
      },
      listDir: async (path) => {
        try {
          const list = await sftpCall<Array<{filename: string}>>(`list ${path}`, (sftp, done) =>
            sftp.readdir(path, done),
          )
          return list.map((entry) => entry.filename).sort()
        } catch (error) {
          if (noSuchFile(error)) return undefined
          throw error
        }
      },
    }
  }

  async connectTcp(host: string, port: number): Promise<Duplex> {
    const client = await this.connection()
    return this.onLink<Duplex>(client, (resolve, reject) => {
      client.forwardOut('127.0.0.1', 0, host, port, (error, channel) => {
        if (error)
          reject(
            Object.assign(new Error(`connect to ${host}:${port} on ${this.host.name} failed: ${error.message}`), {
              code: 'ECONNREFUSED',
            }),
          )
        else resolve(this.endsWithLink(client, asSocket(channel)))
      })
    })
  }

  /**
   * A lost connection never ends its channels: a Docker API request or a TCP check over one would wait
   * forever. The socket is destroyed with the connection's error instead.
   */
  endsWithLink(client: Client, socket: Duplex): Duplex {
    const link = this.links.get(client)
    if (!link) return socket
    if (link.lost) return (socket.destroy(link.lost), socket)
    const end = (error: AimsError) => socket.destroy(error)
    link.waiting.add(end)
    socket.once('close', () => link.waiting.delete(end))
    return socket
  }

  private locks: RemoteLockManager | undefined

  warmup(): void {
    this.connection().then(
      () => this.lockManager().warm(),
      () => undefined,
    )
  }

  private lockManager(): RemoteLockManager {
    this.locks ??= new RemoteLockManager(
      async (command) => {
        const client = await this.connection()
        const channel = await this.onLink<ClientChannel>(client, (resolve, reject) =>
          client.exec(command, (error, opened) =>
            error
              ? reject(
                  new AimsError(
                    'remote',
                    `cannot start the lock helper on ${this.host.name}: ${oneLine(error.message)}`,
                  ),
                )
              : resolve(opened),
          ),
        )
        // A lost connection never closes its channels: close the helper's, so a lock being waited for fails
        // now (the helper's locks are gone with the connection) instead of waiting out its timeout.
        this.links.get(client)?.waiting.add(() => channel.emit('close'))
        return channel
      },
      `${this.host.stateDir}/locks`,
      this.host.name,
    )
    return this.locks
  }

  /** Host locks: one remote helper process per session holds them all (see remote-locks.ts). */
  async lock(name: string, options: LockOptions): Promise<HostLock> {
    return this.lockManager().lock(name, options)
  }

  async close(): Promise<void> {
    this.closed = true
    const client = await this.client?.catch(() => undefined)
    client?.end()
  }
}

/** `host trust`: learn the host key without logging in. */
export class SshHostKeyScanner implements HostKeyScanner {
  constructor(private readonly connectTimeoutMs: number) {}

  scan(host: ResolvedHost): Promise<HostKey> {
    const ssh = host.ssh
    if (!ssh)
      return Promise.reject(
        new AimsError('usage', `host ${host.name} is the local engine: it has no SSH host key`, {
          hint: 'trust is only for SSH hosts',
        }),
      )
    return new Promise<HostKey>((resolve, reject) => {
      const client = new Client()
      let key: HostKey | undefined
      client.on('error', (error: NodeJS.ErrnoException & {level?: string}) => {
        if (key) resolve(key)
        else reject(connectionError(error, host, this.connectTimeoutMs))
      })
      client.on('close', () => {
        if (key) resolve(key)
      })
      client.connect({
        host: ssh.host,
        port: ssh.port,
        username: ssh.user,
        readyTimeout: this.connectTimeoutMs,
        hostVerifier: (blob: Buffer) => {
          key = {type: keyTypeOf(blob), blob}
          // Refusing the key ends the handshake: nothing is sent past key exchange.
          return false
        },
      } as never)
    })
  }
}
