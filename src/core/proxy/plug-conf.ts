/**
 * The nginx conf aims writes for each instance, and the values that go in it.
 *
 * nginx has no quoting that makes arbitrary text safe inside a directive, so
 * nothing is escaped here: every value is validated into a plain token
 * (DNS names, resource names, numbers, plain absolute paths) and anything
 * else — `;`, `{`, `}`, `$`, quotes, `#`, whitespace, newlines — is refused
 * with a usage error before a file is written. The template renderer checks
 * every substituted value once more against the same plain-token rule, so a
 * value that slipped past a field validator still cannot become a directive.
 * Pure: no I/O.
 */
import type {Plug} from '../catalog/schema.js'
import {shown, usageError} from '../errors.js'
import {checkDomain, checkResourceName, isDomainName, RESOURCE_NAME} from '../names.js'
import {renderTemplate, type TemplateContext} from './template.js'

/** Where the template lives under templates/. */
export const PLUG_CONF_TEMPLATE = 'nginx/plug.conf.tmpl'
/** The file aims installs in nginx's conf.d (which the stock nginx.conf includes) to include its conf dir. */
export const DEFAULT_INCLUDE_FILE = '/etc/nginx/conf.d/aims-plugs.conf'
/**
 * What the export bundle renders in place of a real domain: not a DNS name
 * (so it can never match a real request by accident) but a plain token that
 * an install script replaces with the client's domain.
 */
export const SERVER_NAME_PLACEHOLDER = '__AIMS_SERVER_NAME__'
/** The first line of every plug conf: who owns the file (see `confOwner`). */
export const OWNER_PREFIX = '# aims-owner: '
/** The variable the include file's `map` defines, used by confs with WebSockets on. */
export const CONNECTION_UPGRADE_VARIABLE = '$aims_connection_upgrade'

/**
 * The last line of defence in the renderer: a value written into the conf is
 * one token of these characters, or it is refused. None of them means anything
 * to nginx's parser (no `;`, braces, quotes, `$`, `#`, `\` or whitespace).
 */
const NGINX_TOKEN = /^[A-Za-z0-9._:/@+=-]+$/

export function checkNginxToken(name: string, value: string): void {
  if (!NGINX_TOKEN.test(value) || value.length > 512) {
    throw usageError(
      `refusing to write ${shown(value)} into the nginx conf (${name}): only plain names, numbers and paths ` +
        `may go there`,
      'remove quotes, spaces, ";", "{", "}", "$" and "#" from the value',
    )
  }
}

export interface ProxySettings {
  /** nginx size: digits with an optional k, m or g (catalog `proxy.client_max_body_size`). 0 = unlimited. */
  clientMaxBodySize: string
  /** Seconds nginx waits for the upstream to answer (and WebSockets may stay idle). */
  readTimeoutSeconds: number
  websockets: boolean
}

/** The catalog's `proxy:` block (snake_case, defaults filled in by the schema) as renderer settings. */
export function proxySettingsFor(proxy: Plug['proxy']): ProxySettings {
  return {
    clientMaxBodySize: proxy.client_max_body_size,
    readTimeoutSeconds: proxy.read_timeout_seconds,
    websockets: proxy.websockets,
  }
}

export interface Upstream {
  host: string
  port: number
}

export interface TlsFiles {
  certificate: string
  key: string
}

export interface PlugConfInput {
  tenant: string
  instance: string
  /** The catalog plug id, for the header comment. */
  plug: string
  /**
   * DNS names routed to the instance. Empty means no route: the conf then holds
   * only the upstream (the instance stays reachable on its 127.0.0.1 port),
   * because a server block without a name would catch requests meant for others.
   */
  serverNames: string[]
  /** One per replica; at least one. */
  upstreams: Upstream[]
  /** Path routes (v2): a location per prefix to another service's address; `/` stays the upstreams'. */
  routes?: Array<{path: string; host: string; port: number}>
  proxy: ProxySettings
  /** When set: HTTPS on 443 with these files, and port 80 redirects to it. */
  tls?: TlsFiles
  /** Also listen on [::] (only where the host has IPv6, or nginx fails to bind on reload). */
  listenIpv6?: boolean
  /** Idle keepalive connections per nginx worker to the upstream. */
  keepalive?: number
  /** Where nginx listens: 80 and 443 unless the host's nginx sits behind something else. */
  ports?: {http?: number; https?: number}
}

/** `<tenant>-<instance>.conf`: the file under the host's conf dir. */
export function confFileName(tenant: string, instance: string): string {
  return `${checkResourceName('tenant', tenant)}-${checkResourceName('instance', instance)}.conf`
}

/**
 * `<tenant>-<instance>.conf` cannot tell tenant `a-b` instance `c` from tenant
 * `a` instance `b-c`, so each conf names its owner on its first line, and the
 * proxy service refuses to overwrite or remove a conf owned by someone else.
 */
export function confOwnerLine(tenant: string, instance: string): string {
  return `${OWNER_PREFIX}${tenant}/${instance}`
}

/** The owner named on a conf's first line, if it has one. */
export function confOwner(content: string): {tenant: string; instance: string} | undefined {
  const first = content.split('\n', 1)[0] ?? ''
  if (!first.startsWith(OWNER_PREFIX)) return undefined
  const [tenant, instance, ...rest] = first.slice(OWNER_PREFIX.length).trim().split('/')
  if (rest.length > 0 || !tenant || !instance || !RESOURCE_NAME.test(tenant) || !RESOURCE_NAME.test(instance))
    return undefined
  return {tenant, instance}
}

/** `<instance>.<tenant>.<domain>`: the default route of an instance on a host with a domain. */
export function serverNameFor(input: {instance: string; tenant: string; domain: string}): string {
  const instance = checkResourceName('instance', input.instance)
  const tenant = checkResourceName('tenant', input.tenant)
  const domain = checkDomain(input.domain)
  const name = `${instance}.${tenant}.${domain}`
  // Labels are at most 32 characters by construction; the whole name may still be too long.
  if (!isDomainName(name)) {
    throw usageError(
      `the server name ${shown(name)} is not a valid DNS name (${name.length} characters, at most 253, ` +
        `labels at most 63)`,
      'use a shorter domain, or give the instance its own with --domain',
    )
  }
  return name
}

export function checkServerName(value: string): string {
  if (value === SERVER_NAME_PLACEHOLDER) return value
  if (typeof value !== 'string' || !isDomainName(value.toLowerCase())) {
    throw usageError(
      `invalid server name ${shown(String(value))}: it must be a plain DNS name`,
      'give a name such as app.example.com (letters, digits, "-" and dots only)',
    )
  }
  return value.toLowerCase()
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/

export function checkUpstreamHost(value: string): string {
  // An IPv4 address, or a name nginx resolves at load time (a compose service name in the export bundle).
  if (typeof value === 'string' && (IPV4.test(value) || RESOURCE_NAME.test(value) || isDomainName(value))) return value
  throw usageError(
    `invalid upstream host ${shown(String(value))}`,
    'give an IPv4 address such as 127.0.0.1 or a plain host name',
  )
}

export function checkPort(value: number, what = 'port'): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65_535) return value
  throw usageError(`invalid ${what} ${shown(String(value))}`, 'give a whole number between 1 and 65535')
}

export function checkBodySize(value: string): string {
  // nginx reads sizes into an off_t: nine digits with a unit stay well inside it.
  if (typeof value === 'string' && /^\d{1,9}[kmg]?$/i.test(value)) return value.toLowerCase()
  throw usageError(
    `invalid client_max_body_size ${shown(String(value))}`,
    'give a size such as 10m, 512k or 1g (0 means no limit)',
  )
}

export function checkTimeoutSeconds(value: number): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 86_400) return value
  throw usageError(
    `invalid proxy read timeout ${shown(String(value))}`,
    'give a whole number of seconds between 1 and 86400',
  )
}

/** Paths on the host written into nginx confs (certificates, the conf dir): absolute, plain characters, no `..`. */
export function checkNginxPath(value: string, what: string): string {
  if (
    typeof value === 'string' &&
    /^\/[A-Za-z0-9._/+@=-]{1,255}$/.test(value) &&
    !value.endsWith('/') &&
    !value.split('/').includes('..') &&
    !value.includes('//')
  )
    return value
  throw usageError(
    `invalid ${what} ${shown(String(value))}`,
    'give a plain absolute path such as /etc/ssl/aims/fullchain.pem',
  )
}

/** The host's TLS setting (explicit paths, or a certbot live dir for a wildcard certificate) as two files. */
export function tlsFilesFor(tls: {certificate: string; key: string} | {certbotLiveDir: string}): TlsFiles {
  if ('certbotLiveDir' in tls) {
    const dir = checkNginxPath(tls.certbotLiveDir.replace(/\/+$/, ''), 'certbot live dir')
    return {certificate: `${dir}/fullchain.pem`, key: `${dir}/privkey.pem`}
  }
  return {
    certificate: checkNginxPath(tls.certificate, 'TLS certificate path'),
    key: checkNginxPath(tls.key, 'TLS key path'),
  }
}

/** nginx upstream name: `_` never appears in resource names, so tenant and instance cannot run together. */
export const upstreamName = (tenant: string, instance: string) => `aims_${tenant}_${instance}`

/** Validates every field, then renders. Throws a usage AimsError naming the first bad value. */
export function renderPlugConf(template: string, input: PlugConfInput): string {
  const tenant = checkResourceName('tenant', input.tenant)
  const instance = checkResourceName('instance', input.instance)
  if (typeof input.plug !== 'string' || !RESOURCE_NAME.test(input.plug))
    throw usageError(`invalid plug id ${shown(String(input.plug))}`, 'plug ids are 1-32 of a-z, 0-9 and "-"')
  const plug = input.plug

  if (!Array.isArray(input.serverNames)) throw usageError('server names must be a list', 'pass [] for no route')
  const serverNames = [...new Set(input.serverNames.map(checkServerName))]

  if (!Array.isArray(input.upstreams) || input.upstreams.length === 0) {
    throw usageError(
      `no upstream for ${tenant}/${instance}: nginx needs at least one replica to proxy to`,
      'start a replica, or remove the conf while there is none',
    )
  }
  const seen = new Set<string>()
  const upstreams: TemplateContext[] = []
  for (const upstream of input.upstreams) {
    const host = checkUpstreamHost(upstream?.host)
    const port = checkPort(upstream?.port, 'upstream port')
    // Replicas are listed once each; a repeated address would only skew the balancing.
    if (seen.has(`${host}:${port}`)) continue
    seen.add(`${host}:${port}`)
    upstreams.push({host, port})
  }

  const proxy = input.proxy
  if (!proxy || typeof proxy !== 'object')
    throw usageError('proxy settings are missing', "pass the catalog plug's proxy settings")
  const clientMaxBodySize = checkBodySize(proxy.clientMaxBodySize)
  const readTimeoutSeconds = checkTimeoutSeconds(proxy.readTimeoutSeconds)
  if (typeof proxy.websockets !== 'boolean')
    throw usageError(`invalid websockets setting ${shown(String(proxy.websockets))}`, 'use true or false')

  const keepalive = input.keepalive ?? 16
  if (!Number.isInteger(keepalive) || keepalive < 1 || keepalive > 1024)
    throw usageError(`invalid keepalive ${shown(String(keepalive))}`, 'give a whole number between 1 and 1024')

  const httpPort = checkPort(input.ports?.http ?? 80, 'nginx HTTP port')
  const httpsPort = checkPort(input.ports?.https ?? 443, 'nginx HTTPS port')
  const tls = input.tls
    ? {
        certificate: checkNginxPath(input.tls.certificate, 'TLS certificate path'),
        key: checkNginxPath(input.tls.key, 'TLS key path'),
      }
    : undefined
  const routed = serverNames.length > 0
  const routes = checkRoutes(input.routes ?? [], tenant, instance)

  const context: TemplateContext = {
    owner: `${tenant}/${instance}`,
    tenant,
    instance,
    plug,
    upstreamName: upstreamName(tenant, instance),
    upstreams,
    keepalive,
    routed,
    unrouted: !routed,
    firstUpstreamPort: upstreams[0]!.port as number,
    serverNames: serverNames.map((name) => ({name})),
    routes,
    ipv6: input.listenIpv6 === true,
    httpPort,
    httpsPort,
    // The redirect names the HTTPS port only when it is not the default one.
    customHttpsPort: httpsPort !== 443,
    clientMaxBodySize,
    readTimeoutSeconds,
    websockets: proxy.websockets,
    tls: tls !== undefined,
    tlsCertificate: tls?.certificate ?? '',
    tlsKey: tls?.key ?? '',
  }
  const rendered = renderTemplate(template, context, {templateName: PLUG_CONF_TEMPLATE, checkValue: checkNginxToken})
  if (!rendered.startsWith(`${confOwnerLine(tenant, instance)}\n`)) {
    throw usageError(
      `the nginx template does not start with the owner line "${OWNER_PREFIX}{{owner}}"`,
      'keep the owner line first in templates/nginx/plug.conf.tmpl: the proxy service relies on it',
    )
  }
  return rendered
}

/** A location prefix: a plain absolute URL path (no regex, no `..`, no characters nginx would read). */
export function checkRoutePath(value: string): string {
  if (typeof value === 'string' && /^\/[A-Za-z0-9._~/-]{0,255}$/.test(value) && !value.split('/').includes('..'))
    return value
  throw usageError(`invalid route path ${shown(String(value))}`, 'give a plain URL path prefix such as /api/')
}

/** Each path route gets an upstream of its own (`aims_T_I_rN`), proxied with the same headers as `/`. */
function checkRoutes(routes: Array<{path: string; host: string; port: number}>, tenant: string, instance: string) {
  if (!Array.isArray(routes)) throw usageError('routes must be a list', 'pass [] for none')
  const paths = new Set<string>()
  return routes.map((route, index) => {
    const path = checkRoutePath(route?.path)
    if (path === '/' || paths.has(path))
      throw usageError(`route ${shown(path)} is given twice (or is "/")`, 'route each path prefix once')
    paths.add(path)
    return {
      path,
      routeUpstream: `${upstreamName(tenant, instance)}_r${index + 1}`,
      routeHost: checkUpstreamHost(route.host),
      routePort: checkPort(route.port, 'route port'),
    }
  })
}

export interface IncludeConfOptions {
  /**
   * Raise server_names_hash_bucket_size so names such as
   * `my-instance.customer.apps.example.com` fit (the default bucket of 64 bytes
   * refuses names over ~46 characters once two servers share port 80). Off when
   * the main nginx.conf already sets it: nginx refuses the directive twice.
   */
  tuneServerNamesHash?: boolean
}

/** Directives the include file may set that nginx refuses to see twice. */
export const HASH_TUNING_DIRECTIVES = ['server_names_hash_bucket_size', 'server_names_hash_max_size'] as const

/**
 * The file aims installs in /etc/nginx/conf.d/ (the stock nginx.conf includes
 * conf.d/*.conf, but not subdirectories): the WebSocket upgrade map shared by
 * every plug conf, and an include of the conf dir.
 */
export function renderIncludeConf(confDir: string, options: IncludeConfOptions = {}): string {
  const dir = checkNginxPath(confDir.replace(/\/+$/, ''), 'nginx conf dir')
  const tune = options.tuneServerNamesHash ?? true
  return [
    '# Managed by aims: routes to plug instances. Rewritten by aims; edits are lost.',
    '',
    '# "upgrade" for WebSocket requests; empty otherwise, so keepalive to upstreams works.',
    `map $http_upgrade ${CONNECTION_UPGRADE_VARIABLE} {`,
    '    default upgrade;',
    "    ''      '';",
    '}',
    '',
    ...(tune
      ? [
          '# Server names up to 253 characters, and hundreds of them.',
          'server_names_hash_bucket_size 512;',
          'server_names_hash_max_size 8192;',
          '',
        ]
      : []),
    `include ${dir}/*.conf;`,
    '',
  ].join('\n')
}

/**
 * Confs in the conf dir that belong to no live instance (doctor reports them,
 * `plug down` and cleanup remove them). Files that are not `.conf` (an
 * interrupted atomic write's temp file) are not nginx's concern and are skipped.
 */
export function staleConfs(confNames: string[], liveInstances: Array<{tenant: string; instance: string}>): string[] {
  const live = new Set(liveInstances.map((ref) => `${ref.tenant}-${ref.instance}.conf`))
  return confNames.filter((name) => name.endsWith('.conf') && !live.has(name)).sort()
}
