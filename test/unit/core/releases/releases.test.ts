import {describe, expect, it} from 'vitest'
import {formatImageReference, parseImageReference, withTag} from '../../../../src/core/releases/image-ref.js'
import {
  activeRelease,
  addRelease,
  emptyHistory,
  parseHistory,
  redactEnv,
  rollbackTarget,
  type Release,
} from '../../../../src/core/releases/releases.js'
import {expectAimsError} from '../../../support/expect-error.js'

const release = (image: string, status: Release['status'] = 'active'): Omit<Release, 'id'> => ({
  at: '2026-12-03T10:00:00.000Z',
  actor: 'me@laptop',
  action: 'upgrade',
  status,
  services: {web: {image, replicas: 1, env: {}}},
})

describe('image references', () => {
  it('parses registry, repository, tag and digest as the engine does', () => {
    expect(parseImageReference('nginx')).toEqual({registry: 'docker.io', repository: 'library/nginx'})
    expect(parseImageReference('n8nio/n8n:1.64.0')).toEqual({
      registry: 'docker.io',
      repository: 'n8nio/n8n',
      tag: '1.64.0',
    })
    expect(parseImageReference('127.0.0.1:5000/ug-test/web:sick')).toEqual({
      registry: '127.0.0.1:5000',
      repository: 'ug-test/web',
      tag: 'sick',
    })
    const digest = `sha256:${'a'.repeat(64)}`
    expect(parseImageReference(`ghcr.io/o/app@${digest}`)).toEqual({registry: 'ghcr.io', repository: 'o/app', digest})
    expect(parseImageReference('localhost/app:1').registry).toBe('localhost')
  })
  it('another tag of the same repository, written as the catalog writes it', () => {
    expect(withTag('127.0.0.1:5000/ug-test/web:1', '2')).toBe('127.0.0.1:5000/ug-test/web:2')
    expect(withTag('postgres:17.5', '17.6')).toBe('postgres:17.6')
    expect(withTag(`ghcr.io/o/app:1@sha256:${'b'.repeat(64)}`, '2')).toBe('ghcr.io/o/app:2')
    expect(formatImageReference(parseImageReference('library/redis:8'))).toBe('redis:8')
  })
  it('refuses a bad tag or reference with exit 2', () => {
    expectAimsError(() => withTag('a/b:1', 'no such'), {kind: 'validation', message: /not a valid tag/})
    expectAimsError(() => parseImageReference('Bad/Name:1'), {kind: 'validation', message: /not a valid repository/})
    expectAimsError(() => parseImageReference('a/b@sha256:zz'), {kind: 'validation', message: /digest/})
  })
})

describe('release history', () => {
  it('a new active release makes the one before it previous; a failed one changes nothing else', () => {
    let history = addRelease(emptyHistory('acme', 'web'), {...release('web:1'), action: 'deploy'})
    history = addRelease(history, release('web:2'))
    history = addRelease(history, release('web:3', 'failed'))
    expect(history.releases.map((entry) => [entry.id, entry.status])).toEqual([
      [1, 'previous'],
      [2, 'active'],
      [3, 'failed'],
    ])
    expect(activeRelease(history)?.id).toBe(2)
    expect(rollbackTarget(history).id).toBe(1)
  })

  it('keeps the last 3 successful releases and the failures newer than the oldest kept', () => {
    let history = emptyHistory('acme', 'web')
    for (const tag of ['1', '2', 'bad', '3', '4'])
      history = addRelease(history, release(`web:${tag}`, tag === 'bad' ? 'failed' : 'active'))
    expect(history.releases.map((entry) => entry.id)).toEqual([2, 3, 4, 5])
    expect(history.releases.filter((entry) => entry.status !== 'failed')).toHaveLength(3)
  })

  it('rollback --to: refuses a failed, the running or a forgotten release', () => {
    let history = addRelease(emptyHistory('acme', 'web'), release('web:1'))
    history = addRelease(history, release('web:2'))
    history = addRelease(history, release('web:bad', 'failed'))
    expect(rollbackTarget(history, 1).services.web!.image).toBe('web:1')
    expectAimsError(() => rollbackTarget(history, 3), {kind: 'validation', message: /failed its health gate/})
    expectAimsError(() => rollbackTarget(history, 2), {kind: 'validation', message: /is the one running/})
    expectAimsError(() => rollbackTarget(history, 9), {kind: 'not-found', message: /not in the history/})
    expectAimsError(() => rollbackTarget(addRelease(emptyHistory('a', 'b'), release('x:1'))), {kind: 'not-found'})
  })

  it('redacts secret env values and reads back a damaged file as empty', () => {
    expect(redactEnv({A: '1', TOKEN: 'hunter2'}, ['TOKEN'])).toEqual({A: '1', TOKEN: '••••••'})
    expect(parseHistory('{not json', 'a', 'b')).toEqual(emptyHistory('a', 'b'))
    expect(parseHistory(undefined, 'a', 'b').releases).toEqual([])
  })
})
