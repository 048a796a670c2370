// Entry point of the built CLI, started by bin/aims (never run it as `node run.js`
// with arguments you did not write: Node itself reads --env-file from there, see
// bin/aims). Start-up time matters (budget: 2.2x `node -e 0`):
// - the compile cache lets later starts skip parsing modules again;
// - '@oclif/core' and 'dockerode' resolve to one-file bundles built by scripts/vendor-oclif.mjs;
// - `--version` needs nothing but package.json;
// - help requests are answered from a cache of oclif's own rendering, keyed by
//   everything that rendering depends on (dist/src/cli/help-cache.js); on a miss
//   oclif renders as usual and the text is stored for next time.
import module from 'node:module'
import {takeArgv} from './argv.js'

/** The oldest Node aims runs on: package.json "engines" says the same (test/unit/cli/node-version.test.ts). */
const NODE_MIN = '22.12.0'
if (olderThan(process.versions.node, NODE_MIN)) {
  process.stderr.write(
    `aims needs Node ${NODE_MIN} or newer; this is Node ${process.version}.\n` +
      'Install Node 22 LTS (https://nodejs.org, or your package manager), then run aims again.\n',
  )
  process.exit(1)
}

module.enableCompileCache?.()
const argv = takeArgv()
// oclif (and everything after it) reads process.argv.
process.argv.splice(2, Infinity, ...argv)
// `aims … | head`: a reader that stops early is not an error (without this, oclif's
// pending writes leave an "unsettled top-level await" warning behind).
// A command that must finish what it started (plug up rolling back) listens for 'aims:interrupt'
// and gets the closed pipe as an interruption instead (its output is then dropped).
process.stdout.on('error', (error) => {
  if (error.code !== 'EPIPE') throw error
  if (process.listenerCount('aims:interrupt') > 0) return void process.emit('aims:interrupt', 'EPIPE')
  process.exit(process.exitCode ?? 0)
})
// Never Node's "unsettled top-level await" (exit 13): if everything aims waited on is gone without an
// answer (a lost connection's callbacks that never came), say so and fail like any other failure.
let settled = false
process.on('beforeExit', () => {
  if (settled) return
  process.stderr.write('Error: aims was still waiting for an answer that will not come (a lost connection?) — retry\n')
  process.exit(1)
})

async function main() {
  // `aims --version`, `aims -v`, `aims version` (with --json: the fields as JSON).
  const json = argv.length === 2 && argv[1] === '--json'
  if (['--version', '-v', 'version'].includes(argv[0]) && (argv.length === 1 || (json && argv[0] === 'version'))) {
    const {readFileSync} = await import('node:fs')
    const {version} = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
    const platform = `${process.platform}-${process.arch}`
    process.stdout.write(
      json
        ? `${JSON.stringify({version, node: process.version, platform}, null, 2)}\n`
        : // The same text oclif prints (config.userAgent).
          `aims/${version} ${platform} node-${process.version}\n`,
    )
    return
  }

  const help = await helpFromCache()
  if (help?.text !== undefined) {
    process.stdout.write(help.text)
    return
  }

  const vendor = new URL('../dist/vendor/', import.meta.url).href
  module.registerHooks?.({
    resolve(specifier, context, next) {
      if (specifier === '@oclif/core') {
        const esm = context.conditions?.includes('import')
        return {
          url: `${vendor}oclif-core.${esm ? 'mjs' : 'cjs'}`,
          format: esm ? 'module' : 'commonjs',
          shortCircuit: true,
        }
      }
      // dockerode without its BuildKit (gRPC) session support, in one file (scripts/vendor-oclif.mjs).
      if (specifier === 'dockerode') return {url: `${vendor}dockerode.cjs`, format: 'commonjs', shortCircuit: true}
      return next(specifier, context)
    },
  })
  const capture = help ? captureOutput() : undefined
  const {execute} = await import('@oclif/core')
  await execute({dir: import.meta.url})
  // Only a clean rendering is worth keeping: exit 0, nothing on stderr.
  if (help && capture && !capture.stderrWritten && !process.exitCode && capture.text() !== '')
    help.store(capture.text())
}

/** undefined: not a (cacheable) help request; {text}: a hit; {store}: a miss to fill. */
async function helpFromCache() {
  if (process.env.AIMS_HELP_CACHE === 'off') return undefined
  // Most runs are not help requests: decide that before loading the cache module (isHelpRequest's cheap test).
  if (argv.length > 0 && argv[0] !== 'help' && argv.at(-1) !== '--help') return undefined
  const cache = await import('../dist/src/cli/help-cache.js').catch(() => undefined)
  if (!cache?.isHelpRequest(argv)) return undefined
  const {fileURLToPath} = await import('node:url')
  const root = fileURLToPath(new URL('..', import.meta.url))
  const key = cache.helpCacheKey({
    root,
    argv,
    env: process.env,
    stdout: {
      isTTY: process.stdout.isTTY,
      columns: process.stdout.isTTY ? process.stdout.getWindowSize?.()[0] : undefined,
    },
    stderr: {isTTY: process.stderr.isTTY},
    platform: process.platform,
    arch: process.arch,
    nodeVersion: process.version,
  })
  if (!key) return undefined
  const dirs = cache.helpCacheDirs(root, process.env)
  const text = cache.readCachedHelp(dirs, key)
  return text === undefined ? {store: (rendered) => cache.writeCachedHelp(dirs.user, key, rendered)} : {text}
}

/** Tees stdout (the help text) and notes whether anything went to stderr. */
function captureOutput() {
  const chunks = []
  const state = {stderrWritten: false, text: () => Buffer.concat(chunks).toString('utf8')}
  const stdoutWrite = process.stdout.write.bind(process.stdout)
  process.stdout.write = (chunk, encoding, callback) => {
    chunks.push(
      typeof chunk === 'string'
        ? Buffer.from(chunk, typeof encoding === 'string' ? encoding : 'utf8')
        : Buffer.from(chunk),
    )
    return stdoutWrite(chunk, encoding, callback)
  }
  const stderrWrite = process.stderr.write.bind(process.stderr)
  process.stderr.write = (chunk, encoding, callback) => {
    state.stderrWritten = true
    return stderrWrite(chunk, encoding, callback)
  }
  return state
}

/** Whether version a (x.y.z) is older than b. */
function olderThan(a, b) {
  const [x, y] = [a, b].map((version) => version.split('.').map((part) => Number.parseInt(part, 10) || 0))
  for (let index = 0; index < 3; index++) if (x[index] !== y[index]) return x[index] < y[index]
  return false
}

try {
  await main()
} finally {
  settled = true
}
