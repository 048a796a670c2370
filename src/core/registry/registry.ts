/**
 * The Registry HTTP API v2 as aims reads it (tags, manifest digests, auth challenges), and which tags
 * are newer than the one an instance runs. Pure: the adapter does the HTTP; this parses its answers.
 */
import {AimsError} from '../errors.js'
import {DOCKER_HUB} from '../releases/image-ref.js'

export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
].join(', ')

export interface RegistryCredentials {
  username: string
  password: string
}

export type AuthChallenge =
  {scheme: 'basic'; realm: string} | {scheme: 'bearer'; realm: string; service?: string; scope?: string}

/** `Www-Authenticate: Basic realm="x"` or `Bearer realm="https://auth…",service="…",scope="…"`. */
export function parseChallenge(header: string | null | undefined): AuthChallenge | undefined {
  if (!header) return undefined
  const match = /^\s*(\w+)\s+(.*)$/.exec(header)
  if (!match) return undefined
  const params: Record<string, string> = {}
  for (const part of match[2]!.matchAll(/(\w+)="([^"]*)"/g)) params[part[1]!.toLowerCase()] = part[2]!
  const scheme = match[1]!.toLowerCase()
  if (scheme === 'basic') return {scheme: 'basic', realm: params.realm ?? ''}
  if (scheme === 'bearer' && params.realm)
    return {
      scheme: 'bearer',
      realm: params.realm,
      ...(params.service ? {service: params.service} : {}),
      ...(params.scope ? {scope: params.scope} : {}),
    }
  return undefined
}

/** The first error of a registry's `{"errors": [...]}` body. */
export function registryError(body: string): {code: string; message: string} | undefined {
  try {
    const first = (JSON.parse(body) as {errors?: Array<{code?: string; message?: string}>}).errors?.[0]
    return first ? {code: first.code ?? 'UNKNOWN', message: first.message ?? ''} : undefined
  } catch {
    return undefined
  }
}

export function parseTagsList(body: string): string[] {
  const value = JSON.parse(body) as {tags?: string[] | null}
  return Array.isArray(value.tags) ? value.tags.filter((tag) => typeof tag === 'string') : []
}

/** `Link: </v2/x/tags/list?last=a&n=100>; rel="next"` → the path to follow. */
export function nextLink(header: string | null | undefined): string | undefined {
  const match = header ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(header) : null
  return match?.[1]
}

/** Where a registry's API is: Docker Hub's names are served by registry-1.docker.io. */
export function apiHost(registry: string): string {
  return registry === DOCKER_HUB ? 'registry-1.docker.io' : registry
}

/** Loopback registries speak plain HTTP (as dockerd allows for 127.0.0.0/8); others HTTPS. */
export function registryScheme(registry: string): 'http' | 'https' {
  return /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/.test(registry) ? 'http' : 'https'
}

export function registryFailure(registry: string, status: number, body: string, what: string): AimsError {
  const error = registryError(body)
  if (status === 401 || status === 403)
    return new AimsError('remote', `${registry} refused ${what}: ${error?.message ?? `HTTP ${status}`}`, {
      hint: `log in first: aims registry login ${registry}`,
    })
  if (status === 404)
    return new AimsError('not-found', `${registry} has no ${what.replace(/^(the )?/, '')} (${error?.code ?? '404'})`, {
      hint: 'check the image name',
    })
  return new AimsError('remote', `${registry} answered HTTP ${status} for ${what}${error ? `: ${error.message}` : ''}`)
}

// ---- versions --------------------------------------------------------------------------------

export interface TagVersion {
  tag: string
  /** Numeric parts: 1.24.3 → [1, 24, 3]. */
  numbers: number[]
  /** What follows the version (`-alpine`, `-slim`): only tags of the same variant compare. */
  variant: string
  prefix: string
}

/** `1`, `1.2`, `v1.2.3`, `1.2.3-alpine` → a version; `latest`, `sick`, `main` → undefined. */
export function tagVersion(tag: string): TagVersion | undefined {
  const match = /^(v?)(\d+(?:\.\d+){0,3})([-+_].*)?$/.exec(tag)
  if (!match) return undefined
  return {tag, prefix: match[1]!, numbers: match[2]!.split('.').map(Number), variant: match[3] ?? ''}
}

export function compareVersions(a: TagVersion, b: TagVersion): number {
  for (let index = 0; index < Math.max(a.numbers.length, b.numbers.length); index++) {
    const difference = (a.numbers[index] ?? 0) - (b.numbers[index] ?? 0)
    if (difference !== 0) return difference
  }
  // 1.2.0 after 1.2 (more precise), so a re-pin to the exact version is offered once.
  return a.numbers.length - b.numbers.length
}

/**
 * Tags newer than `current`, oldest first: same variant and prefix, the same major unless `major`.
 * A current tag that is not a version (latest, main) has no newer tags.
 */
export function newerTags(current: string, tags: string[], options: {major?: boolean} = {}): string[] {
  const now = tagVersion(current)
  if (!now) return []
  return tags
    .map(tagVersion)
    .filter((candidate): candidate is TagVersion => candidate !== undefined)
    .filter(
      (candidate) =>
        candidate.variant === now.variant &&
        candidate.prefix === now.prefix &&
        (options.major || candidate.numbers[0] === now.numbers[0]) &&
        compareVersions(candidate, now) > 0,
    )
    .sort(compareVersions)
    .map((candidate) => candidate.tag)
}
