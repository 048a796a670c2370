/**
 * S3-compatible destinations for scheduled backups (AWS, MinIO, …): `s3://BUCKET/PREFIX` targets and
 * AWS Signature Version 4 for the requests (path-style URLs, UNSIGNED-PAYLOAD for streamed bodies).
 * Pure: the time and the credentials come in as values.
 */
import {createHash, createHmac} from 'node:crypto'
import {AimsError} from '../errors.js'

export interface S3Target {
  bucket: string
  prefix: string
}

export interface S3Credentials {
  /** http(s)://host[:port] of the S3 API. */
  endpoint: string
  region: string
  accessKeyId: string
  secretAccessKey: string
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/

export function parseS3Target(value: string): S3Target {
  const match = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(value.trim())
  if (!match || !BUCKET.test(match[1]!))
    throw new AimsError('usage', `--s3 ${value}: not an s3://BUCKET/PREFIX target`, {
      hint: 'e.g. --s3 s3://backups/aims (a bucket name is 3-63 lower-case letters, digits, . -)',
    })
  const prefix = (match[2] ?? '').replace(/^\/+|\/+$/g, '')
  if (/[^A-Za-z0-9/._-]/.test(prefix))
    throw new AimsError('usage', `--s3 ${value}: the prefix may hold letters, digits, / . _ - only`, {
      hint: 'e.g. --s3 s3://backups/aims/blog',
    })
  return {bucket: match[1]!, prefix}
}

const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex')
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest()

/** RFC 3986 encoding as SigV4 wants it (each path segment; `/` kept). */
export const encodePath = (path: string) =>
  path
    .split('/')
    .map((segment) =>
      encodeURIComponent(segment).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`),
    )
    .join('/')

export interface SignedRequest {
  method: string
  url: string
  headers: Record<string, string>
}

/**
 * Signs one request (SigV4, service s3). `payloadHash` is the body's sha256 (hex) or
 * 'UNSIGNED-PAYLOAD'; `query` is already sorted and encoded (k=v&k=v) or empty.
 */
export function signS3Request(input: {
  method: string
  credentials: S3Credentials
  path: string
  query?: string
  headers?: Record<string, string>
  payloadHash: string
  now: Date
}): SignedRequest {
  const endpoint = new URL(input.credentials.endpoint)
  const amzDate = input.now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')
  const day = amzDate.slice(0, 8)
  const headers: Record<string, string> = {
    ...Object.fromEntries(Object.entries(input.headers ?? {}).map(([key, value]) => [key.toLowerCase(), value])),
    host: endpoint.host,
    'x-amz-content-sha256': input.payloadHash,
    'x-amz-date': amzDate,
  }
  const names = Object.keys(headers).sort()
  const canonicalHeaders = names.map((name) => `${name}:${headers[name]!.trim()}\n`).join('')
  const signedHeaders = names.join(';')
  const canonicalPath = encodePath(input.path)
  const canonical = [
    input.method,
    canonicalPath,
    input.query ?? '',
    canonicalHeaders,
    signedHeaders,
    input.payloadHash,
  ].join('\n')
  const scope = `${day}/${input.credentials.region}/s3/aws4_request`
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonical)].join('\n')
  const key = hmac(
    hmac(hmac(hmac(`AWS4${input.credentials.secretAccessKey}`, day), input.credentials.region), 's3'),
    'aws4_request',
  )
  const signature = createHmac('sha256', key).update(toSign).digest('hex')
  return {
    method: input.method,
    url: `${endpoint.origin}${canonicalPath}${input.query ? `?${input.query}` : ''}`,
    headers: {
      ...headers,
      authorization:
        `AWS4-HMAC-SHA256 Credential=${input.credentials.accessKeyId}/${scope}, ` +
        `SignedHeaders=${signedHeaders}, Signature=${signature}`,
    },
  }
}

export const s3ObjectKey = (target: S3Target, tenant: string, instance: string, file: string) =>
  [target.prefix, tenant, instance, file].filter(Boolean).join('/')
