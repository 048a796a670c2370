/**
 * Reads `plug up --env-file FILE`: a regular file of KEY=VALUE lines, at most
 * ENV_FILE_MAX_BYTES. Anything else is the user's mistake, refused with exit
 * 2 before any effect: a missing file, a directory, a device such as
 * /dev/zero (which would be read until memory runs out), a FIFO (which would
 * block), a file too big to be an env file, or one that is not UTF-8 text.
 * The size is checked on the opened descriptor and the read is bounded, so a
 * file that grows after the check cannot make aims read more.
 */
import {open} from 'node:fs/promises'
import {constants} from 'node:fs'
import {shown, usageError} from '../core/errors.js'

export const ENV_FILE_MAX_BYTES = 1024 * 1024

const kinds: Array<[(stats: import('node:fs').Stats) => boolean, string]> = [
  [(stats) => stats.isDirectory(), 'a directory'],
  [(stats) => stats.isCharacterDevice(), 'a character device'],
  [(stats) => stats.isBlockDevice(), 'a block device'],
  [(stats) => stats.isFIFO(), 'a pipe (FIFO)'],
  [(stats) => stats.isSocket(), 'a socket'],
]

export async function readEnvFile(path: string, flag = '--env-file'): Promise<{path: string; text: string}> {
  if (path === '') throw usageError(`${flag} is empty`, `give the path of a file of KEY=VALUE lines`)
  let handle: import('node:fs/promises').FileHandle
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer; the type check below then refuses it.
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (code ?? 'error')
    throw usageError(`cannot read ${flag} ${shown(path)} (${why})`, 'check the path: a file of KEY=VALUE lines')
  }
  try {
    const stats = await handle.stat()
    const kind = kinds.find(([test]) => test(stats))?.[1]
    if (kind || !stats.isFile())
      throw usageError(
        `${flag} ${shown(path)} is ${kind ?? 'not a regular file'}`,
        'give a regular file of KEY=VALUE lines',
      )
    if (stats.size > ENV_FILE_MAX_BYTES)
      throw usageError(
        `${flag} ${shown(path)} is ${stats.size} bytes, more than an env file holds (at most ${ENV_FILE_MAX_BYTES})`,
        'give a file of KEY=VALUE lines; pass large values as files the plug reads',
      )
    const buffer = Buffer.alloc(ENV_FILE_MAX_BYTES + 1)
    let length = 0
    for (;;) {
      const {bytesRead} = await handle.read(buffer, length, buffer.length - length, length)
      if (bytesRead === 0) break
      length += bytesRead
      if (length > ENV_FILE_MAX_BYTES)
        throw usageError(
          `${flag} ${shown(path)} grew past ${ENV_FILE_MAX_BYTES} bytes while aims read it`,
          'give a file of KEY=VALUE lines that is not being written to',
        )
    }
    const data = buffer.subarray(0, length)
    let text: string
    try {
      text = new TextDecoder('utf-8', {fatal: true}).decode(data)
    } catch {
      throw usageError(`${flag} ${shown(path)} is not UTF-8 text`, 'give a text file of KEY=VALUE lines')
    }
    if (text.includes('\0'))
      throw usageError(`${flag} ${shown(path)} holds NUL bytes`, 'give a text file of KEY=VALUE lines')
    return {path, text}
  } finally {
    await handle.close()
  }
}
