/** Reads ~/.ssh/config (and simple Includes) for the pure resolver in core/ssh-config. */
import {existsSync, readFileSync} from 'node:fs'
import {homedir, userInfo} from 'node:os'
import {isAbsolute, join} from 'node:path'
import type {ResolveContext} from '../core/host-target.js'
import {includedFiles, parseSshConfig, resolveSshConfig, type SshConfigBlock} from '../core/ssh-config.js'

function readBlocks(file: string, sshDir: string, depth = 0): SshConfigBlock[] {
  if (depth > 4 || !existsSync(file)) return []
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    return []
  }
  const blocks = parseSshConfig(text)
  // Includes are read in place of the whole file's end; exact positional
  // semantics matter little for the four keywords aims reads.
  const included = includedFiles(blocks).filter((path) => !/[*?]/.test(path))
  return [
    ...blocks,
    ...included.flatMap((path) => readBlocks(isAbsolute(path) ? path : join(sshDir, path), sshDir, depth + 1)),
  ]
}

export function resolveContextFor(alias: string | undefined, env: NodeJS.ProcessEnv = process.env): ResolveContext {
  const home = env.HOME || homedir()
  const sshDir = join(home, '.ssh')
  let localUser = env.USER || 'root'
  try {
    localUser = userInfo().username
  } catch {
    // keep $USER
  }
  const defaultIdentityFiles = ['id_ed25519', 'id_ecdsa', 'id_rsa']
    .map((name) => join(sshDir, name))
    .filter((file) => existsSync(file))
  const context: ResolveContext = {home, localUser, defaultIdentityFiles}
  if (alias) {
    const configFile = env.AIMS_SSH_CONFIG || join(sshDir, 'config')
    const blocks = readBlocks(configFile, sshDir)
    if (blocks.length > 0) context.sshConfig = resolveSshConfig(blocks, alias)
  }
  return context
}
