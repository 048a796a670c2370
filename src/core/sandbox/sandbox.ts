/**
 * Sandboxes (aims sandbox): throwaway containers with a TTL. Isolation is the container spec: its own
 * network, no published ports, no mounts (so no Docker socket), CPU, memory and process limits,
 * fewer capabilities, no-new-privileges. The TTL is enforced twice: the container's main process is
 * `sleep TTL`, so the engine stops and removes it (AutoRemove) at its TTL with no aims running; and
 * `expireSandboxes` (the warden's periodic task, and every sandbox command) removes anything overdue
 * and the networks left behind. Pure.
 */
import type {ContainerSpec, NetworkSpec} from '../engine-types.js'
import {LABEL} from '../engine-types.js'
import {AimsError} from '../errors.js'
import {checkImageReference} from '../catalog/schema.js'

export const DEFAULT_SANDBOX_IMAGE = 'debian:bookworm-slim'
export const SANDBOX_ID = /^sb-[a-z0-9]{8}$/
export const DEFAULT_TTL_SECONDS = 3600
export const MAX_TTL_SECONDS = 7 * 24 * 3600

/** "90s", "15m", "1h", "2d" → seconds (5 s to 7 days). */
export function parseTtl(text: string): number {
  const match = /^(\d{1,6})(s|m|h|d)$/.exec(text.trim())
  const seconds = match ? Number(match[1]) * {s: 1, m: 60, h: 3600, d: 86_400}[match[2] as 's' | 'm' | 'h' | 'd'] : NaN
  if (!(seconds >= 5 && seconds <= MAX_TTL_SECONDS))
    throw new AimsError('usage', `invalid --ttl ${JSON.stringify(text)}`, {
      hint: 'a duration from 5s to 7d, such as 30m, 1h or 2d',
    })
  return seconds
}

export function checkSandboxId(id: string): string {
  if (!SANDBOX_ID.test(id))
    throw new AimsError('usage', `invalid sandbox id ${JSON.stringify(id.slice(0, 40))}`, {
      hint: 'ids look like sb-1a2b3c4d (aims sandbox ls)',
    })
  return id
}

export function checkSandboxImage(image: string): string {
  const problem = checkImageReference(image)
  if (problem)
    throw new AimsError('usage', `--image ${JSON.stringify(image)} ${problem}`, {hint: 'e.g. --image python:3.11-slim'})
  return image
}

export const sandboxContainerName = (id: string) => `aims-sandbox-${id}`
export const sandboxNetworkName = (id: string) => `aims-${id}`

/** Capabilities a shell to play in does not need (raw sockets, device nodes, chroot, audit, file caps). */
const DROPPED_CAPABILITIES = ['NET_RAW', 'MKNOD', 'SYS_CHROOT', 'AUDIT_WRITE', 'SETFCAP']

export interface SandboxRequest {
  id: string
  tenant: string
  image: string
  ttlSeconds: number
  nanoCpus: number
  memoryBytes: number
  pidsLimit: number
}

export function sandboxSpecs(
  request: SandboxRequest,
  context: {now: Date; actor: string},
): {container: ContainerSpec; network: NetworkSpec; expiresAt: string} {
  const expiresAt = new Date(context.now.getTime() + request.ttlSeconds * 1000).toISOString()
  const labels = {
    [LABEL.sandbox]: request.id,
    [LABEL.tenant]: request.tenant,
    [LABEL.expiresAt]: expiresAt,
    [LABEL.createdBy]: context.actor,
  }
  return {
    expiresAt,
    network: {name: sandboxNetworkName(request.id), labels},
    container: {
      name: sandboxContainerName(request.id),
      image: request.image,
      // The TTL is the main process: at its end the engine stops and removes the sandbox by itself.
      entrypoint: ['sleep'],
      command: [String(request.ttlSeconds)],
      env: {},
      labels,
      networks: [{name: sandboxNetworkName(request.id), aliases: []}],
      ports: [],
      volumes: [],
      restartPolicy: 'no',
      init: true,
      autoRemove: true,
      memoryBytes: request.memoryBytes,
      nanoCpus: request.nanoCpus,
      pidsLimit: request.pidsLimit,
      capDrop: DROPPED_CAPABILITIES,
      noNewPrivileges: true,
      workingDir: '/tmp',
    },
  }
}
