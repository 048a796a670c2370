import {describe, expect, it} from 'vitest'
import {classifyPullFailure, engineWords, pullFailure, registryOf} from '../../../src/core/pull-failure.js'
import {recorded} from '../../support/recorded.js'

interface Recorded {
  answers: Array<{kind: string; ref: string; error: {message: string; statusCode: number; reason?: string; json: null}}>
}
const answers = recorded<Recorded>('docker/pull-errors.json').answers
const answer = (kind: string) => answers.find((item) => item.kind === kind)!

describe('pull failures, from the engine messages recorded on the bed', () => {
  it.each([
    ['dns', 'dns', /the host cannot resolve docker\.io \(DNS\): .*lookup registry-1\.docker\.io .*no such host/, /DNS/],
    ['not-found', 'not-found', /127\.0\.0\.1:5055 has no image .*manifest unknown/, /image name and tag/],
    ['refused', 'unreachable', /cannot connect to 127\.0\.0\.1:5056: .*connection refused/, /firewall/],
    ['auth-missing', 'auth', /wants credentials .*no basic auth credentials/, /docker login 127\.0\.0\.1:5057/],
    ['auth-wrong', 'auth', /unauthorized: authentication required/, /docker login/],
    ['bad-reference', 'bad-reference', /not a valid image reference: invalid reference format/, /lower-case/],
  ])("%s → cause %s, the engine's own words kept, and what to do", (kind, cause, message, hint) => {
    const item = answer(kind)
    // What dockerode rejects with: json is null for a streamed request, the reason is in the message.
    expect(item.error.json).toBeNull()
    const error = pullFailure(item.ref, 'vps', item.error.message)
    expect(error.kind).toBe('pull')
    expect(error.exitCode).toBe(1)
    expect(error.toJSON()).toMatchObject({kind: 'pull', cause, details: {image: item.ref}})
    expect(error.message).toMatch(new RegExp(`^cannot pull ${item.ref.replace(/[.]/g, '\\.')} on vps: `))
    expect(error.message).toMatch(message)
    expect(error.message).not.toMatch(/HTTP code|server error/)
    expect(error.hint).toMatch(hint)
  })

  it('classifies what the bed cannot produce by the words registries use', () => {
    expect(classifyPullFailure('toomanyrequests: You have reached your pull rate limit.')).toBe('rate-limit')
    expect(classifyPullFailure('Get "https://r.example/v2/": net/http: TLS handshake timeout')).toBe('timeout')
    expect(classifyPullFailure('context deadline exceeded')).toBe('timeout')
    expect(classifyPullFailure('something new')).toBe('unknown')
  })

  it('names the registry of a reference', () => {
    expect(registryOf('alpine:3.19')).toBe('docker.io')
    expect(registryOf('n8nio/n8n:1')).toBe('docker.io')
    expect(registryOf('ghcr.io/x/y:1')).toBe('ghcr.io')
    expect(registryOf('127.0.0.1:5000/a:1')).toBe('127.0.0.1:5000')
    expect(registryOf('localhost/a:1')).toBe('localhost')
  })

  it("strips only dockerode's prefix", () => {
    expect(engineWords('(HTTP code 500) server error - Get "x": no such host ')).toBe('Get "x": no such host')
    expect(engineWords('plain')).toBe('plain')
  })
})
