/**
 * The host lock helper's shell script, run for real (sh + flock) on a temp
 * dir: lock files of instances may be removed while someone waits on them,
 * and the lock must stay exclusive anyway (issue 10, item 13).
 */
import {spawn, type ChildProcessWithoutNullStreams} from 'node:child_process'
import {existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {LOCK_SCRIPT} from '../../../src/adapters/remote-locks.js'

const dirs: string[] = []
const helpers: ChildProcessWithoutNullStreams[] = []
afterAll(() => {
  for (const helper of helpers) helper.kill('SIGKILL')
  for (const dir of dirs) rmSync(dir, {recursive: true, force: true})
})

/** One lock helper, as one aims session runs it; `send` resolves with the next answer line. */
function helper(dir: string) {
  const child = spawn('sh', ['-c', LOCK_SCRIPT, 'aims-locks', dir])
  helpers.push(child)
  const lines: string[] = []
  const waiters: Array<(line: string) => void> = []
  let buffer = ''
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString()
    let index: number
    while ((index = buffer.indexOf('\n')) !== -1) {
      const line = buffer.slice(0, index)
      buffer = buffer.slice(index + 1)
      const waiter = waiters.shift()
      if (waiter) waiter(line)
      else lines.push(line)
    }
  })
  const next = () =>
    new Promise<string>((resolve) => (lines.length > 0 ? resolve(lines.shift()!) : waiters.push(resolve)))
  return {
    ready: next(),
    send(command: string) {
      child.stdin.write(`${command}\n`)
      return next()
    },
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const newDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'aims-locks-'))
  dirs.push(dir)
  return dir
}

describe('lock helper script', () => {
  it('stays exclusive when a lock file is removed while someone waits on it', async () => {
    const dir = newDir()
    const [a, b, c] = [helper(dir), helper(dir), helper(dir)]
    await Promise.all([a.ready, b.ready, c.ready])
    expect(await a.send('lock 3 nowait 5 instance-t-x')).toBe('ok 3')
    // b waits on the file a holds.
    let bAnswer: string | undefined
    const bGot = b.send('lock 3 wait 20 instance-t-x').then((line) => (bAnswer = line))
    await sleep(300)
    expect(bAnswer).toBeUndefined()
    // The file goes away while a holds it (a release that removes it, a sweep, or a person), then a lets go.
    rmSync(join(dir, 'instance-t-x.lock'))
    // c opens the path anew (a new file) and takes it; b wakes up holding the removed file.
    expect(await c.send('lock 4 nowait 5 instance-t-x')).toBe('ok 4')
    expect(await a.send('unlock 3')).toBe('released 3')
    await sleep(500)
    // b must not hold "the same" lock through the removed file while c holds it.
    expect(bAnswer).toBeUndefined()
    expect(await c.send('unlock 4')).toBe('released 4')
    await bGot
    expect(bAnswer).toBe('ok 3')
  }, 30_000)

  it('unlock releases the lock (another session can take it at once)', async () => {
    const dir = newDir()
    const [a, b] = [helper(dir), helper(dir)]
    await Promise.all([a.ready, b.ready])
    expect(await a.send('lock 5 nowait 5 alloc')).toBe('ok 5')
    expect(await b.send('lock 5 nowait 5 alloc')).toBe('busy 5')
    expect(await a.send('unlock 5')).toBe('released 5')
    expect(await b.send('lock 5 nowait 5 alloc')).toBe('ok 5')
  })

  it('remove unlinks an instance lock file while holding it, and sweeps the ones nobody holds', async () => {
    const dir = newDir()
    for (const name of ['instance-t-old1', 'instance-t-old2', 'instance-t-busy'])
      writeFileSync(join(dir, `${name}.lock`), '')
    const [a, other] = [helper(dir), helper(dir)]
    await Promise.all([a.ready, other.ready])
    expect(await other.send('lock 6 nowait 5 instance-t-busy')).toBe('ok 6')
    expect(await a.send('lock 3 nowait 5 instance-t-x')).toBe('ok 3')
    expect(await a.send('lock 4 nowait 5 alloc')).toBe('ok 4')
    expect(await a.send('remove 3')).toBe('removed 3')
    // Gone: its own file and the two nobody held; kept: the one another session holds, and alloc.
    expect(readdirSync(dir).sort()).toEqual(['alloc.lock', 'instance-t-busy.lock'])
    expect(await other.send('remove 6')).toBe('removed 6')
    expect(existsSync(join(dir, 'instance-t-busy.lock'))).toBe(false)
    expect(await a.send('sweep')).toBe('swept 0')
  })
})
