/**
 * `aims --help` is answered from a cache of oclif's own rendering. These
 * tests hold it to that: the cached text equals what oclif renders with the
 * cache off, for several help requests and widths, a hit really is served
 * from the cache, and a changed manifest (a rebuild) gets a fresh rendering.
 */
import {execFileSync} from 'node:child_process'
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {aims, ROOT, tempHome} from '../support/aims.js'

const scratch = mkdtempSync(join(tmpdir(), 'aims-fnd-help-'))
afterAll(() => rmSync(scratch, {recursive: true, force: true}))

const REQUESTS = [
  ['--help'],
  ['help'],
  [],
  ['host', '--help'],
  ['host', 'add', '--help'],
  ['doctor', '--help'],
  ['help', 'host'],
].map((argv) => ({argv, shown: `aims ${argv.join(' ')}`.trim()}))

async function render(argv: string[], home: string, env: Record<string, string> = {}, cwdRoot = ROOT) {
  const result = await aims(argv, {home, env, cwd: cwdRoot})
  expect(result.code, result.stderr).toBe(0)
  expect(result.stderr).toBe('')
  return result.stdout
}

const userEntries = (home: string) => {
  const dir = join(home, '.aims', 'cache', 'help')
  return existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.txt')) : []
}

describe('help cache', () => {
  it.each(REQUESTS)("$shown: the cached text is exactly oclif's rendering (miss, then hit)", async ({argv}) => {
    const home = tempHome('aims-fnd-help-')
    const oclif = await render(argv, home, {AIMS_HELP_CACHE: 'off'})
    expect(oclif).toMatch(/USAGE/)
    expect(userEntries(home)).toEqual([]) // the bypass stores nothing
    const first = await render(argv, home)
    const second = await render(argv, home)
    expect(first).toBe(oclif)
    expect(second).toBe(oclif)
  })

  it('serves a hit from the cache file (a planted entry is what comes out)', async () => {
    const home = tempHome('aims-fnd-help-')
    const argv = ['host', 'ls', '--help']
    const oclif = await render(argv, home)
    const entries = userEntries(home)
    expect(entries).toHaveLength(1)
    writeFileSync(join(home, '.aims', 'cache', 'help', entries[0]!), 'PLANTED\n')
    expect(await render(argv, home)).toBe('PLANTED\n')
    // Another width is another key: oclif renders again.
    const narrow = await render(argv, home, {OCLIF_COLUMNS: '50'})
    expect(narrow).not.toBe('PLANTED\n')
    expect(narrow).toBe(await render(argv, home, {OCLIF_COLUMNS: '50', AIMS_HELP_CACHE: 'off'}))
    expect(narrow).not.toBe(oclif)
  })

  it('answers the root help from the entries the build pre-rendered', async () => {
    expect(readdirSync(join(ROOT, 'dist', 'help-cache')).length).toBeGreaterThan(0)
    const home = tempHome('aims-fnd-help-')
    expect(await render(['--help'], home)).toBe(await render(['--help'], home, {AIMS_HELP_CACHE: 'off'}))
    // A hit on a pre-rendered entry writes nothing to the user's cache.
    expect(userEntries(home)).toEqual([])
  })

  it('renders again when the manifest changes (as after a rebuild), and caches the new text', async () => {
    // A copy of the package whose manifest we may change; dist and node_modules are shared.
    const pkg = join(scratch, 'pkg')
    mkdirSync(join(pkg, 'bin'), {recursive: true})
    copyFileSync(join(ROOT, 'bin', 'run.js'), join(pkg, 'bin', 'run.js'))
    copyFileSync(join(ROOT, 'bin', 'argv.js'), join(pkg, 'bin', 'argv.js'))
    copyFileSync(join(ROOT, 'package.json'), join(pkg, 'package.json'))
    copyFileSync(join(ROOT, 'oclif.manifest.json'), join(pkg, 'oclif.manifest.json'))
    symlinkSync(join(ROOT, 'dist'), join(pkg, 'dist'))
    symlinkSync(join(ROOT, 'node_modules'), join(pkg, 'node_modules'))
    const home = tempHome('aims-fnd-help-')
    const run = (extra: Record<string, string> = {}) =>
      execFileSync(process.execPath, [join(pkg, 'bin', 'run.js'), '--help'], {
        env: {PATH: process.env.PATH, HOME: home, AIMS_HOME: join(home, '.aims'), NO_COLOR: '1', ...extra},
      }).toString()

    const before = run()
    expect(before).toBe(run({AIMS_HELP_CACHE: 'off'}))
    expect(before).toContain('doctor')

    const manifest = JSON.parse(readFileSync(join(pkg, 'oclif.manifest.json'), 'utf8'))
    manifest.commands.doctor.description = 'Examine a host thoroughly (changed manifest)'
    writeFileSync(join(pkg, 'oclif.manifest.json'), JSON.stringify(manifest, null, 2))

    const after = run()
    expect(after).toContain('Examine a host thoroughly (changed manifest)')
    expect(after).not.toBe(before)
    expect(after).toBe(run({AIMS_HELP_CACHE: 'off'}))
    expect(userEntries(home)).toHaveLength(1)
    expect(run()).toBe(after)
  })

  it('on a terminal, follows its width exactly as oclif does', async () => {
    // `script` gives aims a pseudo-terminal of the width we set.
    let hasScript = true
    try {
      execFileSync('script', ['--version'], {stdio: 'ignore'})
    } catch {
      hasScript = false
    }
    expect(hasScript, 'util-linux script(1) is part of the bed').toBe(true)
    const home = tempHome('aims-fnd-help-')
    const inTerminal = (columns: number, extra = '') => {
      const command = `stty cols ${columns} rows 40; ${extra} ${JSON.stringify(process.execPath)} ${JSON.stringify(join(ROOT, 'bin', 'run.js'))} host add --help`
      return execFileSync('script', ['-q', '-e', '-c', command, '/dev/null'], {
        env: {PATH: process.env.PATH, HOME: home, AIMS_HOME: join(home, '.aims'), TERM: 'xterm'},
      }).toString()
    }
    for (const columns of [60, 140]) {
      const oclif = inTerminal(columns, 'AIMS_HELP_CACHE=off')
      expect(inTerminal(columns), `miss at ${columns} columns`).toBe(oclif)
      expect(inTerminal(columns), `hit at ${columns} columns`).toBe(oclif)
    }
    expect(inTerminal(60)).not.toBe(inTerminal(140))
  })
})
