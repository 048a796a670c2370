/**
 * Static sites (aims site): where a site lives on the host, its nginx conf, its releases and its
 * basic-auth file. nginx serves the files itself, no container: each deploy unpacks a new release
 * directory, then one rename switches the `current` symlink, so a request sees the old release or
 * the new one, never a half-written one. Pure.
 */
import {AimsError} from '../errors.js'
import {checkResourceName} from '../names.js'
import {checkNginxToken, checkServerName, confOwnerLine} from '../proxy/plug-conf.js'

/** Readable by nginx's workers (the host's state dir is not). */
export const SITES_ROOT = '/var/www/aims-sites'

/** Releases kept per site (the current one always). */
export const KEEP_RELEASES = 5

export const siteDir = (tenant: string, name: string) =>
  `${SITES_ROOT}/${checkResourceName('tenant', tenant)}/${checkResourceName('instance', name)}`

export const siteConfFile = (tenant: string, name: string) => `site-${tenant}-${name}.conf`

export interface SiteRelease {
  id: string
  /** ISO time of the deploy. */
  at: string
  files: number
  bytes: number
  actor: string
}

/** What the host keeps about a site (SITE_DIR/site.json, next to its releases). */
export interface SiteRecord {
  tenant: string
  name: string
  domain: string
  protected: boolean
  releases: SiteRelease[]
}

/** A release id sorts by time: 20261203T101500Z-1a2b3c. */
export function releaseId(now: Date, random: string): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')
  return `${stamp}-${random
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '')
    .slice(0, 6)}`
}

export const RELEASE_ID = /^\d{8}T\d{6}Z-[a-z0-9]{1,6}$/

/** `NAME.TENANT.DOMAIN` on a host with a domain; else `NAME.TENANT.localhost` (reachable on the host itself). */
export function siteDomain(input: {name: string; tenant: string; hostDomain?: string | undefined}): string {
  return checkServerName(`${input.name}.${input.tenant}.${input.hostDomain ?? 'localhost'}`)
}

export function renderSiteConf(input: {
  tenant: string
  name: string
  domain: string
  protected: boolean
  httpPort?: number
  /** Names this conf's settings (X-Aims-Site: OWNER@REVISION), so aims can tell when a reload took effect. */
  revision: string
}): string {
  const dir = siteDir(input.tenant, input.name)
  const domain = checkServerName(input.domain)
  for (const [what, value] of [
    ['site dir', dir],
    ['server name', domain],
  ] as const)
    checkNginxToken(what, value)
  const owner = `${input.tenant}/${input.name}`
  checkNginxToken('revision', input.revision)
  const headers = [`        add_header X-Aims-Site ${owner}@${input.revision} always;`]
  const auth = input.protected ? [`    auth_basic "${owner}";`, `    auth_basic_user_file ${dir}/htpasswd;`] : []
  return [
    confOwnerLine(input.tenant, input.name),
    `# Managed by aims: static site ${owner}. Rewritten on every deploy; edits are lost.`,
    '',
    'server {',
    `    listen ${input.httpPort ?? 80};`,
    `    server_name ${domain};`,
    `    root ${dir}/current;`,
    '    index index.html;',
    ...auth,
    '',
    '    # Pages are checked on every visit; hashed assets may be cached for a week.',
    '    location / {',
    ...headers,
    '        add_header Cache-Control "no-cache" always;',
    '        try_files $uri $uri/ =404;',
    '    }',
    '    location ~* \\.(?:css|js|mjs|png|jpe?g|gif|svg|webp|ico|woff2?|ttf)$ {',
    ...headers,
    '        add_header Cache-Control "public, max-age=604800" always;',
    '        try_files $uri =404;',
    '    }',
    '    location ~ /\\. {',
    '        return 404;',
    '    }',
    '}',
    '',
  ].join('\n')
}

/** An htpasswd line in nginx's {SSHA} scheme: base64(sha1(password + salt) + salt). */
export function htpasswdLine(user: string, digestWithSalt: string): string {
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(user))
    throw new AimsError('usage', `invalid user name ${JSON.stringify(user)}`, {hint: 'letters, digits, ".", "_", "-"'})
  return `${user}:{SSHA}${digestWithSalt}\n`
}

export function parseSiteRecord(text: string | undefined): SiteRecord | undefined {
  if (!text) return undefined
  try {
    const record = JSON.parse(text) as SiteRecord
    return Array.isArray(record.releases) ? record : undefined
  } catch {
    return undefined
  }
}
