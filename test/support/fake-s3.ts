/**
 * A local S3-compatible endpoint for tests: path-style PUT /BUCKET/KEY as AWS S3 and MinIO answer it
 * (200 with an ETag of the body's MD5; 403 SignatureDoesNotMatch, 404 NoSuchBucket as XML errors).
 * It checks the SigV4 Authorization header by signing the same canonical request with the secret it
 * was given, the way a real endpoint does, so a wrong key or a changed header is refused.
 */
import {createHash} from 'node:crypto'
import {createServer, type IncomingMessage, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {signS3Request, type S3Credentials} from '../../src/core/backup/s3.js'

export interface FakeS3 {
  credentials: S3Credentials
  objects: Map<string, Buffer>
  requests: Array<{method: string; path: string; authorization?: string}>
  close(): Promise<void>
}

const xmlError = (code: string, message: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`

export async function startFakeS3(options: {buckets: string[]; secret?: string}): Promise<FakeS3> {
  const objects = new Map<string, Buffer>()
  const requests: FakeS3['requests'] = []
  const secret = options.secret ?? 'fake-secret-key-0123456789'
  let credentials: S3Credentials
  const server: Server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks)
    requests.push({
      method: req.method ?? '',
      path: req.url ?? '',
      ...(req.headers.authorization ? {authorization: req.headers.authorization} : {}),
    })
    const signedHeaders = /SignedHeaders=([^,]+)/.exec(req.headers.authorization ?? '')?.[1]?.split(';') ?? []
    const headers = Object.fromEntries(
      signedHeaders
        .filter((name) => !['host', 'x-amz-date', 'x-amz-content-sha256'].includes(name))
        .map((name) => [name, String(req.headers[name] ?? '')]),
    )
    const amzDate = String(req.headers['x-amz-date'] ?? '')
    const when = new Date(
      `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
    )
    const expected = Number.isNaN(when.getTime())
      ? undefined
      : signS3Request({
          method: req.method ?? '',
          credentials: {...credentials, secretAccessKey: secret},
          path: decodeURIComponent(req.url ?? '/'),
          headers,
          payloadHash: String(req.headers['x-amz-content-sha256'] ?? ''),
          now: when,
        }).headers.authorization
    res.setHeader('server', 'FakeS3')
    if (!expected || expected !== req.headers.authorization) {
      res
        .writeHead(403, {'content-type': 'application/xml'})
        .end(
          xmlError(
            'SignatureDoesNotMatch',
            'The request signature we calculated does not match the signature you provided.',
          ),
        )
      return
    }
    const [, bucket, ...key] = (req.url ?? '/').split('/')
    if (!options.buckets.includes(bucket ?? '')) {
      res
        .writeHead(404, {'content-type': 'application/xml'})
        .end(xmlError('NoSuchBucket', 'The specified bucket does not exist'))
      return
    }
    if (req.method !== 'PUT') {
      res.writeHead(405).end()
      return
    }
    objects.set(`${bucket}/${decodeURIComponent(key.join('/'))}`, body)
    res.writeHead(200, {etag: `"${createHash('md5').update(body).digest('hex')}"`}).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  credentials = {
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    accessKeyId: 'AKIAFAKE',
    secretAccessKey: secret,
  }
  return {credentials, objects, requests, close: () => new Promise((resolve) => server.close(() => resolve()))}
}
