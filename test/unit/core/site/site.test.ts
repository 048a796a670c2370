import {describe, expect, it} from 'vitest'
import {releaseId, renderSiteConf, siteDir, siteDomain, RELEASE_ID} from '../../../../src/core/site/site.js'

describe('site conf', () => {
  const conf = (protect: boolean) =>
    renderSiteConf({
      tenant: 'acme',
      name: 'docs',
      domain: 'docs.acme.example.com',
      protected: protect,
      revision: 'ab12cd34',
    })
  it('serves the current release, owns its file, caches assets and not pages', () => {
    const text = conf(false)
    expect(text.split('\n')[0]).toBe('# aims-owner: acme/docs')
    expect(text).toContain('root /var/www/aims-sites/acme/docs/current;')
    expect(text).toContain('server_name docs.acme.example.com;')
    expect(text).toContain('add_header Cache-Control "no-cache" always;')
    expect(text).toContain('add_header Cache-Control "public, max-age=604800" always;')
    expect(text).toContain('add_header X-Aims-Site acme/docs@ab12cd34 always;')
    expect(text).not.toContain('auth_basic')
  })
  it('protects the whole server with basic auth when asked', () => {
    expect(conf(true)).toContain('auth_basic_user_file /var/www/aims-sites/acme/docs/htpasswd;')
  })
  it('refuses names that are not plain tokens', () => {
    expect(() =>
      renderSiteConf({tenant: 'acme', name: 'docs', domain: 'a;b', protected: false, revision: 'x'}),
    ).toThrow()
    expect(() => siteDir('../etc', 'x')).toThrow()
  })
  it('names releases so they sort by time', () => {
    const id = releaseId(new Date('2026-12-03T10:15:00.123Z'), 'A1-b2C3d4')
    expect(id).toBe('20261203T101500Z-a1b2c3')
    expect(RELEASE_ID.test(id)).toBe(true)
    expect(siteDomain({name: 'docs', tenant: 'acme'})).toBe('docs.acme.localhost')
  })
})
