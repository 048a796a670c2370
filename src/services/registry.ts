/**
 * Registries: newer tags of what instances run (`aims plug outdated`) and of what the catalog pins
 * (`aims catalog outdated`), registry credentials (`aims registry login | logout`, in the secret
 * store, never printed) and the per-pull auth the engine is given.
 */
import {AimsError} from '../core/errors.js'
import {
  MANIFEST_ACCEPT,
  newerTags,
  nextLink,
  parseTagsList,
  registryFailure,
  type RegistryCredentials,
} from '../core/registry/registry.js'
import {parseImageReference, type ImageReference} from '../core/releases/image-ref.js'
import {registrySecretName} from '../core/secrets.js'
import {sanitizeUntrusted} from '../core/text/sanitize.js'
import type {CatalogSource} from './catalog-port.js'
import {readInstances, requireInstance} from './instances.js'
import type {HostSession, RegistryClient} from './ports.js'
import type {SecretStore} from './secret-store.js'

export type CredentialsFor = (registry: string) => Promise<RegistryCredentials | undefined>

/** Credentials stored by `aims registry login` for a registry (host[:port]). */
export function storedCredentials(secrets: Pick<SecretStore, 'get'>): CredentialsFor {
  return async (registry) => {
    const stored = await secrets.get(registrySecretName(registry)).catch(() => undefined)
    if (!stored) return undefined
    try {
      const value = JSON.parse(stored.value) as RegistryCredentials
      return value.username && value.password ? {username: value.username, password: value.password} : undefined
    } catch {
      return undefined
    }
  }
}

/** The auth the engine needs for one pull of `image` (undefined: pull anonymously). */
export async function pullAuth(
  credentials: CredentialsFor,
  image: string,
): Promise<{username: string; password: string; serveraddress: string} | undefined> {
  const {registry} = parseImageReference(image)
  const found = await credentials(registry)
  return found ? {...found, serveraddress: registry} : undefined
}

export async function listTags(
  client: RegistryClient,
  image: Pick<ImageReference, 'registry' | 'repository'>,
  credentials: RegistryCredentials | undefined,
): Promise<string[]> {
  const tags: string[] = []
  let path: string | undefined = `/v2/${image.repository}/tags/list?n=1000`
  for (let page = 0; path && page < 50; page++) {
    const answer = await client.request(image.registry, path, {method: 'GET', credentials})
    if (answer.status !== 200)
      throw registryFailure(image.registry, answer.status, answer.body, `the tags of ${image.repository}`)
    tags.push(...parseTagsList(answer.body))
    path = nextLink(answer.headers.link)
  }
  return tags
}

export async function manifestDigest(
  client: RegistryClient,
  image: Pick<ImageReference, 'registry' | 'repository'>,
  tag: string,
  credentials: RegistryCredentials | undefined,
): Promise<string | undefined> {
  const answer = await client.request(image.registry, `/v2/${image.repository}/manifests/${tag}`, {
    method: 'HEAD',
    accept: MANIFEST_ACCEPT,
    credentials,
  })
  if (answer.status === 404) return undefined
  if (answer.status !== 200)
    throw registryFailure(image.registry, answer.status, answer.body, `the manifest of ${image.repository}:${tag}`)
  const digest = answer.headers['docker-content-digest']
  return digest && /^sha256:[0-9a-f]{64}$/.test(digest) ? digest : undefined
}

export interface OutdatedRow {
  /** TENANT/INSTANCE (plug outdated) or the plug id (catalog outdated). */
  subject: string
  service: string
  image: string
  tag: string
  /** The digest the registry has for the current tag now. */
  digest?: string
  newer: string[]
  latest?: {tag: string; digest?: string}
  error?: string
}

export interface OutdatedResult {
  rows: OutdatedRow[]
  /** Whether newer majors were considered. */
  major: boolean
}

export interface OutdatedDeps {
  registry: RegistryClient
  credentials: CredentialsFor
}

async function outdatedRow(
  deps: OutdatedDeps,
  subject: string,
  service: string,
  image: string,
  major: boolean,
): Promise<OutdatedRow> {
  let reference: ImageReference
  try {
    reference = parseImageReference(image)
  } catch (error) {
    return {subject, service, image, tag: '', newer: [], error: (error as Error).message}
  }
  const tag = reference.tag ?? 'latest'
  try {
    const credentials = await deps.credentials(reference.registry)
    const tags = await listTags(deps.registry, reference, credentials)
    const newer = newerTags(tag, tags, {major})
    const digest = await manifestDigest(deps.registry, reference, tag, credentials)
    const newest = newer.at(-1)
    const latestDigest = newest ? await manifestDigest(deps.registry, reference, newest, credentials) : undefined
    return {
      subject,
      service,
      image,
      tag,
      ...(digest ? {digest} : {}),
      newer,
      ...(newest ? {latest: {tag: newest, ...(latestDigest ? {digest: latestDigest} : {})}} : {}),
    }
  } catch (error) {
    return {subject, service, image, tag, newer: [], error: sanitizeUntrusted((error as Error).message)}
  }
}

/** `aims plug outdated [INSTANCE]`: every service's image on the host against its registry. */
export async function plugOutdated(
  deps: OutdatedDeps & {session: HostSession},
  options: {ref?: Parameters<typeof requireInstance>[2]; major: boolean},
): Promise<OutdatedResult> {
  const engine = await deps.session.engine()
  const views = options.ref
    ? [await requireInstance(deps.session, engine, options.ref)]
    : await readInstances(deps.session, engine)
  const rows: OutdatedRow[] = []
  for (const view of views) {
    const seen = new Set<string>()
    for (const replica of view.replicas) {
      if (seen.has(replica.service)) continue
      seen.add(replica.service)
      rows.push(await outdatedRow(deps, view.ref, replica.service, replica.image, options.major))
    }
  }
  return {rows, major: options.major}
}

/** `aims catalog outdated`: the images the catalog pins against their registries. */
export async function catalogOutdated(
  deps: OutdatedDeps & {catalog: CatalogSource},
  options: {major: boolean; registry?: string | undefined},
): Promise<OutdatedResult> {
  const rows: OutdatedRow[] = []
  const ofRegistry = (image: string) => {
    try {
      return parseImageReference(image).registry
    } catch {
      return undefined
    }
  }
  for (const {plug} of await deps.catalog.list()) {
    for (const [service, spec] of Object.entries(plug.services)) {
      if (options.registry && ofRegistry(spec.image) !== options.registry) continue
      rows.push(await outdatedRow(deps, plug.id, service, spec.image, options.major))
    }
  }
  return {rows, major: options.major}
}

/** The newest tag of the instance's service image (within its major unless `major`). */
export async function newestTagFor(deps: OutdatedDeps, image: string, major: boolean): Promise<string | undefined> {
  const reference = parseImageReference(image)
  const tags = await listTags(deps.registry, reference, await deps.credentials(reference.registry))
  return newerTags(reference.tag ?? 'latest', tags, {major}).at(-1)
}

// ---- login --------------------------------------------------------------------------------

export interface RegistryLoginResult {
  registry: string
  username: string
  stored: string
  replaced: boolean
}

const REGISTRY_HOST = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?$|^\[[0-9a-f:]+\](:\d{1,5})?$/

export function checkRegistryHost(value: string): string {
  const host = value
    .trim()
    .toLowerCase()
    .replace(/^https?:\/\//, '')
    .replace(/\/+$/, '')
  if (!REGISTRY_HOST.test(host))
    throw new AimsError('usage', `${value.slice(0, 80)} is not a registry host`, {
      hint: 'a registry is HOST or HOST:PORT, e.g. ghcr.io or 127.0.0.1:5001',
    })
  return host === 'index.docker.io' || host === 'registry-1.docker.io' ? 'docker.io' : host
}

/** Checks the credentials against the registry's /v2/ (through the host), then stores them. */
export async function registryLogin(
  deps: {registry: RegistryClient; secrets: SecretStore},
  request: {registry: string; username: string; password: string},
): Promise<RegistryLoginResult> {
  const credentials = {username: request.username, password: request.password}
  const answer = await deps.registry.request(request.registry, '/v2/', {method: 'GET', credentials})
  if (answer.status === 401 || answer.status === 403)
    throw new AimsError('validation', `${request.registry} refused the username or password`, {
      hint: 'check them and log in again (nothing was stored)',
    })
  if (answer.status !== 200)
    throw new AimsError('remote', `${request.registry} answered HTTP ${answer.status} on /v2/: is it a registry?`, {
      hint: 'a registry answers the Registry HTTP API v2 at https://HOST/v2/',
    })
  const stored = await deps.secrets.set(registrySecretName(request.registry), JSON.stringify(credentials))
  return {
    registry: request.registry,
    username: request.username,
    stored: stored.location.store === 'keychain' ? `keychain (${stored.location.detail})` : stored.location.detail,
    replaced: stored.replaced,
  }
}

export async function registryLogout(
  deps: {secrets: SecretStore},
  registry: string,
): Promise<{registry: string; removed: boolean}> {
  const result = await deps.secrets.delete(registrySecretName(registry))
  return {registry, removed: result.removed.length > 0}
}
