/**
 * Sources on this machine: directories, git clones and generated files. A git URL is cloned here, on
 * the laptop (shallow, into a temp dir), not on the VPS: the VPS then needs neither git nor the
 * user's credentials for the repository, and the context goes the same way as a directory's.
 */
import {execFile} from 'node:child_process'
import {mkdir, mkdtemp, readdir, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {dirname, join, resolve} from 'node:path'
import {promisify} from 'node:util'
import {AimsError} from '../core/errors.js'
import {oneLine} from '../core/text/sanitize.js'
import type {SourceOpener, UserCatalog} from '../services/build-ports.js'
import {openSourceDir} from './source-dir.js'

const run = promisify(execFile)

async function git(args: string[], cwd?: string): Promise<string> {
  try {
    const {stdout} = await run('git', args, {
      cwd,
      timeout: 5 * 60_000,
      maxBuffer: 4 * 1024 * 1024,
      // Never prompt for a password on a terminal aims does not own.
      env: {...process.env, GIT_TERMINAL_PROMPT: '0'},
    })
    return stdout
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & {stderr?: string}
    if (failure.code === 'ENOENT')
      throw new AimsError('usage', 'git is not installed on this machine', {
        hint: 'install git to build from a repository',
      })
    const last = oneLine((failure.stderr ?? failure.message).trim().split('\n').pop() ?? '')
    throw new AimsError('usage', `git clone failed: ${last}`, {hint: 'check the URL, the branch and your access to it'})
  }
}

export function localSources(): SourceOpener {
  return {
    dir: (path) => openSourceDir(path),
    async gitClone(url, ref) {
      const dir = await mkdtemp(join(tmpdir(), 'aims-git-'))
      const cleanup = () => rm(dir, {recursive: true, force: true})
      try {
        await git(['clone', '--depth', '1', '--single-branch', ...(ref ? ['--branch', ref] : []), '--', url, dir])
        const commit = (await git(['rev-parse', 'HEAD'], dir)).trim()
        return {dir, commit, cleanup}
      } catch (error) {
        await cleanup()
        throw error
      }
    },
    async writeFiles(files, out) {
      let dir: string
      if (out) {
        dir = resolve(out)
        const existing = await readdir(dir).catch(() => [] as string[])
        if (existing.length > 0)
          throw new AimsError('usage', `--out ${out} is not empty`, {hint: 'pass a new or empty directory'})
      } else dir = await mkdtemp(join(tmpdir(), 'aims-app-'))
      for (const file of files) {
        const path = join(dir, file.path)
        await mkdir(dirname(path), {recursive: true})
        await writeFile(path, file.content)
      }
      return {dir, cleanup: () => rm(dir, {recursive: true, force: true})}
    },
  }
}

export function userCatalog(dir: string): UserCatalog {
  return {
    dir,
    async write(id, yaml) {
      await mkdir(dir, {recursive: true})
      const file = join(dir, `${id}.yaml`)
      const temp = `${file}.tmp-${process.pid}`
      await writeFile(temp, yaml)
      const {rename} = await import('node:fs/promises')
      await rename(temp, file)
      return file
    },
    async remove(id) {
      await rm(join(dir, `${id}.yaml`), {force: true})
    },
  }
}
