import {describe, expect, it} from 'vitest'
import {AimsError} from '../../../src/core/errors.js'
import {
  checkDomain,
  checkEnvKey,
  checkResourceName,
  containerName,
  formatBytes,
  isNetworkHost,
  parseCpus,
  parseInstanceRef,
  parseMemorySize,
  tenantNetworkName,
  volumeName,
} from '../../../src/core/names.js'

function usage(run: () => unknown): AimsError {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(AimsError)
    const failure = error as AimsError
    expect(failure.kind).toBe('usage')
    expect(failure.exitCode).toBe(2)
    expect(failure.line).not.toMatch(/[\n\r]/)
    return failure
  }
  throw new Error('expected a usage error')
}

describe('resource names', () => {
  it.each(['a', 'acme', 'n8n-2', 'a1', 'x'.repeat(32), '0day'])('accepts %s', (name) => {
    expect(checkResourceName('tenant', name)).toBe(name)
  })

  it.each([
    ['', /is empty/],
    ['Acme', /upper-case/],
    ['-acme', /lower-case letters, digits and inner hyphens/],
    ['acme-', /inner hyphens/],
    ['ac_me', /inner hyphens/],
    ['a.b', /inner hyphens/],
    ['x'.repeat(33), /33 characters long/],
    ['x'.repeat(200), /200 characters long/],
    ['a;b', /inner hyphens/],
    ['$(touch /tmp/x)', /inner hyphens/],
    ['a\nb', /inner hyphens/],
    ['../etc', /inner hyphens/],
  ])('refuses %j', (name, reason) => {
    const failure = usage(() => checkResourceName('instance', name))
    expect(failure.message).toMatch(reason)
    expect(failure.hint).toMatch(/a-z, 0-9/)
  })

  it('lets host entry names hold dots and underscores, but not shell characters', () => {
    expect(checkResourceName('host', 'prod.eu_1')).toBe('prod.eu_1')
    for (const bad of ['vps;rm', 'vps$(x)', 'v`x`', "v'x", 'v"x', 'v\nx', '../vps', 'x'.repeat(200), 'Vps'])
      usage(() => checkResourceName('host', bad))
  })

  it('shows hostile values quoted and on one line', () => {
    const failure = usage(() => checkResourceName('tenant', 'evil\n\u001b[31mred'))
    expect(failure.message).toContain('"evil\\n\\u001b[31mred"')
  })
})

describe('instance references', () => {
  it('reads NAME in the default tenant and TENANT/NAME', () => {
    expect(parseInstanceRef('n8n')).toEqual({tenant: 'default', instance: 'n8n'})
    expect(parseInstanceRef('n8n', 'acme')).toEqual({tenant: 'acme', instance: 'n8n'})
    expect(parseInstanceRef('acme/n8n')).toEqual({tenant: 'acme', instance: 'n8n'})
  })
  it.each(['a/b/c', '/n8n', 'acme/', 'Acme/n8n'])('refuses %s', (value) => {
    usage(() => parseInstanceRef(value))
  })
})

describe('docker object names', () => {
  it('follows DESIGN.md', () => {
    expect(containerName('acme', 'n8n', 'web')).toBe('aims-acme-n8n-web')
    expect(containerName('acme', 'n8n', 'web', 2)).toBe('aims-acme-n8n-web-2')
    expect(tenantNetworkName('acme')).toBe('aims-t-acme')
    expect(volumeName('acme', 'n8n', 'data')).toBe('aims-acme-n8n-data')
  })
})

describe('values', () => {
  it('checks env keys', () => {
    expect(checkEnvKey('DB_PASSWORD')).toBe('DB_PASSWORD')
    for (const bad of ['1X', 'A-B', 'A B', '', 'A;B']) usage(() => checkEnvKey(bad))
  })

  it('checks domains', () => {
    expect(checkDomain('Apps.Example.com')).toBe('apps.example.com')
    for (const bad of ['localhost', 'a..b', '-a.com', 'a-.com', 'a.com.', 'a b.com', 'x'.repeat(64) + '.com'])
      usage(() => checkDomain(bad))
  })

  it('checks network hosts', () => {
    for (const good of ['203.0.113.7', 'example.com', 'my_host', '2001:db8::1', 'vps'])
      expect(isNetworkHost(good), good).toBe(true)
    for (const bad of ['256.1.1.1', '', 'a b', 'a;b', '-a', 'x'.repeat(64), '$(x)'])
      expect(isNetworkHost(bad), bad).toBe(false)
  })

  it.each([
    ['512m', 512 * 1024 ** 2],
    ['1g', 1024 ** 3],
    ['1.5GiB', 1.5 * 1024 ** 3],
    ['268435456', 268_435_456],
    ['64 MB', 64 * 1024 ** 2],
  ])('parses memory %s', (text, bytes) => {
    expect(parseMemorySize(text)).toBe(bytes)
  })

  it.each(['lots', '5m', '2t', '-1g', '1x'])('refuses memory %s', (text) => {
    usage(() => parseMemorySize(text))
  })

  it('parses CPU counts', () => {
    expect(parseCpus('0.5')).toBe(0.5)
    expect(parseCpus('2')).toBe(2)
    expect(parseCpus('0.333')).toBe(0.33)
    for (const bad of ['0', 'two', '-1', '1000']) usage(() => parseCpus(bad))
  })

  it('formats bytes', () => {
    expect(formatBytes(512)).toBe('512 B')
    expect(formatBytes(1536)).toBe('1.5 KiB')
    expect(formatBytes(80 * 1024 ** 3)).toBe('80 GiB')
  })
})
