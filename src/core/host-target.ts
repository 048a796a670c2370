/**
 * Hosts: where aims finds a Docker engine. Pure parsing and defaults; the
 * config store and the SSH adapter do the I/O.
 */
import {checkRegistryMirror} from './registry-mirror.js'
import {shown, usageError} from './errors.js'
import {checkDomain, checkResourceName, isNetworkHost} from './names.js'

export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock'
export const DEFAULT_NGINX_CONF_DIR = '/etc/nginx/conf.d/plugs'
export const DEFAULT_REMOTE_STATE_DIR = '/var/lib/aims'
/** Where Docker keeps images and volumes unless daemon.json moves it (data-root). */
export const DEFAULT_DOCKER_ROOT = '/var/lib/docker'
export const LOCAL_HOST = 'local'

export interface SshEndpoint {
  /** What the user typed after `host add NAME`: an alias, user@host[:port] or ssh://... */
  alias?: string
  user?: string
  host: string
  port?: number
}

/** A host as the user configured it (persisted in config.json). */
export interface HostEntry {
  name: string
  /** `local` (the local Docker socket) or an SSH target. */
  target: typeof LOCAL_HOST | SshEndpoint
  identityFile?: string
  domain?: string
  dockerSocket?: string
  nginxConfDir?: string
  stateDir?: string
  /** TLS certificate and key paths on the host, or a certbot live dir for a wildcard certificate. */
  tls?: {certificate: string; key: string} | {certbotLiveDir: string}
  /** Registry that images of other registries than Docker Hub pull from (core/registry-mirror.ts). */
  registryMirror?: string
  addedAt?: string
  /**
   * A Docker Swarm whose nodes are other hosts of this config (src/core/cluster.ts). `target`
   * is then the entry node's (a manager): its nginx fronts the cluster, its state dir holds locks.
   */
  cluster?: {members: ClusterMember[]}
}

/** One node of a cluster: the configured host that reaches it, and what Swarm calls it. */
export interface ClusterMember {
  host: string
  nodeId: string
  role: 'manager' | 'worker'
  /** The node's Swarm address (its advertise address, without the port). */
  addr: string
}

/** A host with every default filled in, ready to connect to. */
export interface ResolvedHost {
  name: string
  kind: 'local' | 'ssh'
  ssh?: {host: string; port: number; user: string; identityFiles: string[]; alias?: string; explicitIdentity?: string}
  domain?: string
  dockerSocket: string
  nginxConfDir: string
  stateDir: string
  tls?: HostEntry['tls']
  registryMirror?: string
}

const USER = /^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/

function parsePort(text: string, raw: string): number {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN
  if (!(port >= 1 && port <= 65_535))
    throw usageError(
      `invalid port in SSH target ${shown(raw)}`,
      'use a port between 1 and 65535, e.g. root@203.0.113.7:2222',
    )
  return port
}

/**
 * SSH_TARGET: `local` | `ssh://user@host[:port]` | `user@host[:port]` | `host[:port]` | an alias
 * from ~/.ssh/config. IPv6 addresses go in brackets: `root@[2001:db8::1]:22`.
 */
export function parseSshTarget(raw: string): typeof LOCAL_HOST | SshEndpoint {
  const bad = () =>
    usageError(
      `invalid SSH target ${shown(raw)}`,
      'write local, user@host[:port] or ssh://user@host[:port] (or an alias from ~/.ssh/config)',
    )
  if (raw === LOCAL_HOST) return LOCAL_HOST
  if (raw.length === 0 || raw.length > 255 || /[\s'"`$;&|<>\\(){}*?!#,]/.test(raw)) throw bad()
  let rest = raw
  if (rest.startsWith('ssh://')) rest = rest.slice('ssh://'.length).replace(/\/$/, '')
  else if (rest.includes('://')) throw bad()
  if (rest.includes('/')) throw bad()

  let user: string | undefined
  const at = rest.lastIndexOf('@')
  if (at !== -1) {
    user = rest.slice(0, at)
    rest = rest.slice(at + 1)
    if (!USER.test(user))
      throw usageError(
        `invalid user name in SSH target ${shown(raw)}`,
        'use a plain Unix user name such as root or deploy',
      )
  }

  let host = rest
  let port: number | undefined
  const bracketed = /^\[([0-9a-fA-F:.]+)\](?::(\d+))?$/.exec(rest)
  if (bracketed) {
    host = bracketed[1] ?? ''
    if (bracketed[2] !== undefined) port = parsePort(bracketed[2], raw)
  } else if (rest.split(':').length === 2) {
    const [name, portText] = rest.split(':') as [string, string]
    host = name
    port = parsePort(portText, raw)
  } else if (rest.includes(':')) {
    throw usageError(
      `invalid SSH target ${shown(raw)}: IPv6 addresses need brackets`,
      'write e.g. root@[2001:db8::1]:22',
    )
  }

  if (!isNetworkHost(host)) throw bad()
  const endpoint: SshEndpoint = {host}
  if (user !== undefined) endpoint.user = user
  if (port !== undefined) endpoint.port = port
  // A bare word may be an alias from ~/.ssh/config; remember what was typed.
  // (A bracketed IPv6 address is never an alias, and must keep its brackets when shown again.)
  if (user === undefined && port === undefined && !raw.startsWith('ssh://') && !bracketed) endpoint.alias = host
  return endpoint
}

export function formatTarget(target: HostEntry['target'], cluster?: HostEntry['cluster']): string {
  if (cluster) return `cluster of ${cluster.members.map((member) => member.host).join(', ')}`
  if (target === LOCAL_HOST) return LOCAL_HOST
  if (target.alias && target.user === undefined && target.port === undefined) return target.alias
  const host = target.host.includes(':') ? `[${target.host}]` : target.host
  return `${target.user ? `${target.user}@` : ''}${host}${target.port ? `:${target.port}` : ''}`
}

/** Characters that never belong in a path we hand to ssh2 or read keys from. */
const UNSAFE_PATH = /[\n\r\t;'"`$|&<>\\*?{}()!\u0000-\u001f]/

export function checkLocalPath(value: string, what: string): string {
  if (value.length === 0 || value.length > 180) {
    throw usageError(
      `invalid ${what} ${shown(value)}: ` +
        `${value.length === 0 ? 'it is empty' : `it is ${value.length} characters long`}`,
      'give a path of at most 180 characters',
    )
  }
  if (UNSAFE_PATH.test(value))
    throw usageError(
      `invalid ${what} ${shown(value)}: it holds shell metacharacters, quotes or control characters`,
      'rename the file or give a plain path',
    )
  if (value.split('/').includes('..'))
    throw usageError(
      `invalid ${what} ${shown(value)}: it climbs out of its directory with ".."`,
      'give the path without "..", e.g. an absolute path',
    )
  return value
}

/** Absolute paths on the host (conf dir, state dir, socket): plain, absolute, no `..`. */
export function checkRemotePath(value: string, what: string): string {
  if (
    !value.startsWith('/') ||
    value.length > 180 ||
    UNSAFE_PATH.test(value) ||
    /\s/.test(value) ||
    value.split('/').includes('..')
  ) {
    throw usageError(`invalid ${what} ${shown(value)}`, 'give a plain absolute path such as /var/run/docker.sock')
  }
  return value.replace(/\/+$/, '') || '/'
}

export interface HostAddInput {
  name: string
  target: string
  identity?: string | undefined
  domain?: string | undefined
  dockerSocket?: string | undefined
  nginxConfDir?: string | undefined
  stateDir?: string | undefined
  /** TLS: certificate and key paths on the host, or a certbot live dir (fullchain.pem, privkey.pem). */
  tlsCertificate?: string | undefined
  tlsKey?: string | undefined
  tlsCertbotDir?: string | undefined
  registryMirror?: string | undefined
}

/** Validates everything a `host add` would write, before anything is written. */
export function buildHostEntry(input: HostAddInput, now: Date): HostEntry {
  const entry: HostEntry = {
    name: checkResourceName('host', input.name),
    target: parseSshTarget(input.target),
    addedAt: now.toISOString(),
  }
  if (input.name === LOCAL_HOST && entry.target !== LOCAL_HOST) {
    throw usageError('the host name "local" is reserved for the local Docker engine', 'choose another name, e.g. vps')
  }
  if (input.identity !== undefined) {
    if (entry.target === LOCAL_HOST)
      throw usageError('--identity makes no sense for the local engine', 'drop --identity, or give an SSH target')
    entry.identityFile = checkLocalPath(input.identity, 'identity file path')
  }
  if (input.domain !== undefined) entry.domain = checkDomain(input.domain)
  if (input.dockerSocket !== undefined) entry.dockerSocket = checkRemotePath(input.dockerSocket, 'Docker socket path')
  if (input.nginxConfDir !== undefined) entry.nginxConfDir = checkRemotePath(input.nginxConfDir, 'nginx conf dir')
  if (input.stateDir !== undefined) entry.stateDir = checkRemotePath(input.stateDir, 'state dir')
  if (input.registryMirror !== undefined) entry.registryMirror = checkRegistryMirror(input.registryMirror)
  if (input.tlsCertbotDir !== undefined) {
    if (input.tlsCertificate !== undefined || input.tlsKey !== undefined)
      throw usageError(
        'give either --tls-certbot-dir or --tls-cert with --tls-key, not both',
        'a certbot live dir holds fullchain.pem and privkey.pem',
      )
    entry.tls = {certbotLiveDir: checkRemotePath(input.tlsCertbotDir, 'certbot live dir')}
  } else if (input.tlsCertificate !== undefined || input.tlsKey !== undefined) {
    if (input.tlsCertificate === undefined || input.tlsKey === undefined)
      throw usageError('--tls-cert and --tls-key go together', 'give both paths (on the host)')
    entry.tls = {
      certificate: checkRemotePath(input.tlsCertificate, 'TLS certificate path'),
      key: checkRemotePath(input.tlsKey, 'TLS key path'),
    }
  }
  if (entry.tls && !entry.domain)
    throw usageError('TLS needs a domain', 'add --domain (instances are served at INSTANCE.TENANT.DOMAIN)')
  return entry
}

/** Host selected by `DOCKER_HOST=ssh://…` (CI), so aims works with no config at all. */
export function hostFromDockerHost(value: string): HostEntry | undefined {
  if (value.startsWith('unix://')) {
    return {
      name: LOCAL_HOST,
      target: LOCAL_HOST,
      dockerSocket: checkRemotePath(value.slice('unix://'.length), 'DOCKER_HOST socket path'),
    }
  }
  if (!value.startsWith('ssh://')) return undefined
  return {name: 'docker-host', target: parseSshTarget(value)}
}

export interface ResolveContext {
  home: string
  localUser: string
  /** What ~/.ssh/config says for the alias (already resolved). */
  sshConfig?: {hostName?: string; user?: string; port?: number; identityFiles: string[]}
  /** Default identity files that exist (~/.ssh/id_ed25519, …). */
  defaultIdentityFiles: string[]
}

/** Fills in every default: ssh config values, port 22, default keys, remote paths. */
export function resolveHostEntry(entry: HostEntry, context: ResolveContext): ResolvedHost {
  const common = {
    name: entry.name,
    dockerSocket: entry.dockerSocket ?? DEFAULT_DOCKER_SOCKET,
    nginxConfDir: entry.nginxConfDir ?? DEFAULT_NGINX_CONF_DIR,
    stateDir: entry.stateDir ?? DEFAULT_REMOTE_STATE_DIR,
    ...(entry.domain ? {domain: entry.domain} : {}),
    ...(entry.tls ? {tls: entry.tls} : {}),
    ...(entry.registryMirror ? {registryMirror: entry.registryMirror} : {}),
  }
  if (entry.target === LOCAL_HOST) return {...common, kind: 'local'}
  const target = entry.target
  const fromConfig = context.sshConfig
  // Explicit values in the target win over ~/.ssh/config, as with `ssh user@alias -p N`.
  const host = fromConfig?.hostName ?? target.host
  const user = target.user ?? fromConfig?.user ?? context.localUser
  const port = target.port ?? fromConfig?.port ?? 22
  const expand = (file: string) => {
    const withHome = file.startsWith('~/') ? `${context.home}${file.slice(1)}` : file
    return withHome
      .replace(/%d/g, context.home)
      .replace(/%u/g, context.localUser)
      .replace(/%r/g, user)
      .replace(/%h/g, host)
      .replace(/%p/g, String(port))
      .replace(/%%/g, '%')
  }
  const identityFiles = [
    ...(entry.identityFile ? [entry.identityFile] : []),
    ...(fromConfig?.identityFiles ?? []).map(expand),
    ...context.defaultIdentityFiles,
  ]
  return {
    ...common,
    kind: 'ssh',
    ssh: {
      host,
      port,
      user,
      identityFiles: [...new Set(identityFiles)],
      ...(target.alias ? {alias: target.alias} : {}),
      ...(entry.identityFile ? {explicitIdentity: entry.identityFile} : {}),
    },
  }
}
