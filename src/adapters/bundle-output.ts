/** Writes an export bundle to a local directory (BundleOutput): exact modes, each file atomically. */
import {randomBytes} from 'node:crypto'
import {chmod, mkdir, readdir, rename, rm, stat, writeFile} from 'node:fs/promises'
import {join, resolve} from 'node:path'
import {AimsError} from '../core/errors.js'
import type {BundleFile} from '../core/export/render.js'
import type {BundleOutput, OutputState} from '../services/export.js'

function writeError(path: string, error: unknown): AimsError {
  const code = (error as NodeJS.ErrnoException).code
  const hint =
    code === 'EACCES' || code === 'EPERM'
      ? 'choose a directory you may write to with --out'
      : code === 'ENOSPC'
        ? 'free some disk space'
        : 'check the path given with --out'
  return new AimsError('usage', `cannot write ${path}: ${code ?? (error as Error).message}`, {hint})
}

export function fileBundleOutput(cwd: string = process.cwd()): BundleOutput {
  return {
    resolve: (path) => resolve(cwd, path),

    async inspect(path): Promise<OutputState> {
      let info
      try {
        info = await stat(path)
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {kind: 'missing'}
        throw writeError(path, error)
      }
      if (!info.isDirectory()) return {kind: 'other'}
      try {
        return {kind: 'directory', entries: (await readdir(path)).sort()}
      } catch (error) {
        throw writeError(path, error)
      }
    },

    async write(dir, files: BundleFile[]) {
      try {
        await mkdir(dir, {recursive: true, mode: 0o755})
      } catch (error) {
        throw writeError(dir, error)
      }
      for (const file of files) {
        const target = join(dir, file.path)
        const temp = join(dir, `.${file.path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
        try {
          await writeFile(temp, file.content, {mode: file.mode})
          // The umask may have taken bits away (a script without its x bit would not run).
          await chmod(temp, file.mode)
          await rename(temp, target)
        } catch (error) {
          await rm(temp, {force: true})
          throw writeError(target, error)
        }
      }
    },
  }
}
