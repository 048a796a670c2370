/**
 * A cache of oclif's own help text, so `aims --help` does not pay for loading
 * oclif (≈ 80 ms here) every time the text is the same.
 *
 * The text is always oclif's rendering: on a miss bin/run.js lets oclif
 * render it, captures what it wrote, and stores it under a key made of
 * EVERYTHING that rendering reads: the argv, aims' package.json and
 * oclif.manifest.json, each plugin's package.json and manifest, the bundled
 * oclif (size and mtime: a rebuild rewrites it), Node's version and platform
 * (the VERSION line), the terminal (TTY or not, width) and the environment
 * variables oclif, its colour detection and its debug output read. Change any
 * of them, e.g. a rebuild after editing a command, and the key changes.
 * Anything the key cannot capture (a theme file, init hooks, dev or user
 * plugins) turns the cache off for that run.
 *
 * Entries live in the XDG cache dir (AIMS_HOME/cache); the build pre-renders
 * the root help into dist/help-cache for the usual non-TTY case.
 * AIMS_HELP_CACHE=off bypasses it (tests compare against that).
 */
import {createHash} from 'node:crypto'
import {existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {homedir} from 'node:os'
import {dirname, join} from 'node:path'
import {aimsPaths} from '../adapters/paths.js'

const COMMAND_ID = /^[a-z0-9][a-z0-9:-]{0,63}$/

/** `aims`, `aims --help`, `aims host add --help`, `aims help host`: what oclif answers with help alone. */
export function isHelpRequest(argv: readonly string[]): boolean {
  if (argv.length === 0) return true
  if (argv.length > 5) return false
  const ids = argv[0] === 'help' ? argv.slice(1) : argv.at(-1) === '--help' ? argv.slice(0, -1) : undefined
  return ids !== undefined && ids.every((id) => COMMAND_ID.test(id))
}

export interface HelpEnvironment {
  root: string
  argv: readonly string[]
  env: NodeJS.ProcessEnv
  stdout: {isTTY?: boolean; columns?: number}
  stderr: {isTTY?: boolean}
  platform: string
  arch: string
  nodeVersion: string
}

/** Variables oclif itself reads (scoped ones as AIMS_…), and debug output switches. */
const OCLIF_ENV =
  /^(OCLIF_.*|AIMS_(CONFIG_DIR|DATA_DIR|CACHE_DIR|DEBUG|DISABLE_THEME|BINPATH|NPM_REGISTRY)|NODE_ENV|DEBUG|CLI_FLAGS_DEBUG|FORCE_COLOR)$/
/** What supports-color reads; it only matters when both streams are terminals, or colour is forced. */
const COLOR_ENV =
  /^(NO_COLOR|TERM|TERM_PROGRAM|TERM_PROGRAM_VERSION|COLORTERM|CI|CI_NAME|TEAMCITY_VERSION|TRAVIS|CIRCLECI|APPVEYOR|GITLAB_CI|GITHUB_ACTIONS|BUILDKITE|DRONE)$/

interface PackageJson {
  version?: string
  oclif?: {
    plugins?: string[]
    devPlugins?: string[]
    jitPlugins?: unknown
    theme?: unknown
    hooks?: Record<string, unknown>
  }
}

function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return undefined
  }
}

/** Node's lookup: node_modules/NAME in the root and each parent. */
function pluginDir(root: string, name: string): string | undefined {
  for (let dir = root; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name)
    if (existsSync(join(candidate, 'package.json'))) return candidate
    if (dirname(dir) === dir) return undefined
  }
}

const hooksThatRunBeforeHelp = (pjson: PackageJson) =>
  Object.keys(pjson.oclif?.hooks ?? {}).some((hook) => hook === 'init' || hook === 'preparse' || hook === 'prerun')

/** oclif's config dir (where a user theme.json would be). */
function oclifConfigDir(env: NodeJS.ProcessEnv): string {
  return env.AIMS_CONFIG_DIR || join(env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config'), 'aims')
}

/** The cache key, or undefined when this run's help cannot be cached safely. */
export function helpCacheKey(input: HelpEnvironment): string | undefined {
  if (input.env.AIMS_HELP_CACHE === 'off' || input.platform === 'win32' || !isHelpRequest(input.argv)) return undefined
  const packageText = readIfExists(join(input.root, 'package.json'))
  const manifest = readIfExists(join(input.root, 'oclif.manifest.json'))
  if (!packageText || !manifest) return undefined
  const pjson = JSON.parse(packageText) as PackageJson
  const oclif = pjson.oclif ?? {}
  if (oclif.theme || oclif.jitPlugins || (oclif.devPlugins?.length ?? 0) > 0 || hooksThatRunBeforeHelp(pjson))
    return undefined
  if ((oclif.plugins ?? []).some((name) => name === '@oclif/plugin-plugins')) return undefined // user plugins
  if (existsSync(join(oclifConfigDir(input.env), 'theme.json'))) return undefined

  const hash = createHash('sha256')
  const add = (label: string, value: string) => hash.update(`${label}\u0000${value}\u0000`)
  add('argv', JSON.stringify(input.argv))
  add('node', `${input.nodeVersion} ${input.platform} ${input.arch}`)
  add('package.json', packageText)
  add('manifest', manifest)
  for (const name of oclif.plugins ?? []) {
    const dir = pluginDir(input.root, name)
    const pluginPackage = dir && readIfExists(join(dir, 'package.json'))
    const pluginManifest = dir && readIfExists(join(dir, 'oclif.manifest.json'))
    if (!pluginPackage || !pluginManifest) return undefined
    const pluginJson = JSON.parse(pluginPackage) as PackageJson
    if (hooksThatRunBeforeHelp(pluginJson)) return undefined
    add(`plugin ${name}`, pluginPackage)
    add(`plugin manifest ${name}`, pluginManifest)
  }
  try {
    const bundle = statSync(join(input.root, 'dist', 'vendor', 'oclif-core.cjs'))
    add('oclif bundle', `${bundle.size} ${bundle.mtimeMs}`)
  } catch {
    return undefined
  }
  const terminals = Boolean(input.stdout.isTTY) && Boolean(input.stderr.isTTY)
  add(
    'tty',
    `${Boolean(input.stdout.isTTY)} ${Boolean(input.stderr.isTTY)} ` +
      `${input.stdout.isTTY ? (input.stdout.columns ?? 0) : ''}`,
  )
  const colorMatters = terminals || input.env.FORCE_COLOR !== undefined
  const env = Object.keys(input.env)
    .filter((name) => OCLIF_ENV.test(name) || (colorMatters && COLOR_ENV.test(name)))
    .sort()
    .map((name) => `${name}=${input.env[name]}`)
  add('env', env.join('\n'))
  return hash.digest('hex').slice(0, 40)
}

/** Where a run keeps its entries, and the read-only entries the build made. */
export function helpCacheDirs(root: string, env: NodeJS.ProcessEnv): {user: string; prebuilt: string} {
  return {user: join(aimsPaths(env).cacheDir, 'help'), prebuilt: join(root, 'dist', 'help-cache')}
}

export function readCachedHelp(dirs: {user: string; prebuilt: string}, key: string): string | undefined {
  return readIfExists(join(dirs.user, `${key}.txt`)) ?? readIfExists(join(dirs.prebuilt, `${key}.txt`))
}

const KEEP_ENTRIES = 64

/** Atomic (temp file + rename); best effort: an unwritable cache only costs speed. */
export function writeCachedHelp(dir: string, key: string, text: string): void {
  try {
    mkdirSync(dir, {recursive: true, mode: 0o700})
    const temp = join(dir, `.${key}.${process.pid}.tmp`)
    writeFileSync(temp, text, {mode: 0o600})
    renameSync(temp, join(dir, `${key}.txt`))
    const entries = readdirSync(dir).filter((name) => name.endsWith('.txt'))
    if (entries.length > KEEP_ENTRIES) {
      // Old keys (earlier builds, other widths) go, newest kept.
      const byAge = entries
        .map((name) => ({name, mtime: statSync(join(dir, name)).mtimeMs}))
        .sort((a, b) => b.mtime - a.mtime)
      for (const stale of byAge.slice(KEEP_ENTRIES / 2)) rmSync(join(dir, stale.name), {force: true})
    }
  } catch {
    // read-only home, full disk: oclif rendered the help already
  }
}
