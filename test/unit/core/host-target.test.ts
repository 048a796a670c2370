import {describe, expect, it} from 'vitest'
import {AimsError} from '../../../src/core/errors.js'
import {
  buildHostEntry,
  checkLocalPath,
  checkRemotePath,
  formatTarget,
  hostFromDockerHost,
  parseSshTarget,
  resolveHostEntry,
  type ResolveContext,
} from '../../../src/core/host-target.js'

const NOW = new Date('2025-01-01T00:00:00Z')

function usage(run: () => unknown): AimsError {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(AimsError)
    expect((error as AimsError).exitCode).toBe(2)
    expect((error as AimsError).line).not.toMatch(/[\n\r]/)
    return error as AimsError
  }
  throw new Error('expected a usage error')
}

describe('SSH targets', () => {
  it.each([
    ['local', 'local'],
    ['root@203.0.113.7', {user: 'root', host: '203.0.113.7'}],
    ['root@127.0.0.1:2222', {user: 'root', host: '127.0.0.1', port: 2222}],
    ['ssh://deploy@prod.example.com:2200', {user: 'deploy', host: 'prod.example.com', port: 2200}],
    ['ssh://deploy@prod.example.com/', {user: 'deploy', host: 'prod.example.com'}],
    ['ssh://prod.example.com', {host: 'prod.example.com'}],
    ['prod.example.com:2222', {host: 'prod.example.com', port: 2222}],
    ['my-alias', {host: 'my-alias', alias: 'my-alias'}],
    ['root@[2001:db8::1]:22', {user: 'root', host: '2001:db8::1', port: 22}],
    ['[2001:db8::1]', {host: '2001:db8::1'}],
  ])('reads %s', (raw, expected) => {
    expect(parseSshTarget(raw)).toEqual(expected)
  })

  it.each([
    '',
    'root@host;rm -rf /',
    'root@$(touch /tmp/x)',
    'root@`id`',
    "root@'host'",
    'root@"host"',
    'root@host\nother',
    '../etc/passwd',
    'root@../x',
    'http://host',
    'root@host:0',
    'root@host:70000',
    'root@host:ssh',
    'bad user@host',
    '-oProxyCommand=x@host',
    'root@2001:db8::1',
    'root@host|x',
    'root@host&',
    'a'.repeat(200),
    'root@' + 'a'.repeat(250),
  ])('refuses %j with a one-line usage error', (raw) => {
    usage(() => parseSshTarget(raw))
  })

  it('formats targets back the way users write them', () => {
    expect(formatTarget('local')).toBe('local')
    expect(formatTarget({user: 'root', host: '127.0.0.1', port: 2222})).toBe('root@127.0.0.1:2222')
    expect(formatTarget({host: 'my-alias', alias: 'my-alias'})).toBe('my-alias')
    expect(formatTarget({user: 'root', host: '2001:db8::1', port: 22})).toBe('root@[2001:db8::1]:22')
    for (const raw of [
      'root@127.0.0.1:2222',
      'my-alias',
      '[2001:db8::1]',
      'root@[2001:db8::1]:22',
      'h.example.com:2200',
    ]) {
      expect(formatTarget(parseSshTarget(raw)), raw).toBe(raw)
    }
  })
})

describe('paths', () => {
  it('accepts plain local paths', () => {
    expect(checkLocalPath('/home/me/.ssh/id_ed25519', 'identity')).toBe('/home/me/.ssh/id_ed25519')
    expect(checkLocalPath('keys/id', 'identity')).toBe('keys/id')
  })

  it.each([
    '',
    'a;b',
    '$(touch /tmp/x)',
    '`id`',
    "it's",
    'a"b',
    'a\nb',
    '../id',
    'keys/../../etc/shadow',
    'a'.repeat(200),
    'a|b',
    'a&b',
    'a\u0000b',
  ])('refuses local path %j', (path) => {
    usage(() => checkLocalPath(path, 'identity file path'))
  })

  it('accepts plain absolute remote paths and trims trailing slashes', () => {
    expect(checkRemotePath('/etc/nginx/conf.d/plugs/', 'dir')).toBe('/etc/nginx/conf.d/plugs')
    expect(checkRemotePath('/', 'dir')).toBe('/')
  })

  it.each(['relative/dir', '/a b', '/a/../b', '/a;b', '/$(x)', '/' + 'a'.repeat(200)])(
    'refuses remote path %j',
    (path) => {
      usage(() => checkRemotePath(path, 'dir'))
    },
  )
})

describe('host entries', () => {
  it('builds a validated entry', () => {
    expect(
      buildHostEntry(
        {
          name: 'vps',
          target: 'root@203.0.113.7:2222',
          identity: '/k/id',
          domain: 'Apps.Example.com',
          nginxConfDir: '/etc/nginx/plugs/',
        },
        NOW,
      ),
    ).toEqual({
      name: 'vps',
      target: {user: 'root', host: '203.0.113.7', port: 2222},
      identityFile: '/k/id',
      domain: 'apps.example.com',
      nginxConfDir: '/etc/nginx/plugs',
      addedAt: NOW.toISOString(),
    })
  })

  it('reserves "local" for the local engine and refuses --identity for it', () => {
    usage(() => buildHostEntry({name: 'local', target: 'root@h'}, NOW))
    usage(() => buildHostEntry({name: 'box', target: 'local', identity: '/k/id'}, NOW))
    expect(buildHostEntry({name: 'local', target: 'local'}, NOW).target).toBe('local')
  })

  it('validates every field before returning', () => {
    usage(() => buildHostEntry({name: 'vps;x', target: 'root@h'}, NOW))
    usage(() => buildHostEntry({name: 'vps', target: 'root@h', domain: 'not a domain'}, NOW))
    usage(() => buildHostEntry({name: 'vps', target: 'root@h', dockerSocket: 'docker.sock'}, NOW))
    usage(() => buildHostEntry({name: 'vps', target: 'root@h', stateDir: '/var/../etc'}, NOW))
  })

  it('selects a host from DOCKER_HOST', () => {
    expect(hostFromDockerHost('ssh://root@203.0.113.7:2222')).toEqual({
      name: 'docker-host',
      target: {user: 'root', host: '203.0.113.7', port: 2222},
    })
    expect(hostFromDockerHost('unix:///run/user/1000/docker.sock')).toEqual({
      name: 'local',
      target: 'local',
      dockerSocket: '/run/user/1000/docker.sock',
    })
    expect(hostFromDockerHost('tcp://1.2.3.4:2375')).toBeUndefined()
    usage(() => hostFromDockerHost('ssh://root@$(id)'))
  })
})

describe('resolving a host', () => {
  const context: ResolveContext = {
    home: '/home/me',
    localUser: 'me',
    defaultIdentityFiles: ['/home/me/.ssh/id_ed25519'],
  }

  it('fills in defaults: local user, port 22, default keys and remote paths', () => {
    const host = resolveHostEntry({name: 'vps', target: {host: '203.0.113.7'}}, context)
    expect(host).toEqual({
      name: 'vps',
      kind: 'ssh',
      ssh: {host: '203.0.113.7', port: 22, user: 'me', identityFiles: ['/home/me/.ssh/id_ed25519']},
      dockerSocket: '/var/run/docker.sock',
      nginxConfDir: '/etc/nginx/conf.d/plugs',
      stateDir: '/var/lib/aims',
    })
  })

  it('puts --identity first and marks it explicit', () => {
    const host = resolveHostEntry({name: 'vps', target: {user: 'root', host: 'h'}, identityFile: '/k/id'}, context)
    expect(host.ssh?.identityFiles).toEqual(['/k/id', '/home/me/.ssh/id_ed25519'])
    expect(host.ssh?.explicitIdentity).toBe('/k/id')
  })

  it('uses ~/.ssh/config for an alias, with the target winning over it', () => {
    const withConfig: ResolveContext = {
      ...context,
      sshConfig: {
        hostName: '203.0.113.7',
        user: 'deploy',
        port: 2222,
        identityFiles: ['~/.ssh/id_%r', '/home/me/.ssh/id_ed25519'],
      },
    }
    const alias = resolveHostEntry({name: 'vps', target: {host: 'box', alias: 'box'}}, withConfig)
    expect(alias.ssh).toEqual({
      host: '203.0.113.7',
      port: 2222,
      user: 'deploy',
      alias: 'box',
      identityFiles: ['/home/me/.ssh/id_deploy', '/home/me/.ssh/id_ed25519'],
    })
    const explicit = resolveHostEntry(
      {name: 'vps', target: {host: 'box', alias: 'box', user: 'root', port: 22}},
      withConfig,
    )
    expect(explicit.ssh).toMatchObject({user: 'root', port: 22})
  })

  it('resolves local with no SSH', () => {
    expect(resolveHostEntry({name: 'local', target: 'local', dockerSocket: '/x.sock'}, context)).toMatchObject({
      kind: 'local',
      dockerSocket: '/x.sock',
    })
  })
})
