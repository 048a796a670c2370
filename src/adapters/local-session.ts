/**
 * The `local` host: the Docker socket on this machine, commands through
 * execFile (no shell), files through fs. Same interface as the SSH session, so
 * everything aims does works on a laptop before pointing it at a VPS.
 */
import {oneLine} from '../core/text/sanitize.js'
import {spawn} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {
  access,
  appendFile,
  constants,
  mkdir,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  statfs,
  writeFile,
} from 'node:fs/promises'
import {connect} from 'node:net'
import type {Duplex} from 'node:stream'
import {createRequire} from 'node:module'
import type DockerodeType from 'dockerode'
import {AimsError} from '../core/errors.js'
import type {ResolvedHost} from '../core/host-target.js'
import type {
  Engine,
  ExecResult,
  HostLock,
  HostSession,
  LockOptions,
  HostShell,
  TransportMetrics,
} from '../services/ports.js'

/**
 * require(), not import: CommonJS loaded from ESM through import() is scanned for named exports first (~40 ms on this
 * bundle).
 */
const loadDockerode = () => createRequire(import.meta.url)('dockerode') as typeof DockerodeType
import {DockerEngine} from './docker-engine.js'
import {diskSpaceFromStatfs} from './disk-space.js'
import {holderInfo, LOCAL_LOCK_SCRIPT, TRANSIENT_LOCK} from './remote-locks.js'

function run(argv: string[], options: {stdin?: string | Buffer; timeoutMs?: number} = {}): Promise<ExecResult> {
  return new Promise<ExecResult>((resolve, reject) => {
    const [command, ...args] = argv
    const child = spawn(command!, args, {stdio: ['pipe', 'pipe', 'pipe']})
    const stdout: Buffer[] = []
    const stderr: Buffer[] = []
    const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : undefined
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (timer) clearTimeout(timer)
      if (error.code === 'ENOENT') resolve({exitCode: 127, stdout: '', stderr: `${command}: not found`})
      else reject(error)
    })
    child.on('close', (code) => {
      if (timer) clearTimeout(timer)
      resolve({
        exitCode: code ?? -1,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      })
    })
    // A command that exits without reading its input (nginx -s reload) closes the pipe first: EPIPE is not a failure.
    child.stdin.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') reject(error)
    })
    child.stdin.end(options.stdin ?? '')
  })
}

/** A command with stdout piped into a writable and stdin from a readable (backups). */
function runStream(
  argv: string[],
  options: {stdout?: NodeJS.WritableStream; stdin?: NodeJS.ReadableStream; timeoutMs?: number},
): Promise<{exitCode: number; stderr: string}> {
  return new Promise((resolve, reject) => {
    const [command, ...args] = argv
    const child = spawn(command!, args, {stdio: ['pipe', 'pipe', 'pipe']})
    const stderr: Buffer[] = []
    const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : undefined
    if (options.stdout) child.stdout.pipe(options.stdout as NodeJS.WritableStream, {end: false})
    else child.stdout.resume()
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
    child.on('error', (error) => {
      if (timer) clearTimeout(timer)
      reject(error)
    })
    child.on('close', (code) => {
      if (timer) clearTimeout(timer)
      resolve({exitCode: code ?? -1, stderr: Buffer.concat(stderr).toString('utf8')})
    })
    child.stdin.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') reject(error)
    })
    if (options.stdin) options.stdin.pipe(child.stdin)
    else child.stdin.end()
  })
}

export class LocalHostSession implements HostSession {
  private engineInstance?: Engine
  private readonly counters: TransportMetrics = {sshLogins: 0, apiCalls: 0}

  constructor(
    readonly host: ResolvedHost,
    private readonly options: {callTimeoutMs: number},
  ) {}

  metrics(): TransportMetrics {
    return {...this.counters}
  }

  async engine(): Promise<Engine> {
    if (this.engineInstance) return this.engineInstance
    const socketPath = this.host.dockerSocket
    const docker = new (loadDockerode())({socketPath, version: 'v1.41'} as DockerodeType.DockerOptions)
    this.engineInstance = new DockerEngine(docker, {
      callTimeoutMs: this.options.callTimeoutMs,
      where: 'this machine',
      onCall: () => this.counters.apiCalls++,
      mapTransportError: async (error) => {
        const code = (error as NodeJS.ErrnoException).code
        if (code === 'ENOENT')
          return new AimsError('engine', `no Docker engine on this machine: ${socketPath} does not exist`, {
            hint: 'install and start Docker, or add a VPS with aims host add NAME user@host',
          })
        if (code === 'EACCES')
          return new AimsError('engine', `permission denied on ${socketPath}`, {
            hint: 'add yourself to the docker group (sudo usermod -aG docker $USER) and log in again',
          })
        if (code === 'ECONNREFUSED')
          return new AimsError('engine', `the Docker engine is not answering on ${socketPath}`, {
            hint: 'start it (sudo systemctl start docker)',
          })
        return new AimsError('engine', `Docker API call failed: ${oneLine(String((error as Error)?.message ?? error))}`)
      },
    })
    return this.engineInstance
  }

  async shell(): Promise<HostShell> {
    return {
      exec: run,
      execStream: runStream,
      readFile: async (path) => {
        try {
          return await readFile(path)
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
          throw new AimsError('remote', `cannot read ${path}: ${(error as Error).message}`)
        }
      },
      writeFile: async (path, data, mode = 0o644) => {
        const temp = `${path}.aims-${randomBytes(4).toString('hex')}.tmp`
        try {
          await writeFile(temp, data, {mode})
          await rename(temp, path)
        } catch (error) {
          await rm(temp, {force: true})
          throw new AimsError('remote', `cannot write ${path}: ${oneLine((error as Error).message)}`, {
            hint: 'check that you may write there',
          })
        }
      },
      appendFile: async (path, data) => {
        await appendFile(path, data, {mode: 0o640})
      },
      removeFile: async (path) => {
        await rm(path, {force: true})
      },
      rename: async (from, to) => {
        await rename(from, to)
      },
      mkdirp: async (path) => {
        try {
          await mkdir(path, {recursive: true})
        } catch (error) {
          throw new AimsError('remote', `cannot create ${path}: ${oneLine((error as Error).message)}`, {
            hint: 'check that you may write there, or configure another directory for the host',
          })
        }
      },
      diskFree: async (path) => {
        try {
          return diskSpaceFromStatfs(await statfs(path))
        } catch {
          return undefined
        }
      },
      listDir: async (path) => {
        try {
          return (await readdir(path)).sort()
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
          throw error
        }
      },
    }
  }

  connectTcp(host: string, port: number): Promise<Duplex> {
    return new Promise<Duplex>((resolve, reject) => {
      const socket = connect({host, port})
      socket.once('connect', () => resolve(socket))
      socket.once('error', reject)
    })
  }

  async lock(name: string, options: LockOptions): Promise<HostLock> {
    const dir = `${this.host.stateDir}/locks`
    await mkdir(dir, {recursive: true}).catch((error: Error) => {
      throw new AimsError('remote', `cannot create ${dir}: ${oneLine(error.message)}`, {
        hint: 'let your user write the state dir, or configure another one',
      })
    })
    await access(dir, constants.W_OK)
    if (!/^[a-z0-9-]{1,80}$/.test(name)) throw new AimsError('internal', `invalid lock name ${JSON.stringify(name)}`)
    const seconds = String(Math.max(1, Math.ceil((options.timeoutMs ?? 60_000) / 1000)))
    const mode = options.wait ? 'wait' : 'nowait'
    const transient = TRANSIENT_LOCK.test(name) ? '1' : '0'
    return new Promise<HostLock>((resolve, reject) => {
      // The same protocol as over SSH (remote-locks.ts): flock, then check the path still names the locked file.
      const info = holderInfo(options.holder)
      const child = spawn('sh', ['-c', LOCAL_LOCK_SCRIPT, 'aims-lock', dir, name, mode, seconds, transient, info], {
        stdio: ['pipe', 'pipe', 'pipe'],
      })
      let acquired = false
      let stderr = ''
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
      child.stdout.on('data', (chunk: Buffer) => {
        if (!acquired && chunk.toString().includes('locked')) {
          acquired = true
          resolve({
            release: () =>
              new Promise<void>((done) => {
                child.once('close', () => done())
                child.stdin.end()
              }),
          })
        }
      })
      child.on('error', (error: NodeJS.ErrnoException) =>
        reject(new AimsError('remote', `cannot run flock: ${error.message}`, {hint: 'install util-linux'})),
      )
      child.on('close', (code) => {
        if (!acquired)
          reject(
            new AimsError(
              'conflict',
              `another aims process holds the ${name} lock` +
                (code === 11 ? '' : ` (${oneLine(stderr) || `exit ${code}`})`),
              {hint: 'wait for it to finish and retry'},
            ),
          )
      })
    })
  }

  async close(): Promise<void> {}
}

export async function localSocketExists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isSocket()
  } catch {
    return false
  }
}
