/**
 * Where aims keeps its local files: XDG base dirs, or everything under
 * AIMS_HOME (tests, portable installs).
 */
import {homedir} from 'node:os'
import {join} from 'node:path'

export interface AimsPaths {
  configDir: string
  stateDir: string
  cacheDir: string
  /** Data that is not regenerable (the encrypted secrets file). */
  dataDir: string
  configFile: string
  knownHostsFile: string
  auditFile: string
  /** The encrypted-file fallback of the secret store, and its key file in another directory. */
  secretsFile: string
  secretsKeyFile: string
  /** Which store holds which secret: names only, no values. */
  secretsIndexFile: string
  /** The user's own catalog directory: plugs written by aims build and aims plug add. */
  plugsDir: string
}

export function aimsPaths(env: NodeJS.ProcessEnv = process.env): AimsPaths {
  const home = env.HOME || homedir()
  let configDir: string
  let stateDir: string
  let cacheDir: string
  let dataDir: string
  if (env.AIMS_HOME) {
    configDir = env.AIMS_HOME
    stateDir = join(env.AIMS_HOME, 'state')
    cacheDir = join(env.AIMS_HOME, 'cache')
    dataDir = join(env.AIMS_HOME, 'data')
  } else {
    configDir = join(env.XDG_CONFIG_HOME || join(home, '.config'), 'aims')
    stateDir = join(env.XDG_STATE_HOME || join(home, '.local', 'state'), 'aims')
    cacheDir = join(env.XDG_CACHE_HOME || join(home, '.cache'), 'aims')
    dataDir = join(env.XDG_DATA_HOME || join(home, '.local', 'share'), 'aims')
  }
  return {
    configDir,
    stateDir,
    cacheDir,
    dataDir,
    configFile: join(configDir, 'config.json'),
    knownHostsFile: join(configDir, 'known_hosts'),
    auditFile: join(stateDir, 'audit.jsonl'),
    secretsFile: join(dataDir, 'secrets.enc'),
    // Not beside the sealed file: a leak of one directory (a backup, a dotfiles commit) is not both.
    secretsKeyFile: join(stateDir, 'secrets.key'),
    secretsIndexFile: join(dataDir, 'secrets-index.json'),
    plugsDir: join(configDir, 'plugs'),
  }
}
