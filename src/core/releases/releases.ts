/**
 * Releases: what each deploy, upgrade and rollback of an instance ran (image and digest per
 * service, env with secret values redacted, resources), kept on the host in
 * /var/lib/aims/releases/TENANT/INSTANCE.json. Pure: the history as a value and what changes it.
 */
import {AimsError} from '../errors.js'

export const REDACTED = '••••••'
/** Successful releases kept per instance (`aims plug rollback` can go back to any of them). */
export const KEEP_RELEASES = 3

export interface ReleaseService {
  image: string
  /** The engine's image id: what a rollback runs when the tag has moved. */
  imageId?: string
  /** repo@sha256:… as the registry knows it (absent for images that never came from a registry). */
  digest?: string
  replicas: number
  /** The service's env, secret values replaced by ••••••. */
  env: Record<string, string>
  memoryBytes?: number
  nanoCpus?: number
}

export type ReleaseAction = 'deploy' | 'upgrade' | 'rollback'
export type ReleaseStatus = 'active' | 'previous' | 'failed'

export interface Release {
  id: number
  at: string
  actor: string
  action: ReleaseAction
  status: ReleaseStatus
  services: Record<string, ReleaseService>
  /** The pre-upgrade snapshot (aims plug backups). */
  backup?: string
  /** Why a failed release failed. */
  reason?: string
}

export interface ReleaseHistory {
  version: 1
  tenant: string
  instance: string
  releases: Release[]
}

export const releasesPath = (stateDir: string, tenant: string, instance: string) =>
  `${stateDir}/releases/${tenant}/${instance}.json`

export function emptyHistory(tenant: string, instance: string): ReleaseHistory {
  return {version: 1, tenant, instance, releases: []}
}

export function parseHistory(text: string | undefined, tenant: string, instance: string): ReleaseHistory {
  if (!text) return emptyHistory(tenant, instance)
  try {
    const value = JSON.parse(text) as ReleaseHistory
    if (value.version === 1 && Array.isArray(value.releases)) return {...value, tenant, instance}
  } catch {
    // fall through: an unreadable history is started again rather than blocking the upgrade
  }
  return emptyHistory(tenant, instance)
}

export function redactEnv(env: Record<string, string>, secretKeys: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).map(([key, value]) => [key, secretKeys.includes(key) ? REDACTED : value]),
  )
}

export const activeRelease = (history: ReleaseHistory): Release | undefined =>
  history.releases.find((release) => release.status === 'active')

/**
 * Adds a release. A successful one becomes active (the one before it previous); a failed one
 * changes nothing else. Only the last KEEP_RELEASES successful releases are kept, with the
 * failed attempts newer than the oldest of them.
 */
export function addRelease(history: ReleaseHistory, release: Omit<Release, 'id'>): ReleaseHistory {
  const id = Math.max(0, ...history.releases.map((entry) => entry.id)) + 1
  const releases = history.releases.map((entry) =>
    release.status === 'active' && entry.status === 'active' ? {...entry, status: 'previous' as const} : entry,
  )
  releases.push({id, ...release})
  const good = releases.filter((entry) => entry.status !== 'failed')
  const oldestKept = good.length > KEEP_RELEASES ? good[good.length - KEEP_RELEASES]!.id : 0
  return {...history, releases: releases.filter((entry) => entry.id >= oldestKept)}
}

/** The release a rollback goes to: the one asked for, else the newest successful one before the active one. */
export function rollbackTarget(history: ReleaseHistory, to?: number): Release {
  const active = activeRelease(history)
  if (to !== undefined) {
    const chosen = history.releases.find((entry) => entry.id === to)
    if (!chosen)
      throw new AimsError('not-found', `release ${to} is not in the history`, {
        hint: `the history keeps the last ${KEEP_RELEASES} releases: see aims plug releases`,
      })
    if (chosen.status === 'failed')
      throw new AimsError('validation', `release ${to} failed its health gate and cannot be rolled back to`, {
        hint: 'pick a release that ran (aims plug releases)',
      })
    if (chosen.id === active?.id)
      throw new AimsError('validation', `release ${to} is the one running`, {hint: 'see aims plug releases'})
    return chosen
  }
  const before = history.releases
    .filter((entry) => entry.status === 'previous' && (!active || entry.id < active.id))
    .at(-1)
  if (!before)
    throw new AimsError('not-found', `${history.tenant}/${history.instance} has no earlier release to roll back to`, {
      hint: 'see aims plug releases',
    })
  return before
}
