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
  configFile: string
  knownHostsFile: string
  auditFile: string
}

export function aimsPaths(env: NodeJS.ProcessEnv = process.env): AimsPaths {
  const home = env.HOME || homedir()
  let configDir: string
  let stateDir: string
  let cacheDir: string
  if (env.AIMS_HOME) {
    configDir = env.AIMS_HOME
    stateDir = join(env.AIMS_HOME, 'state')
    cacheDir = join(env.AIMS_HOME, 'cache')
  } else {
    configDir = join(env.XDG_CONFIG_HOME || join(home, '.config'), 'aims')
    stateDir = join(env.XDG_STATE_HOME || join(home, '.local', 'state'), 'aims')
    cacheDir = join(env.XDG_CACHE_HOME || join(home, '.cache'), 'aims')
  }
  return {
    configDir,
    stateDir,
    cacheDir,
    configFile: join(configDir, 'config.json'),
    knownHostsFile: join(configDir, 'known_hosts'),
    auditFile: join(stateDir, 'audit.jsonl'),
  }
}
