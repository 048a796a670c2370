/**
 * Local backup archives: the file a backup streams into (with FILE.sha256 beside it), and a file to
 * restore from (its sha256, the sha256 file's value, the manifest read from the archive's first member).
 */
import {createHash} from 'node:crypto'
import {createReadStream, createWriteStream} from 'node:fs'
import {readFile, rm, writeFile} from 'node:fs/promises'
import {createGunzip} from 'node:zlib'
import type {BackupManifest} from '../core/backup/backup.js'
import {AimsError} from '../core/errors.js'
import type {BackupSink, BackupSource} from '../services/backup.js'

export async function openBackupSink(path: string): Promise<BackupSink> {
  const stream = createWriteStream(`${path}.part`, {mode: 0o600, highWaterMark: 1 << 20})
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve())
    stream.once('error', (error) =>
      reject(new AimsError('usage', `cannot write ${path}: ${error.message}`, {hint: 'pick a writable --out path'})),
    )
  })
  return {
    path,
    stream,
    close: () =>
      new Promise<void>((resolve, reject) => {
        stream.end(() => resolve())
        stream.once('error', reject)
      }),
  }
}

/** Moves the finished archive into place and writes FILE.sha256 (sha256sum's format). */
export async function finishBackupFile(path: string, sha256: string, ok: boolean): Promise<void> {
  const {rename} = await import('node:fs/promises')
  if (!ok) {
    await rm(`${path}.part`, {force: true})
    return
  }
  await rename(`${path}.part`, path)
  await writeFile(`${path}.sha256`, `${sha256}  ${path.split('/').pop()}\n`, {mode: 0o600})
}

async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path, {highWaterMark: 1 << 20})) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/** The archive's first member, manifest.json (a ustar header, then its contents). */
async function readManifest(path: string): Promise<BackupManifest> {
  const gunzip = createReadStream(path).pipe(createGunzip())
  let buffer = Buffer.alloc(0)
  for await (const chunk of gunzip) {
    buffer = Buffer.concat([buffer, chunk as Buffer])
    if (buffer.length < 512) continue
    const name = buffer.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '')
    const size = parseInt(buffer.subarray(124, 136).toString('utf8').replace(/\0.*$/s, '').trim() || '0', 8)
    if (name !== 'manifest.json') break
    if (buffer.length < 512 + size) continue
    gunzip.destroy()
    return JSON.parse(buffer.subarray(512, 512 + size).toString('utf8')) as BackupManifest
  }
  gunzip.destroy()
  throw new AimsError('validation', `${path} is not an aims backup (no manifest.json first)`, {
    hint: 'restore an archive written by aims plug backup --out',
  })
}

export async function openBackupSource(path: string): Promise<BackupSource> {
  let expected: string | undefined
  try {
    expected = (await readFile(`${path}.sha256`, 'utf8')).trim().split(/\s+/)[0]
  } catch {
    expected = undefined
  }
  let sha256: string
  try {
    sha256 = await fileSha256(path)
  } catch (error) {
    throw new AimsError('usage', `cannot read ${path}: ${(error as Error).message}`, {
      hint: 'FROM is a backup id, TENANT/INSTANCE:ID or a local file',
    })
  }
  const manifest = await readManifest(path).catch((error: unknown) => {
    if (error instanceof AimsError) throw error
    throw new AimsError('validation', `${path} is not a gzip'd tar: ${(error as Error).message}`, {
      hint: 'restore an archive written by aims plug backup --out',
    })
  })
  return {
    path,
    manifest,
    sha256,
    expectedSha256: expected,
    open: () => createReadStream(path, {highWaterMark: 1 << 20}),
  }
}
