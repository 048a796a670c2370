import {describe, expect, it} from 'vitest'
import {checkDomain, domainClaimProblem} from '../../../src/core/names.js'

describe('domains aims refuses to route (exit 2, the rule in the message)', () => {
  it.each([
    ['127.0.0.1', /IP address/],
    ['0x7f.0.0.1', /IP address/],
    ['0177.0.0.1', /IP address/],
    ['2130706433', /IP address/],
    ['0x7f000001', /IP address/],
    ['10.1', /IP address/],
    ['::1', /IPv6/],
    ['[::1]', /IPv6/],
    ['[2001:db8::1]', /IPv6/],
    ['localhost', /localhost/],
    ['app.localhost', /localhost/],
    ['_', /nginx/],
    ['*.example.com', /nginx/],
    ['~^.*$', /nginx/],
    ['.example.com', /nginx/],
    ['', /empty/],
    ['a;b.com', /not a plain DNS name/],
  ])('%s', (value, why) => {
    let error: {message: string; exitCode: number} | undefined
    try {
      checkDomain(value)
    } catch (caught) {
      error = caught as typeof error
    }
    expect(error?.exitCode).toBe(2)
    expect(error?.message).toMatch(why)
  })

  it('keeps plain names (and lower-cases them)', () => {
    expect(checkDomain('App.Example.COM')).toBe('app.example.com')
    expect(checkDomain('1password.example.com')).toBe('1password.example.com')
  })
})

describe('who may claim a domain', () => {
  const base = {tenant: 'acme', instance: 'web', hostDomain: 'apps.example.com', owners: []}
  it('a tenant owns *.TENANT.DOMAIN: another tenant may not squat it, nor the apex or a tenant name', () => {
    expect(domainClaimProblem({...base, domain: 'w2.beta.apps.example.com'})?.rule).toMatch(
      /inside tenant beta's name space/,
    )
    expect(domainClaimProblem({...base, domain: 'apps.example.com'})?.rule).toMatch(/apex/)
    expect(domainClaimProblem({...base, domain: 'beta.apps.example.com'})?.rule).toMatch(/tenant beta's name space/)
    expect(domainClaimProblem({...base, domain: 'acme.apps.example.com'})?.rule).toMatch(/tenant acme's own name/)
    expect(domainClaimProblem({...base, domain: 'web.acme.apps.example.com'})).toBeUndefined()
    expect(domainClaimProblem({...base, domain: 'x.y.acme.apps.example.com'})).toBeUndefined()
  })

  it('a custom domain belongs to the instance that claimed it (engine labels); its names to that tenant', () => {
    const owners = [{tenant: 'beta', instance: 'shop', domain: 'shop.example.org'}]
    expect(domainClaimProblem({...base, owners, domain: 'shop.example.org'})?.rule).toBe(
      'shop.example.org is already claimed by beta/shop',
    )
    expect(domainClaimProblem({...base, owners, domain: 'api.shop.example.org'})?.rule).toMatch(
      /claimed by tenant beta/,
    )
    expect(domainClaimProblem({...base, owners, domain: 'example.org'})?.rule).toMatch(/overlaps shop\.example\.org/)
    expect(domainClaimProblem({...base, owners, domain: 'other.example.net'})).toBeUndefined()
    // The same tenant may use names under its own custom domain; the same instance keeps its own.
    expect(domainClaimProblem({...base, tenant: 'beta', owners, domain: 'api.shop.example.org'})).toBeUndefined()
    expect(
      domainClaimProblem({...base, tenant: 'beta', instance: 'shop', owners, domain: 'shop.example.org'}),
    ).toBeUndefined()
  })
})
