/**
 * A private sshd for e2e tests that must stop, restart or re-key an SSH
 * server, or count its logins: the bed's main sshd (port 2222) is shared with
 * other tests and is never touched. Runs in the foreground (-D) as a child of
 * the test, so stopping it means killing exactly the process we started.
 */
import {spawn, type ChildProcess} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {createServer, connect} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {bed} from './aims.js'

export interface PrivateSshd {
  port: number
  logFile: string
  /** (Re)starts it with this host key on the same port. */
  start(hostKey: string): Promise<void>
  stop(): Promise<void>
  /** Log lines written since `mark` (a byte offset from `logSize()`). */
  logSince(mark: number): string[]
  logSize(): number
  dispose(): Promise<void>
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      )
    })
  })
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({host: '127.0.0.1', port})
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

async function waitFor(what: string, condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

export async function privateSshd(hostKey: string): Promise<PrivateSshd> {
  const b = bed()
  const dir = mkdtempSync(join(tmpdir(), 'aims-fnd-sshd-'))
  const port = await freePort()
  const logFile = join(dir, 'sshd.log')
  writeFileSync(logFile, '')
  let child: ChildProcess | undefined

  const writeConfig = (key: string) => {
    const config = join(dir, 'sshd.conf')
    writeFileSync(
      config,
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${key}`,
        `PidFile ${join(dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${join(b.bedDir, 'authorized_keys')}`,
        'PermitRootLogin prohibit-password',
        'PubkeyAuthentication yes',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        'StrictModes no',
        'AllowStreamLocalForwarding yes',
        'AllowTcpForwarding yes',
        'LogLevel VERBOSE',
        'Subsystem sftp internal-sftp',
        '',
      ].join('\n'),
    )
    return config
  }

  const sshd: PrivateSshd = {
    port,
    logFile,
    async start(key) {
      await sshd.stop()
      const config = writeConfig(key)
      const started = spawn('/usr/sbin/sshd', ['-D', '-f', config, '-E', logFile], {stdio: 'ignore'})
      child = started
      let exited = false
      started.once('exit', () => (exited = true))
      await waitFor(`sshd on port ${port} did not come up`, async () => {
        if (exited) throw new Error(`sshd exited at start: ${readFileSync(logFile, 'utf8').slice(-500)}`)
        return canConnect(port)
      })
    },
    async stop() {
      const running = child
      child = undefined
      if (!running || running.exitCode !== null) return
      const exited = new Promise((resolve) => running.once('exit', resolve))
      running.kill('SIGTERM')
      await exited
      await waitFor(`sshd on port ${port} did not stop`, async () => !(await canConnect(port)))
    },
    logSize: () => readFileSync(logFile).length,
    logSince: (mark) => readFileSync(logFile).subarray(mark).toString('utf8').split('\n').filter(Boolean),
    async dispose() {
      await sshd.stop()
      rmSync(dir, {recursive: true, force: true})
    },
  }
  await sshd.start(hostKey)
  return sshd
}
