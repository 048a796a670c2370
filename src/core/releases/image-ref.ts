/**
 * Image references as the engine and registries read them: `[registry/]repository[:tag][@digest]`.
 * Pure: used by upgrades (the same repository at another tag), releases and `outdated`.
 */
import {AimsError} from '../errors.js'

export interface ImageReference {
  /** host[:port]; `docker.io` for Docker Hub names. */
  registry: string
  /** `library/nginx` for Docker Hub's official images. */
  repository: string
  tag?: string
  digest?: string
}

export const DOCKER_HUB = 'docker.io'
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/
const DIGEST = /^sha256:[0-9a-f]{64}$/
const REPOSITORY = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/

export function isTag(value: string): boolean {
  return TAG.test(value)
}

/** Parses an image reference; a malformed one is a validation error naming it. */
export function parseImageReference(reference: string): ImageReference {
  let rest = reference.trim()
  let digest: string | undefined
  const at = rest.indexOf('@')
  if (at >= 0) {
    digest = rest.slice(at + 1)
    rest = rest.slice(0, at)
    if (!DIGEST.test(digest)) throw badReference(reference, 'the digest is not sha256:<64 hex digits>')
  }
  const parts = rest.split('/')
  let registry = DOCKER_HUB
  if (parts.length > 1 && /[.:]|^localhost$/.test(parts[0]!)) registry = parts.shift()!
  let last = parts.pop() ?? ''
  let tag: string | undefined
  const colon = last.lastIndexOf(':')
  if (colon >= 0) {
    tag = last.slice(colon + 1)
    last = last.slice(0, colon)
    if (!TAG.test(tag)) throw badReference(reference, `"${tag}" is not a valid tag`)
  }
  parts.push(last)
  let repository = parts.join('/')
  if (registry === DOCKER_HUB && parts.length === 1) repository = `library/${repository}`
  if (!REPOSITORY.test(repository)) throw badReference(reference, `"${repository}" is not a valid repository name`)
  return {registry, repository, ...(tag ? {tag} : {}), ...(digest ? {digest} : {})}
}

function badReference(reference: string, why: string): AimsError {
  return new AimsError('validation', `image reference "${reference}" is invalid: ${why}`, {
    hint: 'an image is [REGISTRY/]REPOSITORY[:TAG][@sha256:DIGEST]',
  })
}

/** The reference as written in a catalog (Docker Hub names without docker.io/ and library/). */
export function formatImageReference(image: ImageReference): string {
  const repository =
    image.registry === DOCKER_HUB ? image.repository.replace(/^library\//, '') : `${image.registry}/${image.repository}`
  return `${repository}${image.tag ? `:${image.tag}` : ''}${image.digest ? `@${image.digest}` : ''}`
}

/** The same repository at another tag (any digest dropped). */
export function withTag(reference: string, tag: string): string {
  if (!TAG.test(tag))
    throw new AimsError('validation', `--to ${tag}: not a valid tag`, {
      hint: 'a tag is letters, digits, _ . - (at most 128), e.g. --to 1.4.2',
    })
  const {registry, repository} = parseImageReference(reference)
  return formatImageReference({registry, repository, tag})
}
