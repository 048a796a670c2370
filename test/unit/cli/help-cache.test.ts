import {mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeEach, describe, expect, it} from 'vitest'
import {
  helpCacheDirs,
  helpCacheKey,
  isHelpRequest,
  readCachedHelp,
  writeCachedHelp,
  type HelpEnvironment,
} from '../../../src/cli/help-cache.js'

const scratch = mkdtempSync(join(tmpdir(), 'aims-help-cache-'))
afterAll(() => rmSync(scratch, {recursive: true, force: true}))

/** A package as bin/run.js sees it: package.json, manifest, one plugin, the oclif bundle. */
let root: string
let count = 0
function writePackage(
  pjson: object = {name: 'aims', version: '0.1.0', oclif: {bin: 'aims', plugins: ['@oclif/plugin-help']}},
) {
  writeFileSync(join(root, 'package.json'), JSON.stringify(pjson))
}
beforeEach(() => {
  root = join(scratch, `pkg-${count++}`)
  mkdirSync(join(root, 'dist', 'vendor'), {recursive: true})
  mkdirSync(join(root, 'node_modules', '@oclif', 'plugin-help'), {recursive: true})
  writePackage()
  writeFileSync(join(root, 'oclif.manifest.json'), JSON.stringify({commands: {doctor: {description: 'Check a host'}}}))
  writeFileSync(join(root, 'dist', 'vendor', 'oclif-core.cjs'), 'module.exports = {}')
  utimesSync(join(root, 'dist', 'vendor', 'oclif-core.cjs'), 1_700_000_000, 1_700_000_000)
  writeFileSync(
    join(root, 'node_modules', '@oclif', 'plugin-help', 'package.json'),
    JSON.stringify({name: '@oclif/plugin-help', version: '7.0.5'}),
  )
  writeFileSync(
    join(root, 'node_modules', '@oclif', 'plugin-help', 'oclif.manifest.json'),
    JSON.stringify({commands: {help: {}}}),
  )
})

function input(overrides: Partial<HelpEnvironment> = {}): HelpEnvironment {
  return {
    root,
    argv: ['--help'],
    env: {HOME: join(scratch, 'home'), PATH: '/usr/bin'},
    stdout: {isTTY: false},
    stderr: {isTTY: false},
    platform: 'linux',
    arch: 'x64',
    nodeVersion: 'v22.23.3',
    ...overrides,
  }
}
const key = (overrides: Partial<HelpEnvironment> = {}) => helpCacheKey(input(overrides))

describe('help requests', () => {
  it.each([
    [[]],
    [['--help']],
    [['host', '--help']],
    [['host', 'add', '--help']],
    [['host:add', '--help']],
    [['help']],
    [['help', 'host']],
  ])('%j is one', (argv) => {
    expect(isHelpRequest(argv)).toBe(true)
  })
  it.each([
    [['--version']],
    [['host', 'ls']],
    [['doctor', '--json', '--help']],
    [['host', 'add', 'vps', 'root@h', '--help']],
    [['--help', 'host']],
    [['help', '--json']],
    [['a', 'b', 'c', 'd', 'e', '--help']],
    [['Host', '--help']],
  ])('%j is not (or not cacheable)', (argv) => {
    expect(isHelpRequest(argv)).toBe(false)
  })
})

describe('help cache key', () => {
  it('is stable for the same inputs', () => {
    expect(key()).toMatch(/^[0-9a-f]{40}$/)
    expect(key()).toBe(key())
  })

  it('changes with everything the rendering reads', () => {
    const base = key()
    const changed: Record<string, string | undefined> = {}
    changed.argv = key({argv: ['host', '--help']})
    changed.node = key({nodeVersion: 'v22.99.0'})
    changed.arch = key({arch: 'arm64'})
    changed.tty = key({stdout: {isTTY: true, columns: 120}, stderr: {isTTY: true}})
    changed.oclifColumns = key({env: {...input().env, OCLIF_COLUMNS: '60'}})
    changed.debug = key({env: {...input().env, DEBUG: '*'}})
    changed.forceColor = key({env: {...input().env, FORCE_COLOR: '1'}})
    changed.nodeEnv = key({env: {...input().env, NODE_ENV: 'development'}})
    writeFileSync(
      join(root, 'oclif.manifest.json'),
      JSON.stringify({commands: {doctor: {description: 'Check a host, again'}}}),
    )
    changed.manifest = key()
    writePackage({name: 'aims', version: '0.1.1', oclif: {bin: 'aims', plugins: ['@oclif/plugin-help']}})
    changed.packageJson = key()
    writeFileSync(
      join(root, 'node_modules', '@oclif', 'plugin-help', 'oclif.manifest.json'),
      JSON.stringify({commands: {help: {description: 'x'}}}),
    )
    changed.pluginManifest = key()
    utimesSync(join(root, 'dist', 'vendor', 'oclif-core.cjs'), 1_700_000_001, 1_700_000_001)
    changed.bundle = key()
    const all = [base, ...Object.values(changed)]
    for (const [what, value] of Object.entries(changed)) expect(value, what).toMatch(/^[0-9a-f]{40}$/)
    expect(new Set(all).size, JSON.stringify(changed)).toBe(all.length)
  })

  it('ignores what cannot change the text: colour variables off a terminal, the width of a pipe, unrelated variables', () => {
    const base = key()
    expect(
      key({env: {...input().env, TERM: 'xterm-256color', COLORTERM: 'truecolor', CI: 'true', NO_COLOR: '1'}}),
    ).toBe(base)
    expect(key({stdout: {isTTY: false, columns: 132}})).toBe(base)
    expect(key({env: {...input().env, AIMS_HOME: '/elsewhere', PWD: '/x', SHLVL: '3'}})).toBe(base)
  })

  it('includes colour variables and the width on a terminal', () => {
    const tty = {stdout: {isTTY: true, columns: 100}, stderr: {isTTY: true}}
    expect(key({...tty, env: {...input().env, TERM: 'dumb'}})).not.toBe(
      key({...tty, env: {...input().env, TERM: 'xterm'}}),
    )
    expect(key(tty)).not.toBe(key({...tty, stdout: {isTTY: true, columns: 60}}))
  })

  it('is off when asked, on Windows, for non-help argv, or without a manifest', () => {
    expect(key({env: {...input().env, AIMS_HELP_CACHE: 'off'}})).toBeUndefined()
    expect(key({platform: 'win32'})).toBeUndefined()
    expect(key({argv: ['host', 'ls']})).toBeUndefined()
    rmSync(join(root, 'oclif.manifest.json'))
    expect(key()).toBeUndefined()
  })

  it('is off when something outside the key could change the help: a theme, init hooks, dev or user plugins, a plugin without manifest', () => {
    const home = join(scratch, `home-${count}`)
    mkdirSync(join(home, '.config', 'aims'), {recursive: true})
    writeFileSync(join(home, '.config', 'aims', 'theme.json'), '{}')
    expect(key({env: {HOME: home}})).toBeUndefined()
    expect(key({env: {HOME: join(scratch, 'nohome'), AIMS_CONFIG_DIR: join(home, '.config', 'aims')}})).toBeUndefined()
    writePackage({name: 'aims', oclif: {plugins: ['@oclif/plugin-help'], hooks: {init: './x.js'}}})
    expect(key()).toBeUndefined()
    writePackage({name: 'aims', oclif: {plugins: ['@oclif/plugin-help'], devPlugins: ['x']}})
    expect(key()).toBeUndefined()
    writePackage({name: 'aims', oclif: {plugins: ['@oclif/plugin-help', '@oclif/plugin-plugins']}})
    expect(key()).toBeUndefined()
    writePackage({name: 'aims', oclif: {theme: 'theme.json'}})
    expect(key()).toBeUndefined()
    writePackage()
    rmSync(join(root, 'node_modules', '@oclif', 'plugin-help', 'oclif.manifest.json'))
    expect(key()).toBeUndefined()
  })

  it('finds plugins in a parent node_modules (hoisted installs)', () => {
    const nested = join(root, 'node_modules', 'aims')
    mkdirSync(join(nested, 'dist', 'vendor'), {recursive: true})
    writeFileSync(
      join(nested, 'package.json'),
      JSON.stringify({name: 'aims', oclif: {plugins: ['@oclif/plugin-help']}}),
    )
    writeFileSync(join(nested, 'oclif.manifest.json'), '{}')
    writeFileSync(join(nested, 'dist', 'vendor', 'oclif-core.cjs'), '')
    expect(helpCacheKey(input({root: nested}))).toMatch(/^[0-9a-f]{40}$/)
  })
})

describe('help cache files', () => {
  it('reads the user entry first, then the prebuilt one', () => {
    const dirs = {user: join(root, 'user'), prebuilt: join(root, 'prebuilt')}
    expect(readCachedHelp(dirs, 'k')).toBeUndefined()
    mkdirSync(dirs.prebuilt)
    writeFileSync(join(dirs.prebuilt, 'k.txt'), 'prebuilt')
    expect(readCachedHelp(dirs, 'k')).toBe('prebuilt')
    writeCachedHelp(dirs.user, 'k', 'user')
    expect(readCachedHelp(dirs, 'k')).toBe('user')
  })

  it('lives under AIMS_HOME/cache or the XDG cache dir', () => {
    expect(helpCacheDirs('/pkg', {AIMS_HOME: '/a'})).toEqual({user: '/a/cache/help', prebuilt: '/pkg/dist/help-cache'})
    expect(helpCacheDirs('/pkg', {HOME: '/h', XDG_CACHE_HOME: '/x'}).user).toBe('/x/aims/help')
    expect(helpCacheDirs('/pkg', {HOME: '/h'}).user).toBe('/h/.cache/aims/help')
  })

  it('keeps the newest entries when it grows', () => {
    const dir = join(root, 'many')
    for (let index = 0; index < 70; index++) writeCachedHelp(dir, `k${index}`, 'x')
    expect(readdirSync(dir).length).toBeLessThanOrEqual(64)
    expect(readdirSync(dir)).toContain('k69.txt')
  })

  it('never throws when the cache cannot be written', () => {
    const file = join(root, 'a-file')
    writeFileSync(file, '')
    expect(() => writeCachedHelp(join(file, 'sub'), 'k', 'x')).not.toThrow()
  })
})
