/** The one redactor (issue 10, item 8). */
import {describe, expect, it} from 'vitest'
import {
  argvSecretValues,
  isSecretKey,
  redactArgv,
  redactSecrets,
  secretEnvValues,
} from '../../../../src/core/text/redact.js'

describe('redactor', () => {
  it('knows secret keys by declaration and by name', () => {
    expect(isSecretKey('APP_SECRET')).toBe(true)
    expect(isSecretKey('DB_PASSWORD')).toBe(true)
    expect(isSecretKey('N8N_ENCRYPTION_KEY')).toBe(true)
    expect(isSecretKey('GREETING')).toBe(false)
    expect(isSecretKey('GREETING', ['GREETING'])).toBe(true)
  })

  it('secretEnvValues: the values of the secret keys only', () => {
    expect(secretEnvValues({APP_SECRET: 's3nt1nel', GREETING: 'hi', SIGNING: 'x-y-z-w'}, ['SIGNING'])).toEqual([
      's3nt1nel',
      'x-y-z-w',
    ])
  })

  it('redactArgv masks secret assignments in every spelling and known values anywhere', () => {
    expect(
      redactArgv(['plug', 'up', 'w', '--env', 'APP_SECRET=S3NT', '--env=DB_PASSWORD=x', '-eAPI_KEY=k', '--env', 'A=1']),
    ).toEqual(['plug', 'up', 'w', '--env', 'APP_SECRET=***', '--env=DB_PASSWORD=***', '-eAPI_KEY=***', '--env', 'A=1'])
    expect(redactArgv(['--name', 'topsecretvalue'], ['topsecretvalue'])).toEqual(['--name', '***'])
    expect(argvSecretValues(['--env', 'APP_SECRET=S3NT', 'GREETING=hi'])).toEqual(['S3NT'])
  })

  it('redactSecrets masks an utterance: secret-looking pairs and known values', () => {
    expect(redactSecrets('deploy fixture-web with APP_SECRET=SENTINEL-42 as acme/web')).toBe(
      'deploy fixture-web with APP_SECRET=*** as acme/web',
    )
    expect(redactSecrets('set the greeting to hunter22', ['hunter22'])).toBe('set the greeting to ***')
  })
})
