/**
 * Runs the real built `aims` binary, as a user would, with its own AIMS_HOME
 * and HOME so tests never share config, and no TTY (CI=true).
 */
import {spawn, type ChildProcess} from 'node:child_process'
import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const BIN = join(ROOT, 'bin', 'run.js')
/** The command a user runs (package.json "bin"): keeps aims' arguments off Node's command line. */
export const COMMAND = join(ROOT, 'bin', 'aims')

export interface AimsResult {
  code: number
  stdout: string
  stderr: string
  ms: number
  json<T = any>(): T
}

export interface AimsOptions {
  home?: string
  env?: Record<string, string | undefined>
  input?: string
  timeoutMs?: number
  cwd?: string
}

export function tempHome(prefix = 'aims-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

export function aimsEnv(options: AimsOptions = {}): NodeJS.ProcessEnv {
  const home = options.home ?? tempHome()
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    AIMS_HOME: join(home, '.aims'),
    NO_COLOR: '1',
    CI: 'true',
    LANG: 'C.UTF-8',
    NODE_COMPILE_CACHE: join(tmpdir(), 'aims-test-compile-cache'),
  }
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key]
    else env[key] = value
  }
  return env
}

export function spawnAims(args: string[], options: AimsOptions = {}): ChildProcess {
  return spawn(COMMAND, args, {
    cwd: options.cwd ?? ROOT,
    env: aimsEnv(options),
    stdio: ['pipe', 'pipe', 'pipe'],
  })
}

export function aims(args: string[], options: AimsOptions = {}): Promise<AimsResult> {
  const started = Date.now()
  return new Promise((resolve, reject) => {
    const child = spawnAims(args, options)
    let stdout = ''
    let stderr = ''
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 110_000)
    child.stdout!.on('data', (chunk) => (stdout += chunk))
    child.stderr!.on('data', (chunk) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({
        code: code ?? (signal ? 128 : -1),
        stdout,
        stderr,
        ms: Date.now() - started,
        json() {
          try {
            return JSON.parse(stdout)
          } catch {
            throw new Error(`stdout is not JSON (exit ${code}):\n${stdout}\nstderr:\n${stderr}`)
          }
        },
      })
    })
    child.stdin!.end(options.input ?? '')
  })
}

export interface Bed {
  sshPort: number
  sshHost: string
  identity: string
  wrongIdentity: string
  encryptedIdentity: string
  encryptedPassphrase: string
  hostKey: string
  otherHostKey: string
  knownHosts: string
  sshdLog: string
  sshdConfig: string
  sshdPidFile: string
  bedDir: string
  images: {web: string; sick: string; crash: string}
  /** The bed's registries (test/support/registry.ts reads them). */
  registry: BedRegistryConfig
  /** Machine-wide bed state (registry data, swarm) and cache dirs. */
  stateDir: string
  cacheDir: string
}

export interface BedRegistryConfig {
  /** host:port of the open registry; also the bed dockerd's registry mirror for Docker Hub names. */
  open: string
  /** host:port of the registry with basic auth. */
  auth: string
  /** JSON file {registry, username, password} for the auth registry (mode 600). */
  authCredentials: string
  /** The mirror URL in /etc/docker/daemon.json. */
  mirror: string
  /** A DOCKER_CONFIG dir logged in to the auth registry (for the docker CLI). */
  dockerConfig: string
  /** An image that exists only in the registries (both), never in the engine after setup. */
  remoteImage: string
  /** The Docker Hub names of the base-image stand-ins served through the mirror. */
  baseImages: {debian: string; node: string; python: string}
}

export function bed(): Bed {
  return JSON.parse(readFileSync(join(ROOT, '.bed', 'bed.json'), 'utf8')) as Bed
}

/**
 * A fresh home with the bed's sshd added as host `vps` (default) and its key
 * trusted, through the real CLI.
 */
export async function homeWithHost(name = 'vps', extra: string[] = []): Promise<string> {
  const home = tempHome()
  const b = bed()
  const add = await aims(
    ['host', 'add', name, `root@${b.sshHost}:${b.sshPort}`, '--identity', b.identity, '--default', ...extra],
    {home},
  )
  if (add.code !== 0) throw new Error(`host add failed: ${add.stderr}`)
  const trust = await aims(['host', 'trust', name, '--yes'], {home})
  if (trust.code !== 0) throw new Error(`host trust failed: ${trust.stderr}`)
  return home
}
