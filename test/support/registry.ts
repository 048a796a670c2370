/**
 * The bed's real registries (Debian's docker-registry, distribution 2.8, on
 * loopback; test/bed/lib/registry.sh): addresses and credentials from
 * .bed/bed.json, and a few direct calls to the Registry HTTP API v2 so tests
 * can check what aims did against what the registry holds.
 */
import {execFile} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {promisify} from 'node:util'
import {bed} from './aims.js'

const run = promisify(execFile)

export interface RegistryCredentials {
  registry: string
  username: string
  password: string
}

export interface BedRegistries {
  /** host:port, no auth; the bed dockerd's mirror for Docker Hub names. */
  open: string
  /** host:port, basic auth. */
  auth: string
  mirror: string
  dockerConfig: string
  /** `aims-fixture/remote-web:1`: in both registries only. */
  remoteImage: string
  baseImages: {debian: string; node: string; python: string}
  credentials(): RegistryCredentials
}

export function bedRegistries(): BedRegistries {
  const config = bed().registry
  if (!config) throw new Error('.bed/bed.json has no registry: run test/bed/setup.sh again')
  return {
    ...config,
    credentials: () => JSON.parse(readFileSync(config.authCredentials, 'utf8')) as RegistryCredentials,
  }
}

const MANIFEST_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
].join(', ')

export interface RegistryAnswer {
  status: number
  headers: Headers
  body: string
}

/** One request to a registry's v2 API (`path` starts with /v2/). */
export async function registryRequest(
  registry: string,
  path: string,
  options: {method?: string; auth?: RegistryCredentials; accept?: string} = {},
): Promise<RegistryAnswer> {
  const headers: Record<string, string> = {Accept: options.accept ?? MANIFEST_TYPES}
  if (options.auth)
    headers.Authorization = `Basic ${Buffer.from(`${options.auth.username}:${options.auth.password}`).toString('base64')}`
  const response = await fetch(`http://${registry}${path}`, {method: options.method ?? 'GET', headers})
  return {status: response.status, headers: response.headers, body: await response.text()}
}

/** The manifest digest `repo:tag` has in `registry`, or undefined when it has none. */
export async function registryDigest(
  registry: string,
  repository: string,
  tag: string,
  auth?: RegistryCredentials,
): Promise<string | undefined> {
  const answer = await registryRequest(registry, `/v2/${repository}/manifests/${tag}`, {method: 'HEAD', auth})
  return answer.status === 200 ? (answer.headers.get('docker-content-digest') ?? undefined) : undefined
}

/** Removes an image (all given references) from the bed's engine; absent is fine. */
export async function removeLocalImage(...references: string[]): Promise<void> {
  for (const reference of references)
    await run('/usr/bin/docker', ['image', 'rm', '--force', reference]).catch(() => undefined)
}

/** The engine's view of an image: its RepoDigests, or undefined when absent. */
export async function localRepoDigests(reference: string): Promise<string[] | undefined> {
  try {
    const {stdout} = await run('/usr/bin/docker', ['image', 'inspect', '--format', '{{json .RepoDigests}}', reference])
    return JSON.parse(stdout) as string[]
  } catch {
    return undefined
  }
}
