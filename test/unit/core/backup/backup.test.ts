import {describe, expect, it} from 'vitest'
import {
  backupId,
  BACKUP_ID,
  parseEvery,
  pruneList,
  restoreMapping,
  tarCreateArgv,
  tarExtractArgv,
  volumeShortName,
  volumesRoot,
} from '../../../../src/core/backup/backup.js'
import {encodePath, parseS3Target, signS3Request} from '../../../../src/core/backup/s3.js'
import {expectAimsError} from '../../../support/expect-error.js'

const volumes = [
  {name: 'data', volume: 'aims-acme-blog-data'},
  {name: 'db', volume: 'aims-acme-blog-db'},
]

describe('backup archives', () => {
  it('ids sort by time and match the pattern', () => {
    const id = backupId(new Date('2026-12-03T09:45:00.123Z'), 'AB-12cd')
    expect(id).toBe('20261203T094500Z-ab12cd')
    expect(BACKUP_ID.test(id)).toBe(true)
    expect(backupId(new Date('2026-12-03T09:45:01Z'), 'x') > id).toBe(true)
  })

  it('one tar from the volumes root, manifest first, each volume renamed to volumes/NAME', () => {
    expect(volumeShortName('aims-acme-blog-data', 'acme', 'blog')).toBe('data')
    const root = volumesRoot([
      {volume: 'aims-acme-blog-data', mountpoint: '/var/lib/docker/volumes/aims-acme-blog-data/_data'},
      {volume: 'aims-acme-blog-db', mountpoint: '/var/lib/docker/volumes/aims-acme-blog-db/_data'},
    ])
    expect(root).toBe('/var/lib/docker/volumes')
    expect(tarCreateArgv({output: '-', manifestDir: '/s', root, volumes, compress: true})).toEqual([
      'tar',
      '-czf',
      '-',
      '--numeric-owner',
      '--transform=s,^aims-acme-blog-data/_data,volumes/data,',
      '--transform=s,^aims-acme-blog-db/_data,volumes/db,',
      '-C',
      '/s',
      'manifest.json',
      '-C',
      '/var/lib/docker/volumes',
      'aims-acme-blog-data/_data',
      'aims-acme-blog-db/_data',
    ])
  })

  it('extracts each archived volume into the target instance volume of the same name, anchored', () => {
    const mapping = restoreMapping({volumes}, [
      {name: 'db', volume: 'aims-other-copy-db'},
      {name: 'data', volume: 'aims-other-copy-data'},
    ])
    expect(mapping).toEqual([
      {from: 'data', to: 'aims-other-copy-data'},
      {from: 'db', to: 'aims-other-copy-db'},
    ])
    const argv = tarExtractArgv({archive: '-', root: '/r', mapping, compress: true})
    // "data" must not also rename volumes/database: the match ends at / or the end.
    expect(argv).toContain('--transform=s,^volumes/data\\(/\\|$\\),aims-other-copy-data/_data\\1,')
    expect(argv.slice(-2)).toEqual(['volumes/data', 'volumes/db'])
  })

  it('refuses a target without the volumes of the backup, and non-local volumes', () => {
    expectAimsError(() => restoreMapping({volumes}, [{name: 'data', volume: 'x'}]), {
      kind: 'validation',
      message: /volume db that the target instance does not have/,
    })
    expectAimsError(() => volumesRoot([{volume: 'v', mountpoint: '/mnt/nfs/v'}]), {
      kind: 'remote',
      message: /not a local volume/,
    })
  })

  it('schedules: --every and retention', () => {
    expect(parseEvery('1d')).toBe(86_400_000)
    expect(parseEvery('30m')).toBe(1_800_000)
    expectAimsError(() => parseEvery('1m'), {kind: 'validation', message: /at least 5 minutes/})
    expectAimsError(() => parseEvery('daily'), {kind: 'validation'})
    const backups = ['20261203T000000Z-a', '20261201T000000Z-a', '20261202T000000Z-a'].map((id) => ({id}))
    expect(pruneList(backups, 2).map((backup) => backup.id)).toEqual(['20261201T000000Z-a'])
    expect(pruneList(backups, 5)).toEqual([])
  })
})

describe('S3 targets and SigV4', () => {
  it('parses s3://BUCKET/PREFIX and refuses anything else (exit 2)', () => {
    expect(parseS3Target('s3://backups/aims/blog/')).toEqual({bucket: 'backups', prefix: 'aims/blog'})
    expect(parseS3Target('s3://backups')).toEqual({bucket: 'backups', prefix: ''})
    expectAimsError(() => parseS3Target('https://backups'), {kind: 'usage'})
    expectAimsError(() => parseS3Target('s3://Bad_Bucket'), {kind: 'usage'})
  })

  it("signs as AWS's documented GET Object example (examplebucket, 20130524)", () => {
    // docs.aws.amazon.com AmazonS3/latest/API/sig-v4-header-based-auth.html, "GET Object" (virtual-hosted style).
    const signed = signS3Request({
      method: 'GET',
      credentials: {
        endpoint: 'https://examplebucket.s3.amazonaws.com',
        region: 'us-east-1',
        accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
        secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      },
      path: '/test.txt',
      headers: {range: 'bytes=0-9'},
      payloadHash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      now: new Date('2013-05-24T00:00:00Z'),
    })
    expect(signed.headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, ' +
        'SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, ' +
        'Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    )
    expect(encodePath("/a b/it's")).toBe('/a%20b/it%27s')
  })
})
