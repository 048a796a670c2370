/**
 * A cross-process lock for local files: `mkdir` is atomic on every local
 * filesystem. A lock left by a dead process (same machine) or older than
 * `staleMs` is broken, so a crash never wedges aims.
 */
import {mkdir, readFile, rm, stat, writeFile} from 'node:fs/promises'
import {hostname} from 'node:os'
import {join} from 'node:path'
import {AimsError} from '../core/errors.js'

export interface LocalLockOptions {
  timeoutMs?: number
  staleMs?: number
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

async function isStale(lockDir: string, staleMs: number): Promise<boolean> {
  try {
    const owner = await readFile(join(lockDir, 'owner'), 'utf8').catch(() => '')
    const [pid, host] = owner.split('@')
    if (pid && host === hostname() && !alive(Number(pid))) return true
    const info = await stat(lockDir)
    return Date.now() - info.mtimeMs > staleMs
  } catch {
    return false
  }
}

export async function withLocalLock<T>(
  target: string,
  work: () => Promise<T>,
  options: LocalLockOptions = {},
): Promise<T> {
  const lockDir = `${target}.lock`
  const deadline = Date.now() + (options.timeoutMs ?? 15_000)
  const staleMs = options.staleMs ?? 30_000
  let delay = 5
  for (;;) {
    try {
      await mkdir(lockDir)
      break
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'ENOENT') {
        await mkdir(join(lockDir, '..'), {recursive: true})
        continue
      }
      if (code !== 'EEXIST') throw error
      if (await isStale(lockDir, staleMs)) {
        await rm(lockDir, {recursive: true, force: true})
        continue
      }
      if (Date.now() > deadline) {
        throw new AimsError('conflict', `could not lock ${target}: another aims process holds it`, {
          hint: `wait for it to finish, or remove ${lockDir} if no aims is running`,
        })
      }
      await new Promise((resolve) => setTimeout(resolve, delay + Math.random() * delay))
      delay = Math.min(delay * 2, 100)
    }
  }
  try {
    await writeFile(join(lockDir, 'owner'), `${process.pid}@${hostname()}`).catch(() => undefined)
    return await work()
  } finally {
    await rm(lockDir, {recursive: true, force: true})
  }
}
