import {describe, expect, it} from 'vitest'
import {
  newerTags,
  nextLink,
  parseChallenge,
  parseTagsList,
  registryError,
  registryScheme,
  tagVersion,
} from '../../../../src/core/registry/registry.js'
import {recordedHttp} from '../../../support/recorded-http.js'

describe('registry answers (recorded from the bed registries)', () => {
  it('reads a Basic challenge and the UNAUTHORIZED error', () => {
    const answer = recordedHttp('auth-tags-list-401.http')
    expect(answer.status).toBe(401)
    expect(parseChallenge(answer.headers['www-authenticate'])).toEqual({scheme: 'basic', realm: 'aims-bed'})
    expect(registryError(answer.body)).toEqual({code: 'UNAUTHORIZED', message: 'authentication required'})
  })

  it('reads a Bearer challenge with service and scope', () => {
    expect(
      parseChallenge(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/node:pull"',
      ),
    ).toEqual({
      scheme: 'bearer',
      realm: 'https://auth.docker.io/token',
      service: 'registry.docker.io',
      scope: 'repository:library/node:pull',
    })
    expect(parseChallenge(undefined)).toBeUndefined()
    expect(parseChallenge('Negotiate abc')).toBeUndefined()
  })

  it('reads a tags list and the 404 of an unknown repository', () => {
    expect(parseTagsList(recordedHttp('open-tags-list.http').body)).toEqual(['22-bookworm-slim', '22-slim'])
    expect(parseTagsList(recordedHttp('auth-tags-list-200.http').body)).toEqual(['1'])
    const unknown = recordedHttp('open-tags-list-unknown-repo.http')
    expect(unknown.status).toBe(404)
    expect(registryError(unknown.body)?.code).toBe('NAME_UNKNOWN')
    expect(parseTagsList('{"name":"x","tags":null}')).toEqual([])
  })

  it('follows the Link header of a paginated tags list', () => {
    expect(nextLink('</v2/x/tags/list?last=b&n=2>; rel="next"')).toBe('/v2/x/tags/list?last=b&n=2')
    expect(nextLink(undefined)).toBeUndefined()
  })

  it('uses plain HTTP only for loopback registries', () => {
    expect(registryScheme('127.0.0.1:5000')).toBe('http')
    expect(registryScheme('localhost:5000')).toBe('http')
    expect(registryScheme('ghcr.io')).toBe('https')
    expect(registryScheme('127.0.0.1.example.com')).toBe('https')
  })
})

describe('newer tags', () => {
  const tags = ['1', '1.1', '1.10', '1.2', '2', '2.0.1', 'latest', 'sick', '1.2-alpine', '1.3-alpine', 'v1.5']
  it('within the pinned major, oldest first, numerically (1.10 after 1.2)', () => {
    expect(newerTags('1', tags)).toEqual(['1.1', '1.2', '1.10'])
    expect(newerTags('1.2', tags)).toEqual(['1.10'])
  })
  it('--major adds newer majors', () => {
    expect(newerTags('1.2', tags, {major: true})).toEqual(['1.10', '2', '2.0.1'])
  })
  it('compares only tags of the same variant and prefix', () => {
    expect(newerTags('1.2-alpine', tags)).toEqual(['1.3-alpine'])
    expect(newerTags('v1.0', tags)).toEqual(['v1.5'])
  })
  it('a tag that is not a version has nothing newer', () => {
    expect(newerTags('latest', tags)).toEqual([])
    expect(tagVersion('sick')).toBeUndefined()
    expect(tagVersion('22-slim')).toEqual({tag: '22-slim', prefix: '', numbers: [22], variant: '-slim'})
  })
})
