/**
 * TLS through aims (a wildcard certificate configured on the host), and
 * routes left behind by instances that vanished: doctor reports them, plug
 * down removes them.
 */
import {execFileSync} from 'node:child_process'
import {existsSync, mkdtempSync} from 'node:fs'
import {request} from 'node:https'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {aims, homeWithHost, ROOT} from '../support/aims.js'
import {docker, httpGet, purgeTenant, removeConfs} from '../support/engine.js'

const FIXTURES = join(ROOT, 'test', 'fixtures', 'plugs')
const TENANT = 'tls-e2e'
const DOMAIN = 'tls.aims.test'
let home: string
const run = (args: string[]) => aims(args, {home, env: {AIMS_CATALOG_PATH: FIXTURES}})

function httpsGet(host: string): Promise<{status: number; body: string; certificateSubject?: string}> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: 443,
        path: '/',
        servername: host,
        headers: {Host: host},
        rejectUnauthorized: false,
        timeout: 5000,
      },
      (response) => {
        const certificateSubject = String(
          (response.socket as import('node:tls').TLSSocket).getPeerCertificate().subject?.CN ?? '',
        )
        let body = ''
        response.setEncoding('utf8')
        response.on('data', (chunk: string) => (body += chunk))
        response.on('end', () =>
          resolve({status: response.statusCode ?? 0, body, ...(certificateSubject ? {certificateSubject} : {})}),
        )
      },
    )
    req.on('timeout', () => req.destroy(new Error('https request timed out')))
    req.on('error', reject)
    req.end()
  })
}

beforeAll(async () => {
  await purgeTenant(TENANT)
  const dir = mkdtempSync(join(tmpdir(), 'aims-tls-'))
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=*.${TENANT}.${DOMAIN}`,
      '-keyout',
      join(dir, 'privkey.pem'),
      '-out',
      join(dir, 'fullchain.pem'),
    ],
    {stdio: 'ignore'},
  )
  home = await homeWithHost('vps', ['--domain', DOMAIN, '--tls-certbot-dir', dir])
})

afterAll(async () => {
  await purgeTenant(TENANT)
  await removeConfs((name) => name.startsWith(`${TENANT}-`))
})

describe('TLS', () => {
  it('serves the instance on 443 with the host certificate and redirects http to https', async () => {
    const up = await run([
      'plug',
      'up',
      'fixture-web',
      '--name',
      'secure',
      '--tenant',
      TENANT,
      '--env',
      'GREETING=over tls',
      '--yes',
      '--json',
    ])
    expect(up.code, up.stderr).toBe(0)
    expect(up.json().domainUrl).toBe(`https://secure.${TENANT}.${DOMAIN}/`)
    const secure = await httpsGet(`secure.${TENANT}.${DOMAIN}`)
    expect(secure).toMatchObject({status: 200, body: 'over tls\n', certificateSubject: `*.${TENANT}.${DOMAIN}`})
    const plain = await httpGet('http://127.0.0.1/', {Host: `secure.${TENANT}.${DOMAIN}`})
    expect(plain.status).toBe(301)
    expect((await run(['plug', 'down', `${TENANT}/secure`, '--yes'])).code).toBe(0)
  })

  it('a TLS host without a domain, or half a certificate, is refused at host add (exit 2)', async () => {
    const result = await aims(['host', 'add', 'half', 'root@127.0.0.1:2222', '--tls-cert', '/etc/ssl/x.pem'])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/--tls-cert and --tls-key go together/)
  })
})

describe('leftover routes', () => {
  it('doctor reports a route whose instance vanished; plug down removes it', async () => {
    const up = await run(['plug', 'up', 'fixture-web', '--name', 'ghost-route', '--tenant', TENANT, '--yes'])
    expect(up.code, up.stderr).toBe(0)
    // Someone removes the containers by hand: the nginx conf stays behind.
    await purgeTenant(TENANT)
    expect(existsSync(`/etc/nginx/conf.d/plugs/${TENANT}-ghost-route.conf`)).toBe(true)
    const doctor = await run(['doctor', '--json'])
    const check = doctor.json().checks.find((item: {id: string}) => item.id === 'proxy-confs')
    expect(check.status).toBe('warn')
    expect(check.detail).toContain(`${TENANT}-ghost-route.conf (${TENANT}/ghost-route)`)
    expect(check.fix).toMatch(/aims plug down/)

    const down = await run(['plug', 'down', `${TENANT}/ghost-route`, '--yes', '--json'])
    expect(down.code, down.stderr).toBe(0)
    expect(down.json().removed.proxyConf).toBe(true)
    expect(existsSync(`/etc/nginx/conf.d/plugs/${TENANT}-ghost-route.conf`)).toBe(false)
    const after = (await run(['doctor', '--json']))
      .json()
      .checks.find((item: {id: string}) => item.id === 'proxy-confs')
    expect(after.detail).not.toContain('ghost-route')
    void docker
  })
})
