/**
 * aims site on the bed: static files served by the bed's nginx from release directories, switched
 * atomically (a request loop sees no error during deploys and rollbacks), basic auth whose password
 * never lands anywhere in clear, and rm leaving nothing behind.
 */
import {existsSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {aims, homeWithHost} from '../support/aims.js'
import {appDir} from '../support/apps.js'
import {httpGet, removeConfs} from '../support/engine.js'

const TENANT = 'bd-site'
const ROOT = '/var/www/aims-sites'
let home: string
const run = (args: string[], env: Record<string, string> = {}) => aims(args, {home, env})
const get = (name: string, path = '/', headers: Record<string, string> = {}) =>
  httpGet(`http://127.0.0.1${path}`, {Host: `${name}.${TENANT}.localhost`, ...headers})

/** GETs the site in a loop until stopped; returns every status seen that was not 200 and the bodies seen. */
function requestLoop(name: string) {
  let running = true
  const failures: string[] = []
  const bodies = new Set<string>()
  let count = 0
  const done = (async () => {
    while (running) {
      try {
        // A new connection each time: nginx reloads (other tests share it) close idle keep-alive sockets.
        const page = await get(name, '/', {Connection: 'close'})
        count++
        if (page.status !== 200) failures.push(`HTTP ${page.status}`)
        else bodies.add(page.body.trim())
      } catch (error) {
        failures.push((error as Error).message)
      }
    }
  })()
  return {
    stop: async () => {
      running = false
      await done
      return {failures, bodies, count}
    },
  }
}

function allFiles(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? allFiles(path) : [path]
  })
}

beforeAll(async () => {
  home = await homeWithHost()
})
afterAll(async () => {
  await removeConfs((name) => name.startsWith(`site-${TENANT}-`))
  const {rmSync} = await import('node:fs')
  rmSync(join(ROOT, TENANT), {recursive: true, force: true})
})

describe('aims site', () => {
  it('deploys, redeploys and rolls back atomically under a request loop; ls shows the releases', async () => {
    const dir = appDir({'index.html': 'docs v1\n', 'style.css': 'h1 {}\n'})
    const first = await run(['site', 'deploy', dir, '--name', 'docs', '--tenant', TENANT, '--yes', '--json'])
    expect(first.code, first.stderr).toBe(0)
    const deployed = first.json()
    expect(deployed).toMatchObject({
      status: 'deployed',
      site: `${TENANT}/docs`,
      url: `http://docs.${TENANT}.localhost/`,
    })
    expect((await get('docs')).body).toBe('docs v1\n')
    const css = await get('docs', '/style.css')
    expect(css.status).toBe(200)

    const loop = requestLoop('docs')
    const versions = ['docs v2\n', 'docs v3\n']
    for (const body of versions) {
      writeFileSync(join(dir, 'index.html'), body)
      const again = await run(['site', 'deploy', dir, '--name', 'docs', '--tenant', TENANT, '--yes'])
      expect(again.code, again.stderr).toBe(0)
    }
    const rollback = await run(['site', 'rollback', `${TENANT}/docs`, '--yes', '--json'])
    expect(rollback.code, rollback.stderr).toBe(0)
    const seen = await loop.stop()
    expect(seen.failures).toEqual([])
    expect(seen.count).toBeGreaterThan(20)
    expect([...seen.bodies].sort()).toEqual(expect.arrayContaining(['docs v1', 'docs v2', 'docs v3']))
    expect((await get('docs')).body).toBe('docs v2\n')

    const ls = await run(['site', 'ls', '--tenant', TENANT, '--json'])
    expect(ls.code, ls.stderr).toBe(0)
    const site = ls.json().sites.find((item: {site: string}) => item.site === `${TENANT}/docs`)
    expect(site.releases).toHaveLength(3)
    expect(site.current).toBe(site.releases[1].id)
    expect(site.releases[1].current).toBe(true)

    const to = await run(['site', 'rollback', `${TENANT}/docs`, '--to', site.releases[2].id, '--yes'])
    expect(to.code, to.stderr).toBe(0)
    expect((await get('docs')).body).toBe('docs v3\n')
    const missing = await run(['site', 'rollback', `${TENANT}/docs`, '--to', '20200101T000000Z-abc', '--yes'])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/has no release 20200101T000000Z-abc/)
  })

  it('--password protects the site with basic auth; the password is never stored or shown in clear', async () => {
    const password = 'correct-horse-battery-9'
    const dir = appDir({'index.html': 'private preview\n'})
    const deploy = await run(
      ['site', 'deploy', dir, '--name', 'preview', '--tenant', TENANT, '--password', '--yes', '--json'],
      {
        AIMS_SITE_PASSWORD: password,
      },
    )
    expect(deploy.code, deploy.stderr).toBe(0)
    expect(deploy.json().protected).toBe(true)
    expect((await get('preview')).status).toBe(401)
    const auth = (user: string, secret: string) => ({
      Authorization: `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`,
    })
    expect((await get('preview', '/', auth('aims', 'wrong-password'))).status).toBe(401)
    const ok = await get('preview', '/', auth('aims', password))
    expect(ok.status).toBe(200)
    expect(ok.body).toBe('private preview\n')
    // Nowhere in clear: not in the output, the local files (config, audit), or the host's site files.
    expect(deploy.stdout + deploy.stderr).not.toContain(password)
    for (const file of [...allFiles(join(home, '.aims')), ...allFiles(join(ROOT, TENANT, 'preview'))])
      expect(readFileSync(file, 'utf8'), file).not.toContain(password)
    expect(readFileSync(join(ROOT, TENANT, 'preview', 'htpasswd'), 'utf8')).toMatch(/^aims:\{SSHA\}[A-Za-z0-9+/=]+\n$/)
    // A redeploy keeps the protection; --public drops it.
    writeFileSync(join(dir, 'index.html'), 'private preview 2\n')
    expect((await run(['site', 'deploy', dir, '--name', 'preview', '--tenant', TENANT, '--yes'])).code).toBe(0)
    expect((await get('preview')).status).toBe(401)
    expect(
      (await run(['site', 'deploy', dir, '--name', 'preview', '--tenant', TENANT, '--public', '--yes'])).code,
    ).toBe(0)
    expect((await get('preview')).status).toBe(200)
    // Without a terminal and without AIMS_SITE_PASSWORD, --password is bad input.
    const noPassword = await run([
      'site',
      'deploy',
      dir,
      '--name',
      'preview',
      '--tenant',
      TENANT,
      '--password',
      '--yes',
    ])
    expect(noPassword.code).toBe(2)
    expect(noPassword.stderr).toMatch(/AIMS_SITE_PASSWORD/)
  })

  it('refuses a directory without index.html or with secrets, changing nothing', async () => {
    const noIndex = await run([
      'site',
      'deploy',
      appDir({'about.html': 'x'}),
      '--name',
      'bad',
      '--tenant',
      TENANT,
      '--yes',
    ])
    expect(noIndex.code).toBe(2)
    expect(noIndex.stderr).toMatch(/has no index\.html/)
    const leaky = await run([
      'site',
      'deploy',
      appDir({'index.html': 'x', '.env': 'API_KEY=abc\n'}),
      '--name',
      'bad',
      '--tenant',
      TENANT,
      '--yes',
    ])
    expect(leaky.code).toBe(2)
    expect(leaky.stderr).toMatch(/\.env \(an environment file\)/)
    expect(existsSync(join(ROOT, TENANT, 'bad'))).toBe(false)
  })

  it('rm asks for the name without --yes, then removes the route and every release', async () => {
    const refused = await run(['site', 'rm', `${TENANT}/docs`])
    expect(refused.code).toBe(3)
    expect((await get('docs')).status).toBe(200)
    const rm = await run(['site', 'rm', `${TENANT}/docs`, '--yes', '--json'])
    expect(rm.code, rm.stderr).toBe(0)
    expect(existsSync(join(ROOT, TENANT, 'docs'))).toBe(false)
    expect(existsSync(`/etc/nginx/conf.d/plugs/site-${TENANT}-docs.conf`)).toBe(false)
    expect((await get('docs')).body).not.toContain('docs v')
    const again = await run(['site', 'rm', `${TENANT}/docs`, '--yes'])
    expect(again.code).toBe(2)
    expect(again.stderr).toMatch(/no site bd-site\/docs/)
  })
})
