/**
 * Composition root: builds the real adapters once per process, lazily, so a
 * command pays only for what it uses (`aims --help` loads none of this).
 */
import {accessSync, constants, existsSync} from 'node:fs'
import {hostname, userInfo} from 'node:os'
import {dirname, join} from 'node:path'
import {AimsError} from './core/errors.js'
import {
  hostFromDockerHost,
  LOCAL_HOST,
  resolveHostEntry,
  type HostEntry,
  type ResolvedHost,
} from './core/host-target.js'
import {didYouMean} from './core/suggest.js'
import {JsonConfigStore, FileKnownHostsStore} from './adapters/config-store.js'
import {aimsPaths, type AimsPaths} from './adapters/paths.js'
import type {
  AimsConfig,
  Clock,
  ConfigStore,
  HostKeyScanner,
  HostSession,
  KnownHostsStore,
  Origin,
  Prompter,
  RegistryClient,
} from './services/ports.js'
import type {CredentialsFor} from './services/registry.js'
import type {CatalogEntry, CatalogSource} from './services/catalog-port.js'
import type {AuditLog} from './services/audit.js'
import type {Approver} from './services/gate.js'
import type {Progress} from './services/progress.js'
import type {PlugUpDeps} from './services/plug-up.js'
import type {BuildDeps} from './services/build.js'
import type {SiteDeps} from './services/site.js'
import type {ExportDeps} from './services/export.js'
import type {SecretStore} from './services/secret-store.js'
import type {MissingVariable} from './core/plan/env.js'
import {hostPrices, type Prices} from './core/plan/policy.js'
import {readPreferences} from './core/preferences.js'

export interface ContextOptions {
  env?: NodeJS.ProcessEnv
  /** Both stdin and stderr are terminals, and we are allowed to ask. */
  interactive?: boolean
}

function writableOrCreatable(path: string): boolean {
  for (let dir = path; ; dir = dirname(dir)) {
    if (existsSync(dir)) {
      try {
        accessSync(dir, constants.W_OK)
        return true
      } catch {
        return false
      }
    }
    if (dirname(dir) === dir) return false
  }
}

const numberFromEnv = (value: string | undefined, fallback: number) =>
  value && /^\d+$/.test(value) ? Number(value) : fallback

export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason)
      const timer = setTimeout(resolve, ms)
      signal?.addEventListener(
        'abort',
        () => {
          clearTimeout(timer)
          reject(signal.reason)
        },
        {once: true},
      )
    }),
}

/** A host's prices from the config (see AimsContext.prices). */
function pricesOf(config: AimsConfig, hostName: string | undefined): Prices {
  const entry = hostName === undefined ? undefined : config.hosts[hostName]
  return hostPrices((entry as {prices?: Partial<Prices>} | undefined)?.prices, config.preferences)
}

export interface CatalogDir {
  dir: string
  source: CatalogEntry['source']
}

export class AimsContext {
  readonly env: NodeJS.ProcessEnv
  readonly paths: AimsPaths
  readonly interactive: boolean
  readonly clock: Clock = systemClock
  readonly connectTimeoutMs: number
  readonly callTimeoutMs: number
  private configStore?: ConfigStore
  private knownHostsStore?: KnownHostsStore
  private prompterInstance?: Prompter
  private readonly sessions = new Map<string, Promise<HostSession>>()
  private catalogSource?: CatalogSource
  private catalogDirList?: Promise<CatalogDir[]>

  constructor(options: ContextOptions = {}) {
    this.env = options.env ?? process.env
    this.paths = aimsPaths(this.env)
    this.interactive = options.interactive ?? false
    this.connectTimeoutMs = numberFromEnv(this.env.AIMS_CONNECT_TIMEOUT_MS, 8000)
    this.callTimeoutMs = numberFromEnv(this.env.AIMS_CALL_TIMEOUT_MS, 60_000)
  }

  get config(): ConfigStore {
    return (this.configStore ??= new JsonConfigStore(this.paths.configFile))
  }

  get knownHosts(): KnownHostsStore {
    return (this.knownHostsStore ??= new FileKnownHostsStore(this.paths.knownHostsFile))
  }

  get prompter(): Prompter {
    if (!this.prompterInstance) {
      // Loaded lazily; the module itself imports inquirer only when asking.
      this.prompterInstance = new LazyPrompter(this.interactive)
    }
    return this.prompterInstance
  }

  /**
   * Which host a command talks to: --host, then AIMS_HOST, then
   * DOCKER_HOST=ssh://…, then the configured default, then the local engine.
   */
  async hostEntry(flag?: string): Promise<HostEntry> {
    const wanted = flag ?? this.env.AIMS_HOST
    const config = await this.config.read()
    if (wanted) {
      if (wanted === LOCAL_HOST && !config.hosts[LOCAL_HOST]) return {name: LOCAL_HOST, target: LOCAL_HOST}
      const entry = config.hosts[wanted]
      if (entry) return entry
      const known = Object.keys(config.hosts)
      throw new AimsError('not-found', `no host named "${wanted}"`, {
        hint: [
          didYouMean(wanted, [...known, LOCAL_HOST]),
          known.length > 0 ? `known hosts: ${known.join(', ')}` : 'add one with aims host add NAME user@host',
        ]
          .filter(Boolean)
          .join(' '),
      })
    }
    const fromDockerHost = this.env.DOCKER_HOST ? hostFromDockerHost(this.env.DOCKER_HOST) : undefined
    if (fromDockerHost) return fromDockerHost
    if (config.defaultHost && config.hosts[config.defaultHost]) return config.hosts[config.defaultHost]!
    const only = Object.values(config.hosts)
    if (only.length === 1) return only[0]!
    if (existsSync('/var/run/docker.sock')) return {name: LOCAL_HOST, target: LOCAL_HOST}
    throw new AimsError(
      'usage',
      only.length > 1
        ? 'several hosts are configured and none is the default'
        : 'no host is configured and no local Docker engine was found',
      {
        hint:
          only.length > 1
            ? 'pass --host NAME or run aims host use NAME'
            : 'add your VPS with aims host add NAME user@host --default',
      },
    )
  }

  async resolveHost(entry: HostEntry): Promise<ResolvedHost> {
    const {resolveContextFor} = await import('./adapters/ssh-config-reader.js')
    // Like ssh, the config's Host patterns match the host as written, alias or not.
    const alias = entry.target === LOCAL_HOST ? undefined : (entry.target.alias ?? entry.target.host)
    const resolved = resolveHostEntry(entry, resolveContextFor(alias, this.env))
    // On a laptop aims may not run as root: keep the local engine's locks and journals in the user's state dir.
    if (resolved.kind === 'local' && !entry.stateDir && !writableOrCreatable(resolved.stateDir))
      return {...resolved, stateDir: join(this.paths.stateDir, 'local-host')}
    return resolved
  }

  /** The one session per host for this process. */
  session(entry: HostEntry): Promise<HostSession> {
    let session = this.sessions.get(entry.name)
    if (!session) {
      session = this.openSession(entry)
      this.sessions.set(entry.name, session)
      session.catch(() => this.sessions.delete(entry.name))
    }
    return session
  }

  private async openSession(entry: HostEntry): Promise<HostSession> {
    if (entry.cluster) return this.openClusterSession(entry)
    const host = await this.resolveHost(entry)
    if (host.kind === 'local') {
      const {LocalHostSession} = await import('./adapters/local-session.js')
      return new LocalHostSession(host, {callTimeoutMs: this.callTimeoutMs})
    }
    const {SshHostSession} = await import('./adapters/ssh-session.js')
    return new SshHostSession(host, {
      knownHosts: this.knownHosts,
      prompter: this.prompter,
      connectTimeoutMs: this.connectTimeoutMs,
      callTimeoutMs: this.callTimeoutMs,
      ...(this.env.SSH_AUTH_SOCK ? {agentSocket: this.env.SSH_AUTH_SOCK} : {}),
    })
  }

  /** A cluster: its first manager that answers is the entry node; other nodes open on demand. */
  private async openClusterSession(entry: HostEntry): Promise<HostSession> {
    const config = await this.config.read()
    const nodeSession = (host: string) => {
      const node = config.hosts[host]
      if (!node || node.cluster)
        throw new AimsError('not-found', `cluster ${entry.name} names host "${host}", which is not configured`, {
          hint: `add it again with aims host add ${host} …, or take it out with aims cluster leave ${host}`,
        })
      return this.session(node)
    }
    const managers = (entry.cluster?.members ?? []).filter((member) => member.role === 'manager')
    let entryNode: HostSession | undefined
    let failure: unknown
    for (const manager of managers) {
      try {
        const session = await nodeSession(manager.host)
        await (await session.engine()).ping()
        entryNode = session
        break
      } catch (error) {
        failure = error
      }
    }
    if (!entryNode)
      throw failure instanceof AimsError
        ? failure
        : new AimsError('connection', `no manager of cluster ${entry.name} answers`, {
            hint: `see aims doctor --host ${entry.name}`,
          })
    const {ClusterSession} = await import('./adapters/cluster-session.js')
    return new ClusterSession(
      entry,
      entryNode,
      (member) => nodeSession(member.host),
      (ms) => this.clock.sleep(ms),
    )
  }

  /**
   * Where plugs come from, in override order: the built-in plugs-catalog/, the
   * config preference catalog.paths, then AIMS_CATALOG_PATH (colon-separated).
   * A later directory's plug replaces a built-in one of the same id.
   */
  catalogDirs(): Promise<CatalogDir[]> {
    this.catalogDirList ??= (async () => {
      const {packageRoot} = await import('./adapters/package-root.js')
      const {join, resolve} = await import('node:path')
      const {preferences} = await this.config.read()
      const fromConfig = (readPreferences(preferences).strings('catalog.paths') ?? []).filter(
        (dir) => dir.trim() !== '',
      )
      const fromEnv = (this.env.AIMS_CATALOG_PATH ?? '').split(':').filter((dir) => dir.trim() !== '')
      const dirs: CatalogDir[] = [{dir: join(packageRoot(), 'plugs-catalog'), source: 'builtin'}]
      // The user's own plugs (aims build, aims plug add) come right after the built-in ones.
      const {existsSync} = await import('node:fs')
      const own = existsSync(this.paths.plugsDir) ? [this.paths.plugsDir] : []
      for (const dir of [...own, ...fromConfig, ...fromEnv]) {
        const absolute = resolve(dir)
        if (!dirs.some((known) => known.dir === absolute)) dirs.push({dir: absolute, source: 'extra'})
      }
      return dirs
    })()
    return this.catalogDirList
  }

  /** The plug catalog for this process, read once on first use. */
  catalog(): CatalogSource {
    if (!this.catalogSource) {
      // FileCatalog (and YAML, zod) load only when a command reads the catalog.
      const loaded = (async () => {
        const [{FileCatalog}, dirs] = await Promise.all([import('./adapters/catalog-files.js'), this.catalogDirs()])
        return new FileCatalog(dirs, join(this.paths.cacheDir, 'catalog'))
      })()
      this.catalogSource = {
        list: async () => (await loaded).list(),
        find: async (id) => (await loaded).find(id),
        issues: async () => (await loaded).issues(),
      }
    }
    return this.catalogSource
  }

  private secretStore?: Promise<SecretStore>
  /**
   * Where API keys and credentials are kept: the OS keychain, else the
   * encrypted file (AIMS_SECRETS_STORE=auto|keychain|file picks; the keychain
   * binding loads only when a secret is actually read or written there).
   */
  secrets(): Promise<SecretStore> {
    this.secretStore ??= (async () => {
      const [{LocalSecretStore, parseStorePreference}, {OsKeychain}, {EncryptedSecretFile}] = await Promise.all([
        import('./adapters/secrets/local-store.js'),
        import('./adapters/secrets/keychain.js'),
        import('./adapters/secrets/encrypted-file.js'),
      ])
      const passphrase = this.env.AIMS_SECRETS_PASSPHRASE
      const preference = parseStorePreference(this.env.AIMS_SECRETS_STORE, 'AIMS_SECRETS_STORE')
      return new LocalSecretStore({
        indexFile: this.paths.secretsIndexFile,
        keychain: new OsKeychain({env: this.env}),
        file: new EncryptedSecretFile({
          file: this.paths.secretsFile,
          keyFile: this.paths.secretsKeyFile,
          ...(passphrase ? {passphrase} : {}),
        }),
        ...(preference ? {preference} : {}),
      })
    })()
    return this.secretStore
  }

  private auditLog?: AuditLog
  async audit(): Promise<AuditLog> {
    if (!this.auditLog) {
      const {JsonlAuditLog} = await import('./adapters/audit-file.js')
      this.auditLog = new JsonlAuditLog(this.paths.auditFile)
    }
    return this.auditLog
  }

  /** The tenant commands use when none is given: config default-tenant, else "default". */
  async defaultTenant(): Promise<string> {
    const preferences = readPreferences((await this.config.read()).preferences)
    // defaultTenant: how early configs spelled it.
    const configured = preferences.string('default-tenant') ?? preferences.string('defaultTenant')
    return configured ? configured : 'default'
  }

  /**
   * The prices every cost is quoted in (catalog ls/show/search, plug up's plan and its cost gate): the
   * host's own (hosts.NAME.prices), else the preferences', else the defaults. `host` is --host; with no
   * host configured, the preferences' prices.
   */
  async prices(host?: string): Promise<Prices> {
    const [config, name] = await Promise.all([
      this.config.read(),
      this.hostEntry(host).then(
        (entry) => entry.name,
        () => undefined,
      ),
    ])
    return pricesOf(config, name)
  }

  /** Who is acting, for labels and the audit log: user@machine. */
  get actor(): string {
    let user = this.env.USER ?? 'unknown'
    try {
      user = userInfo().username
    } catch {
      // keep $USER
    }
    return `${user}@${hostname()}`
  }

  /** Everything the lifecycle services need, wired to the real adapters. */
  async lifecycleDeps(
    session: HostSession,
    options: {
      approver: Approver
      progress: Progress
      origin: Origin
      ask?: (variable: MissingVariable) => Promise<string>
    },
  ): Promise<PlugUpDeps> {
    const [config, catalog, audit, random, {nginxProxyManager}, {readTemplate}, {hostLifecycleEventWriter}] =
      await Promise.all([
        this.config.read(),
        this.catalog(),
        this.audit(),
        import('./adapters/random.js'),
        import('./services/proxy-manager.js'),
        import('./adapters/templates.js'),
        import('./services/lifecycle-events.js'),
      ])
    const preferences = readPreferences(config.preferences)
    return {
      session,
      catalog,
      preferences: config.preferences,
      prices: pricesOf(config, session.host.name),
      clock: this.clock,
      newId: random.newId,
      generateSecret: random.generateSecret,
      actor: this.actor,
      audit,
      approver: options.approver,
      progress: options.progress,
      ...(options.ask ? {ask: options.ask} : {}),
      origin: options.origin,
      proxy: nginxProxyManager(session, readTemplate),
      networkPool: {
        pool: preferences.string('network.pool') ?? '10.210.0.0/16',
        tenantPrefix: preferences.number('network.tenant-prefix') ?? 24,
        instancePrefix: preferences.number('network.instance-prefix') ?? 27,
      },
      recordEvent: hostLifecycleEventWriter(session),
      registryAuth: async (registry: string) => {
        const {storedCredentials} = await import('./services/registry.js')
        return storedCredentials(await this.secrets())(registry)
      },
    }
  }

  /** The registry API, asked from the host (a registry on its loopback is the host's), with stored credentials. */
  async registryDeps(session: HostSession): Promise<{registry: RegistryClient; credentials: CredentialsFor}> {
    const [{HostRegistryClient}, {storedCredentials}] = await Promise.all([
      import('./adapters/registry-http.js'),
      import('./services/registry.js'),
    ])
    const secrets = this.secrets()
    // Docker Hub names are asked where the engine pulls them: its first registry mirror, when it has one.
    const mirrors = (await (await session.engine()).info().catch(() => undefined))?.registryMirrors ?? []
    const mirror = mirrors[0]?.replace(/^https?:\/\//, '').replace(/\/+$/, '')
    return {
      registry: new HostRegistryClient(session, {dockerHubMirror: mirror}),
      credentials: async (registry) => storedCredentials(await secrets)(registry),
    }
  }

  /** Everything aims build needs: the lifecycle's deps, local sources, the user's catalog, the templates. */
  async buildDeps(deps: PlugUpDeps): Promise<BuildDeps> {
    const [{localSources, userCatalog}, {readTemplate}] = await Promise.all([
      import('./adapters/sources.js'),
      import('./adapters/templates.js'),
    ])
    const limit = numberFromEnv(this.env.AIMS_BUILD_CONTEXT_LIMIT, 0)
    return {
      ...deps,
      sources: localSources(),
      userCatalog: userCatalog(this.paths.plugsDir),
      readTemplate,
      ...(limit > 0 ? {contextLimitBytes: limit} : {}),
    }
  }

  /** Everything aims site needs: the lifecycle's deps and local directories. */
  async siteDeps(deps: PlugUpDeps): Promise<SiteDeps> {
    const {localSources} = await import('./adapters/sources.js')
    return {...deps, sources: localSources()}
  }

  /** Everything `exportBundle` needs; the host session opens only when an instance is exported. */
  /** `session`: an open session to use (the dock's, ACHEEVY's); otherwise `host` selects one when needed. */
  async exportDeps(options: {host?: string; session?: HostSession; aimsVersion: string}): Promise<ExportDeps> {
    const [{readTemplate}, {fileBundleOutput}, defaultTenant] = await Promise.all([
      import('./adapters/templates.js'),
      import('./adapters/bundle-output.js'),
      this.defaultTenant(),
    ])
    return {
      catalog: this.catalog(),
      readTemplate,
      output: fileBundleOutput(),
      clock: this.clock,
      session: async () => options.session ?? this.session(await this.hostEntry(options.host)),
      defaultTenant,
      aimsVersion: options.aimsVersion,
    }
  }

  async hostKeyScanner(): Promise<HostKeyScanner> {
    const {SshHostKeyScanner} = await import('./adapters/ssh-session.js')
    return new SshHostKeyScanner(this.connectTimeoutMs)
  }

  /**
   * Interrupted deploys on the hosts this process talked to (issue 10, item 3: the next command that touches the
   * host reports them). Sessions never connected are not opened for it.
   */
  async interruptedDeploys(): Promise<Array<{host: string; ref: string}>> {
    const found: Array<{host: string; ref: string}> = []
    for (const result of await Promise.allSettled(this.sessions.values())) {
      if (result.status !== 'fulfilled') continue
      const session = result.value
      const metrics = session.metrics()
      if (metrics.sshLogins === 0 && metrics.apiCalls === 0) continue
      const {interruptedRefs} = await import('./services/deploy-journal.js')
      const refs = await interruptedRefs(session).catch(() => [])
      found.push(...refs.map((ref) => ({host: session.host.name, ref})))
    }
    return found
  }

  async close(): Promise<void> {
    const sessions = await Promise.allSettled(this.sessions.values())
    await Promise.allSettled(
      sessions.map((result) => (result.status === 'fulfilled' ? result.value.close() : undefined)),
    )
    this.sessions.clear()
  }
}

/** Defers loading the prompt library until a question is actually asked. */
class LazyPrompter implements Prompter {
  private inner?: Promise<Prompter>
  constructor(readonly interactive: boolean) {}
  private load(): Promise<Prompter> {
    this.inner ??= import('./adapters/prompter.js').then(({TerminalPrompter}) => new TerminalPrompter(this.interactive))
    return this.inner
  }
  async confirm(message: string, defaultValue?: boolean): Promise<boolean> {
    return (await this.load()).confirm(message, defaultValue)
  }
  async input(message: string, options?: {secret?: boolean; defaultValue?: string}): Promise<string> {
    return (await this.load()).input(message, options)
  }
}
