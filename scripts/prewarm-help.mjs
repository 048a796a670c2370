// Build step: renders the root help with the freshly built aims (oclif's own
// rendering, through bin/run.js's cache-miss path) for the usual non-TTY case,
// and ships the entries in dist/help-cache, so even a first `aims --help` is
// answered without loading oclif. Variables that would enter the cache key
// (oclif's, colour, debug) are left out, as in a plain shell or CI.
import {execFileSync} from 'node:child_process'
import {cpSync, existsSync, mkdtempSync, readdirSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const home = mkdtempSync(join(tmpdir(), 'aims-prewarm-'))
const keyed =
  /^(OCLIF_.*|AIMS_.*|NODE_ENV|DEBUG|CLI_FLAGS_DEBUG|FORCE_COLOR|NO_COLOR|TERM|TERM_PROGRAM|TERM_PROGRAM_VERSION|COLORTERM|CI|CI_NAME|TEAMCITY_VERSION|TRAVIS|CIRCLECI|APPVEYOR|GITLAB_CI|GITHUB_ACTIONS|BUILDKITE|DRONE)$/
const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !keyed.test(name)))
env.AIMS_HOME = join(home, '.aims')
try {
  for (const argv of [['--help'], ['help'], []]) {
    execFileSync(process.execPath, [join(root, 'bin', 'run.js'), ...argv], {env, stdio: ['ignore', 'pipe', 'pipe']})
  }
  const rendered = join(env.AIMS_HOME, 'cache', 'help')
  const target = join(root, 'dist', 'help-cache')
  rmSync(target, {recursive: true, force: true})
  if (!existsSync(rendered) || readdirSync(rendered).length === 0)
    throw new Error('no help was cached: is bin/run.js answering help from dist/src/cli/help-cache.js?')
  cpSync(rendered, target, {recursive: true})
} finally {
  rmSync(home, {recursive: true, force: true})
}
