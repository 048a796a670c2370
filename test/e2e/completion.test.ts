/**
 * Shell completion through a real bash: the script `aims completion bash` prints, sourced, and its function run
 * as bash runs it at a TAB. Instances come from the host (the bed's sshd, a live read cached in AIMS_HOME), hosts
 * from AIMS_HOME's config, plug ids from the catalog.
 */
import {execFileSync} from 'node:child_process'
import {dirname, join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {aims, aimsEnv, COMMAND, homeWithHost, ROOT} from '../support/aims.js'
import {purgeTenant} from '../support/engine.js'

const TENANT = 'nc-comp'
const env = {AIMS_CATALOG_PATH: join(ROOT, 'test', 'fixtures', 'plugs')}
let home: string

/** The candidates bash offers after `aims WORDS…` (the last word is the one being completed). */
function tab(words: string[]): string[] {
  const script = [
    `aims() { "${COMMAND}" "$@"; }`,
    'source <(aims completion bash)',
    `COMP_WORDS=(aims ${words.map((word) => `'${word}'`).join(' ')})`,
    `COMP_CWORD=${words.length}`,
    '_aims_complete',
    'printf "%s\\n" "${COMPREPLY[@]}"',
  ].join('\n')
  const environment = aimsEnv({home, env})
  environment.PATH = `${dirname(process.execPath)}:${environment.PATH}`
  return execFileSync('bash', ['-c', script], {encoding: 'utf8', env: environment}).split('\n').filter(Boolean)
}

beforeAll(async () => {
  await purgeTenant(TENANT)
  home = await homeWithHost()
  const up = await aims(['plug', 'up', 'fixture-web', '--name', 'tabbed', '--tenant', TENANT, '--yes'], {home, env})
  if (up.code !== 0) throw new Error(up.stderr)
})
afterAll(async () => {
  await purgeTenant(TENANT)
})

describe('aims completion bash', () => {
  it('completes commands, flags, instances of the host, hosts, tenants, plug ids and config keys', () => {
    expect(tab(['pl'])).toEqual(['plug'])
    expect(tab(['plug', 'up', 'fixture-w'])).toEqual(['fixture-web'])
    expect(tab(['plug', 'logs', 'nc-comp/'])).toEqual(['nc-comp/tabbed'])
    expect(tab(['plug', 'logs', '--t'])).toEqual(['--tail', '--tenant'])
    expect(tab(['host', 'use', ''])).toEqual(['local', 'vps'])
    expect(tab(['ps', '--tenant', 'nc-co'])).toEqual(['nc-comp'])
    expect(tab(['config', 'get', 'ai.p'])).toEqual(['ai.provider'])
  })

  it('honours AIMS_HOME: another home knows other hosts', () => {
    const other = home
    home = join(other, 'elsewhere')
    try {
      expect(tab(['host', 'use', ''])).toEqual(['local'])
    } finally {
      home = other
    }
  })

  it('refuses an unknown shell with exit 2', async () => {
    const result = await aims(['completion', 'tcsh'])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/no completion for "tcsh" — write aims completion bash/)
  })
})
