/**
 * Stopping and restoring the bed's real dockerd, for the one e2e test that
 * needs a stopped engine. Other tests share it: callers keep the window short
 * and always restore it (try/finally and afterAll).
 */
import {execFile} from 'node:child_process'
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {promisify} from 'node:util'
import {ROOT} from './aims.js'

const run = promisify(execFile)

function dockerdPid(): number | undefined {
  const file = '/var/run/docker.pid'
  if (!existsSync(file)) return undefined
  const pid = Number(readFileSync(file, 'utf8').trim())
  return Number.isInteger(pid) && pid > 0 && alive(pid) ? pid : undefined
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

export async function dockerAnswers(): Promise<boolean> {
  try {
    await run('/usr/bin/docker', ['info', '--format', '{{.ServerVersion}}'], {timeout: 10_000})
    return true
  } catch {
    return false
  }
}

/** SIGTERM to dockerd (its pid file names it), then wait until it has exited. */
export async function stopBedDockerd(timeoutMs = 30_000): Promise<void> {
  const pid = dockerdPid()
  if (!pid) throw new Error('the bed dockerd is not running (no live pid in /var/run/docker.pid)')
  process.kill(pid, 'SIGTERM')
  const deadline = Date.now() + timeoutMs
  while (alive(pid)) {
    if (Date.now() > deadline) throw new Error(`dockerd (pid ${pid}) did not stop within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** The bed script's own way of starting dockerd; returns once `docker info` works. */
export async function restoreBedDockerd(): Promise<void> {
  if (await dockerAnswers()) return
  await run(join(ROOT, 'test', 'bed', 'setup.sh'), ['dockerd'], {timeout: 90_000})
  if (!(await dockerAnswers())) throw new Error('dockerd did not come back: see .bed/dockerd.log')
}
