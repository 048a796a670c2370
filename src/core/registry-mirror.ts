/**
 * A host's registry mirror (`aims host add … --registry-mirror HOST[:PORT][/PREFIX]`): images of registries other
 * than Docker Hub (ghcr.io/…, quay.io/…) pull from it, since dockerd's own `registry-mirrors` apply to Docker Hub
 * names only. The mirror keeps the origin registry as the first path component
 * (`ghcr.io/bytedance/x:1` → `MIRROR/ghcr.io/bytedance/x:1`), so images of two registries with the same path never
 * meet. Pure.
 */
import {shown, usageError} from './errors.js'

const HOST_PART =
  /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*|\[[0-9a-f:]+\])(?::\d{1,5})?$/
const PATH_PART = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/

/** `HOST[:PORT][/PREFIX…]`, lower case, no scheme (dockerd speaks HTTPS, or HTTP to an insecure registry). */
export function checkRegistryMirror(value: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value))
    throw usageError(
      `invalid --registry-mirror ${shown(value)}: give the registry without a scheme`,
      'write it as dockerd names images, e.g. 127.0.0.1:5000 or mirror.example.com/cache',
    )
  const [host = '', ...path] = value.replace(/\/+$/, '').split('/')
  const port = /:(\d+)$/.exec(host)?.[1]
  if (!HOST_PART.test(host) || (port !== undefined && !(Number(port) >= 1 && Number(port) <= 65_535)))
    throw usageError(
      `invalid --registry-mirror ${shown(value)}: ${shown(host)} is not a registry host[:port]`,
      'give a registry such as 127.0.0.1:5000 or mirror.example.com',
    )
  if (path.some((part) => !PATH_PART.test(part)))
    throw usageError(
      `invalid --registry-mirror ${shown(value)}: its path must be lower-case repository components`,
      'give a prefix such as mirror.example.com/cache',
    )
  return [host, ...path].join('/')
}

/** The registry part of an image reference, or undefined for Docker Hub (no registry, or docker.io). */
export function imageRegistry(image: string): string | undefined {
  const slash = image.indexOf('/')
  if (slash < 0) return undefined
  const first = image.slice(0, slash)
  if (!first.includes('.') && !first.includes(':') && first !== 'localhost') return undefined
  return first === 'docker.io' || first === 'index.docker.io' ? undefined : first
}

/**
 * Where to pull an image from through the host's mirror: undefined when the image is a Docker Hub one (dockerd's own
 * mirror serves those) or already names the mirror.
 */
export function mirroredReference(image: string, mirror: string | undefined): string | undefined {
  if (!mirror) return undefined
  const registry = imageRegistry(image)
  if (!registry) return undefined
  const mirrorHost = mirror.split('/')[0]
  if (registry === mirrorHost) return undefined
  return `${mirror}/${image}`
}
