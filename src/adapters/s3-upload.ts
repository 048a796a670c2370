/**
 * Uploads a backup archive on the host to an S3-compatible bucket (AWS S3, MinIO, …): the file is
 * streamed from the host (`cat` through the session) into one SigV4-signed PUT (path-style,
 * UNSIGNED-PAYLOAD, Content-Length known), so nothing is held in memory.
 */
import {request as httpRequest} from 'node:http'
import {request as httpsRequest} from 'node:https'
import {AimsError} from '../core/errors.js'
import {signS3Request} from '../core/backup/s3.js'
import type {S3Uploader} from '../services/backup-schedule.js'
import type {Clock, HostSession} from '../services/ports.js'

export class HttpS3Uploader implements S3Uploader {
  constructor(
    private readonly session: Pick<HostSession, 'shell'>,
    private readonly clock: Pick<Clock, 'now'>,
  ) {}

  async put(input: Parameters<S3Uploader['put']>[0]): Promise<void> {
    const signed = signS3Request({
      method: 'PUT',
      credentials: input.credentials,
      path: `/${input.bucket}/${input.key}`,
      headers: {'content-length': String(input.bytes), 'content-type': 'application/gzip'},
      payloadHash: 'UNSIGNED-PAYLOAD',
      now: this.clock.now(),
    })
    const url = new URL(signed.url)
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest
    const shell = await this.session.shell()
    await new Promise<void>((resolve, reject) => {
      const request = send(url, {method: 'PUT', headers: signed.headers, timeout: 60_000}, (response) => {
        let body = ''
        response.setEncoding('utf8')
        response.on('data', (chunk: string) => (body += chunk.slice(0, 2000)))
        response.on('end', () => {
          if ((response.statusCode ?? 0) >= 200 && (response.statusCode ?? 0) < 300) resolve()
          else {
            const code = /<Code>([^<]+)<\/Code>/.exec(body)?.[1] ?? `HTTP ${response.statusCode}`
            reject(
              new AimsError('remote', `the S3 upload to ${input.bucket}/${input.key} was refused: ${code}`, {
                hint: 'check the bucket, the endpoint and the S3 credentials',
              }),
            )
          }
        })
      })
      request.on('timeout', () => request.destroy(new Error('the S3 endpoint did not answer in time')))
      request.on('error', (error) =>
        reject(new AimsError('remote', `the S3 upload to ${url.host} failed: ${error.message}`)),
      )
      shell
        .execStream(['cat', input.file], {stdout: request})
        .then((result) => {
          if (result.exitCode !== 0) request.destroy(new Error(`cannot read ${input.file}: ${result.stderr.trim()}`))
          else request.end()
        })
        .catch((error: Error) => request.destroy(error))
    })
  }
}
