import {execFileSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {
  fingerprint,
  formatKnownHostLine,
  keyTypeLabel,
  keyTypeOf,
  knownHostName,
  knownKeyTypes,
  parseKnownHosts,
  patternsMatch,
  verifyHostKey,
  type HostKey,
} from '../../../src/core/known-hosts.js'

// Real keys from ssh-keygen, so fingerprints and hashed names are checked against OpenSSH itself.
const dir = mkdtempSync(join(tmpdir(), 'aims-known-hosts-'))
let hostKey: HostKey
let otherKey: HostKey
let rsaKey: HostKey
let hostPub: string
let otherPub: string

function makeKey(name: string, type: string): {key: HostKey; pub: string} {
  execFileSync('ssh-keygen', [
    '-q',
    '-t',
    type,
    ...(type === 'rsa' ? ['-b', '2048'] : []),
    '-N',
    '',
    '-C',
    name,
    '-f',
    join(dir, name),
  ])
  const pub = readFileSync(join(dir, `${name}.pub`), 'utf8').trim()
  const [keyType, base64] = pub.split(' ') as [string, string]
  return {key: {type: keyType, blob: Buffer.from(base64, 'base64')}, pub: `${keyType} ${base64}`}
}

beforeAll(() => {
  ;({key: hostKey, pub: hostPub} = makeKey('host', 'ed25519'))
  ;({key: otherKey, pub: otherPub} = makeKey('other', 'ed25519'))
  ;({key: rsaKey} = makeKey('rsa', 'rsa'))
})
afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('fingerprints', () => {
  it('match ssh-keygen -l exactly', () => {
    for (const name of ['host', 'other', 'rsa']) {
      const printed = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', join(dir, `${name}.pub`)])
        .toString()
        .split(' ')[1]
      const pub = readFileSync(join(dir, `${name}.pub`), 'utf8').split(' ')[1]!
      expect(fingerprint(Buffer.from(pub, 'base64'))).toBe(printed)
    }
  })

  it('read the key type from the blob and label it as ssh does', () => {
    expect(keyTypeOf(hostKey.blob)).toBe('ssh-ed25519')
    expect(keyTypeOf(rsaKey.blob)).toBe('ssh-rsa')
    expect(keyTypeOf(Buffer.alloc(2))).toBe('unknown')
    expect(keyTypeLabel('ssh-ed25519')).toBe('ED25519')
    expect(keyTypeLabel('ssh-rsa')).toBe('RSA')
    expect(keyTypeLabel('ecdsa-sha2-nistp256')).toBe('ECDSA')
  })
})

describe('known_hosts', () => {
  it('names non-22 ports in brackets', () => {
    expect(knownHostName('203.0.113.7', 22)).toBe('203.0.113.7')
    expect(knownHostName('127.0.0.1', 2222)).toBe('[127.0.0.1]:2222')
  })

  it('parses lines, skipping comments, blanks, broken lines and keys whose blob does not match their type', () => {
    const text = [
      '# comment',
      '',
      `vps,203.0.113.7 ${hostPub}`,
      'broken-line-without-key',
      `liar ssh-rsa ${hostPub.split(' ')[1]}`,
      `@revoked * ${otherPub}`,
      `@cert-authority *.example.com ${otherPub}`,
    ].join('\n')
    const entries = parseKnownHosts(text, '/k')
    expect(entries.map((entry) => [entry.line, entry.marker, entry.patterns])).toEqual([
      [3, undefined, ['vps', '203.0.113.7']],
      [6, '@revoked', ['*']],
      [7, '@cert-authority', ['*.example.com']],
    ])
    expect(entries[0]?.file).toBe('/k')
  })

  it('trusts a matching key, reports a different one as changed and a missing host as unknown', () => {
    const entries = parseKnownHosts(`[127.0.0.1]:2222 ${hostPub}\n`, '/k')
    expect(verifyHostKey(entries, ['[127.0.0.1]:2222'], hostKey).status).toBe('trusted')
    const changed = verifyHostKey(entries, ['[127.0.0.1]:2222'], otherKey)
    expect(changed.status).toBe('changed')
    if (changed.status === 'changed') expect(changed.known.map((entry) => entry.line)).toEqual([1])
    // Port 22 and other ports are different hosts for known_hosts.
    expect(verifyHostKey(entries, ['127.0.0.1'], hostKey).status).toBe('unknown')
    expect(verifyHostKey(entries, ['[127.0.0.1]:2223'], hostKey).status).toBe('unknown')
  })

  it('trusts when any of several keys recorded for a host matches', () => {
    const entries = parseKnownHosts(`vps ${otherPub}\nvps ${hostPub}\n`, '/k')
    expect(verifyHostKey(entries, ['vps'], hostKey)).toMatchObject({status: 'trusted', entry: {line: 2}})
  })

  it('matches hashed names written by ssh-keygen -H, including [host]:port', () => {
    const file = join(dir, 'hashed_known_hosts')
    writeFileSync(file, `vps.example.com ${hostPub}\n[127.0.0.1]:2222 ${otherPub}\n`)
    execFileSync('ssh-keygen', ['-H', '-f', file], {stdio: 'ignore'})
    const text = readFileSync(file, 'utf8')
    expect(text).not.toContain('vps.example.com')
    expect(text).toMatch(/^\|1\|/m)
    const entries = parseKnownHosts(text, file)
    expect(verifyHostKey(entries, ['vps.example.com'], hostKey).status).toBe('trusted')
    expect(verifyHostKey(entries, ['[127.0.0.1]:2222'], otherKey).status).toBe('trusted')
    expect(verifyHostKey(entries, ['[127.0.0.1]:2222'], hostKey).status).toBe('changed')
    expect(verifyHostKey(entries, ['other.example.com'], hostKey).status).toBe('unknown')
  })

  it('follows OpenSSH pattern rules: wildcards, ? and negation', () => {
    expect(patternsMatch(['*.example.com'], 'vps.example.com')).toBe(true)
    expect(patternsMatch(['*.example.com'], 'example.com')).toBe(false)
    expect(patternsMatch(['vps?'], 'vps1')).toBe(true)
    expect(patternsMatch(['vps?'], 'vps12')).toBe(false)
    expect(patternsMatch(['*.example.com', '!db.example.com'], 'db.example.com')).toBe(false)
    expect(patternsMatch(['!db.example.com', '*.example.com'], 'db.example.com')).toBe(false)
    expect(patternsMatch(['!db.example.com'], 'web.example.com')).toBe(false) // a negation alone never matches
    expect(patternsMatch(['VPS.Example.COM'], 'vps.example.com')).toBe(true)
    expect(patternsMatch(['vps.example.com'], 'vpsXexample.com')).toBe(false) // dots are literal
  })

  it('lets a negated line not vouch for the excluded host', () => {
    const entries = parseKnownHosts(`*.example.com,!db.example.com ${hostPub}\n`, '/k')
    expect(verifyHostKey(entries, ['web.example.com'], hostKey).status).toBe('trusted')
    expect(verifyHostKey(entries, ['db.example.com'], hostKey).status).toBe('unknown')
  })

  it('refuses a @revoked key even when another line trusts it', () => {
    const entries = parseKnownHosts(`vps ${hostPub}\n@revoked * ${hostPub}\n`, '/k')
    expect(verifyHostKey(entries, ['vps'], hostKey)).toMatchObject({status: 'revoked', entry: {line: 2}})
  })

  it('does not treat @cert-authority lines as host keys', () => {
    const entries = parseKnownHosts(`@cert-authority vps ${otherPub}\n`, '/k')
    expect(verifyHostKey(entries, ['vps'], hostKey).status).toBe('unknown')
  })

  it('checks the alias as well as the address', () => {
    const entries = parseKnownHosts(`myalias ${hostPub}\n`, '/k')
    expect(verifyHostKey(entries, ['203.0.113.7', 'myalias'], hostKey).status).toBe('trusted')
  })

  it('lists recorded key types for a host (to ask for them first)', () => {
    const entries = parseKnownHosts(
      `vps ${hostPub}\nvps ${otherPub}\n@revoked vps ${otherPub}\nother ${hostPub}\n`,
      '/k',
    )
    expect(knownKeyTypes(entries, ['vps'])).toEqual(['ssh-ed25519'])
    expect(knownKeyTypes(entries, ['nope'])).toEqual([])
  })

  it('writes lines that ssh itself accepts', () => {
    const line = formatKnownHostLine('[127.0.0.1]:2222', hostKey)
    expect(line).toBe(`[127.0.0.1]:2222 ${hostPub}`)
    const file = join(dir, 'written_known_hosts')
    writeFileSync(file, `${line}\n`)
    // ssh-keygen -F finds the host in the file we wrote.
    expect(execFileSync('ssh-keygen', ['-F', '[127.0.0.1]:2222', '-f', file]).toString()).toContain(hostPub)
    expect(parseKnownHosts(readFileSync(file, 'utf8'), file)[0]?.key.blob.equals(hostKey.blob)).toBe(true)
  })
})
