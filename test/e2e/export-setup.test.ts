/**
 * setup.sh's checks and .env handling, with a stand-in `docker` on PATH that
 * records its calls (no engine involved): clear messages when Docker, the
 * engine or a recent enough compose tool is missing, secrets generated with
 * the catalog's length and charset, required values enforced before anything
 * starts, and values the user set never replaced.
 */
import {execFile} from 'node:child_process'
import {chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {aims, ROOT, tempHome} from '../support/aims.js'

const FIXTURES = join(ROOT, 'test', 'fixtures', 'plugs')
const work = mkdtempSync(join(tmpdir(), 'exp-setup-'))
const home = tempHome('exp-setup-home-')
const CALLS = join(work, 'docker-calls.log')

/** A PATH directory with a fake docker (behaviour chosen by FAKE_DOCKER), and optionally a fake docker-compose. */
function fakeBin(name: string, options: {compose?: string} = {}): string {
  const dir = join(work, name)
  mkdirSync(dir)
  writeFileSync(
    join(dir, 'docker'),
    `#!/bin/sh
echo "docker $*" >> ${CALLS}
case "$FAKE_DOCKER:$1" in
  down:info) exit 1 ;;
  *:info) exit 0 ;;
  plugin:compose) [ "$2" = version ] && { [ "$3" = --short ] && echo 2.29.1 || echo "Docker Compose version v2.29.1"; exit 0; }; exit 1 ;;
  *) exit 1 ;;
esac
`,
  )
  chmodSync(join(dir, 'docker'), 0o755)
  if (options.compose) {
    writeFileSync(
      join(dir, 'docker-compose'),
      `#!/bin/sh\n[ "$1 $2" = "version --short" ] && { echo ${options.compose}; exit 0; }\nexit 1\n`,
    )
    chmodSync(join(dir, 'docker-compose'), 0o755)
  }
  return dir
}

/** PATH with only the tools setup.sh needs besides docker (no docker-compose of the bed's). */
function toolsDir(): string {
  const dir = join(work, 'tools')
  mkdirSync(dir)
  for (const tool of ['bash', 'dirname', 'cp', 'chmod', 'grep', 'head', 'tr', 'mktemp', 'mv', 'cat', 'sleep'])
    symlinkSync(`/usr/bin/${tool}`, join(dir, tool))
  return dir
}

let tools: string
const bundles: Record<string, string> = {}

beforeAll(async () => {
  tools = toolsDir()
  for (const [plug, catalog] of [
    ['fixture-web', FIXTURES],
    ['deerflow', undefined],
  ] as const) {
    const out = join(work, `${plug}-bundle`)
    const result = await aims(['export', plug, '--out', out], {home, env: catalog ? {AIMS_CATALOG_PATH: catalog} : {}})
    if (result.code !== 0) throw new Error(result.stderr)
    bundles[plug] = out
  }
})
afterAll(() => {
  rmSync(work, {recursive: true, force: true})
  rmSync(home, {recursive: true, force: true})
})

function setup(dir: string, path: string, fake: string): Promise<{code: number; stdout: string; stderr: string}> {
  return new Promise((resolve) => {
    execFile(
      '/usr/bin/bash',
      ['setup.sh'],
      {cwd: dir, env: {PATH: path, FAKE_DOCKER: fake, HOME: home}, timeout: 20_000},
      (error, stdout, stderr) => {
        resolve({code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr})
      },
    )
  })
}

describe('setup.sh checks before it changes anything', () => {
  it.each([
    ['no docker', () => tools, 'plugin', /setup: error: Docker is not installed\. Install Docker Engine/],
    [
      'an engine that does not answer',
      () => `${fakeBin('down')}:${tools}`,
      'down',
      /setup: error: cannot reach the Docker engine\./,
    ],
    [
      'no compose tool',
      () => `${fakeBin('nocompose')}:${tools}`,
      'none',
      /setup: error: no compose tool: install the Docker Compose plugin/,
    ],
    [
      'docker-compose 1.25',
      () => `${fakeBin('old', {compose: '1.25.0'})}:${tools}`,
      'none',
      /setup: error: docker-compose 1\.25\.0 is too old for docker-compose\.yml \(it needs 1\.27 or newer\)/,
    ],
  ])('stops on %s with a message saying what to do', async (_name, path, fake, message) => {
    const dir = bundles['fixture-web']!
    const result = await setup(dir, path(), fake)
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(message)
    expect(existsSync(join(dir, '.env'))).toBe(false)
  })
})

describe('setup.sh and .env', () => {
  it('generates secrets, keeps values the user set, and refuses to start without a required one', async () => {
    const dir = bundles.deerflow!
    writeFileSync(join(dir, '.env'), "DEERFLOW_MODEL='my model'\nAUTH_JWT_SECRET=\n")
    writeFileSync(CALLS, '')
    const first = await setup(dir, `${fakeBin('plugin')}:${tools}`, 'plugin')
    expect(first.code).toBe(1)
    expect(first.stdout).toContain('setup: using docker compose 2.29.1')
    expect(first.stdout).toContain('setup: generated AUTH_JWT_SECRET (48 random characters)')
    expect(first.stderr).toContain(
      'setup: error: set OPENAI_API_KEY in .env (what each one is: see the comments in .env.example), then run ./setup.sh again.',
    )
    // Nothing was started.
    expect(readFileSync(CALLS, 'utf8')).not.toMatch(/ up /)

    const env = readFileSync(join(dir, '.env'), 'utf8')
    expect(env).toMatch(/^AUTH_JWT_SECRET=[A-Za-z0-9]{48}$/m)
    expect(env).toMatch(/^DEERFLOW_MODEL='my model'$/m)
    expect(env).toMatch(/^OPENAI_API_BASE=https:\/\/api\.openai\.com\/v1$/m)
    expect(env).toMatch(/^PUBLIC_URL=http:\/\/127\.0\.0\.1:51000$/m)
    expect(env.match(/^AUTH_JWT_SECRET=/gm)).toHaveLength(1)

    // Set the required key; the compose stand-in then fails `up`, but the secret survived the second run.
    writeFileSync(join(dir, '.env'), env.replace(/^OPENAI_API_KEY=$/m, 'OPENAI_API_KEY=sk-test'))
    const second = await setup(dir, `${fakeBin('plugin2')}:${tools}`, 'plugin')
    expect(second.stdout).not.toContain('generated')
    expect(second.stderr).toContain('setup: error: the stack did not start')
    expect(readFileSync(join(dir, '.env'), 'utf8')).toBe(env.replace(/^OPENAI_API_KEY=$/m, 'OPENAI_API_KEY=sk-test'))
    expect(readFileSync(CALLS, 'utf8')).toMatch(/^docker compose up -d$/m)
  })
})
