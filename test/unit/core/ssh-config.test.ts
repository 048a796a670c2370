import {describe, expect, it} from 'vitest'
import {
  expandTokens,
  hostPatternsMatch,
  includedFiles,
  parseSshConfig,
  resolveSshConfig,
} from '../../../src/core/ssh-config.js'

const CONFIG = `
# global defaults before any Host apply to all
ServerAliveInterval 30

Host vps
  HostName 203.0.113.7
  User deploy
  IdentityFile ~/.ssh/vps_ed25519

Host vps prod-*
  User nobody
  Port 2222

Host *.internal !db.internal
  User ops
  ProxyJump bastion

Host web?
  Port=2200
  HostName "web host.example.com"

Match host vps exec "false"
  User matchuser

Host *
  User root
  Port 22
  IdentityFile ~/.ssh/id_%r@%h
  IdentitiesOnly yes
  UserKnownHostsFile ~/.ssh/known_hosts ~/.ssh/known_hosts2
`

describe('ssh config', () => {
  const blocks = parseSshConfig(CONFIG)

  it('takes the first value of each keyword, across blocks, like ssh', () => {
    const vps = resolveSshConfig(blocks, 'vps')
    expect(vps.hostName).toBe('203.0.113.7')
    expect(vps.user).toBe('deploy') // not "nobody" (second block) nor "root" (Host *)
    expect(vps.port).toBe(2222) // first Port seen is in "Host vps prod-*"
    expect(vps.identitiesOnly).toBe(true)
    expect(vps.userKnownHostsFiles).toEqual(['~/.ssh/known_hosts', '~/.ssh/known_hosts2'])
  })

  it('collects every IdentityFile in order (they are all tried)', () => {
    expect(resolveSshConfig(blocks, 'vps').identityFiles).toEqual(['~/.ssh/vps_ed25519', '~/.ssh/id_%r@%h'])
  })

  it('matches Host patterns with * and ?, and honours negation', () => {
    expect(resolveSshConfig(blocks, 'prod-eu')).toMatchObject({user: 'nobody', port: 2222})
    expect(resolveSshConfig(blocks, 'app.internal')).toMatchObject({user: 'ops', port: 22})
    expect(resolveSshConfig(blocks, 'db.internal')).toMatchObject({user: 'root'}) // negated
    expect(resolveSshConfig(blocks, 'web1')).toMatchObject({port: 2200, hostName: 'web host.example.com'})
    expect(resolveSshConfig(blocks, 'web12')).toMatchObject({port: 22})
    expect(resolveSshConfig(blocks, 'unknown')).toMatchObject({
      user: 'root',
      port: 22,
      identityFiles: ['~/.ssh/id_%r@%h'],
    })
    expect(resolveSshConfig(blocks, 'unknown').hostName).toBeUndefined()
  })

  it('skips Match blocks rather than guess their criteria', () => {
    expect(resolveSshConfig(blocks, 'vps').user).not.toBe('matchuser')
  })

  it('reads keyword=value, case-insensitive keywords and quoted values', () => {
    const parsed = parseSshConfig('HOST a\n  hostname="x y"\n  PORT = 2022\n')
    expect(resolveSshConfig(parsed, 'a')).toMatchObject({hostName: 'x y', port: 2022})
  })

  it('ignores a non-numeric port', () => {
    expect(resolveSshConfig(parseSshConfig('Host a\n Port ssh\n'), 'a').port).toBeUndefined()
  })

  it('applies lines before the first Host to every host', () => {
    const parsed = parseSshConfig('User early\nHost a\n User late\n')
    expect(resolveSshConfig(parsed, 'a').user).toBe('early')
  })

  it('lists Include targets for the reader', () => {
    expect(
      includedFiles(parseSshConfig('Include config.d/extra ~/.ssh/other\nHost a\n  Include /etc/ssh/more\n')),
    ).toEqual(['config.d/extra', '~/.ssh/other', '/etc/ssh/more'])
  })

  it('matches host patterns case-insensitively', () => {
    expect(hostPatternsMatch(['VPS'], 'vps')).toBe(true)
    expect(hostPatternsMatch(['!vps', '*'], 'vps')).toBe(false)
    expect(hostPatternsMatch(['a.b'], 'aXb')).toBe(false)
  })

  it('expands the tokens IdentityFile may use', () => {
    const context = {
      home: '/home/me',
      localUser: 'me',
      remoteUser: 'root',
      hostName: '203.0.113.7',
      alias: 'vps',
      port: 2222,
    }
    expect(expandTokens('~/.ssh/id_%r@%h:%p', context)).toBe('/home/me/.ssh/id_root@203.0.113.7:2222')
    expect(expandTokens('%d/keys/%n-%u-%%', context)).toBe('/home/me/keys/vps-me-%')
    expect(expandTokens('/abs/path', context)).toBe('/abs/path')
  })
})
