/**
 * Builds and removes the image `aims quickstart` deploys, on the local Docker engine: the build context comes
 * from core/quickstart/hello-image.ts, with this machine's static busybox when there is one (no registry needed).
 */
import {readFile} from 'node:fs/promises'
import {createRequire} from 'node:module'
import {Readable} from 'node:stream'
import type DockerodeType from 'dockerode'
import {AimsError} from '../core/errors.js'
import {BUSYBOX_BASE, helloBuildContext, isStaticElf, QUICKSTART_IMAGE_LABEL} from '../core/quickstart/hello-image.js'
import {oneLine} from '../core/text/sanitize.js'
import type {QuickstartImages} from '../services/quickstart.js'

const loadDockerode = () => createRequire(import.meta.url)('dockerode') as typeof DockerodeType

/** Where Debian's busybox-static (and most distributions' busybox) puts the binary. */
export const BUSYBOX_PATHS = ['/bin/busybox', '/usr/bin/busybox', '/usr/local/bin/busybox', '/sbin/busybox']

async function staticBusybox(paths: readonly string[]): Promise<{path: string; bytes: Buffer} | undefined> {
  for (const path of paths) {
    const bytes = await readFile(path).catch(() => undefined)
    if (bytes && isStaticElf(bytes)) return {path, bytes}
  }
  return undefined
}

interface BuildEvent {
  stream?: string
  status?: string
  error?: string
  errorDetail?: {message?: string}
}

export class DockerQuickstartImages implements QuickstartImages {
  private readonly docker: DockerodeType

  constructor(
    socketPath: string,
    private readonly busyboxPaths: readonly string[] = BUSYBOX_PATHS,
  ) {
    this.docker = new (loadDockerode())({socketPath, version: 'v1.41'} as DockerodeType.DockerOptions)
  }

  async inspect(reference: string): Promise<{builtByAims: boolean} | undefined> {
    try {
      const info = (await this.docker.getImage(reference).inspect()) as {Config?: {Labels?: Record<string, string>}}
      return {builtByAims: info.Config?.Labels?.[QUICKSTART_IMAGE_LABEL] === '1'}
    } catch (error) {
      if ((error as {statusCode?: number}).statusCode === 404) return undefined
      throw new AimsError('engine', `cannot inspect ${reference}: ${oneLine((error as Error).message)}`)
    }
  }

  async build(reference: string, onProgress: (line: string) => void): Promise<{base: string}> {
    const busybox = await staticBusybox(this.busyboxPaths)
    const base = busybox ? `${busybox.path} (static busybox of this machine)` : BUSYBOX_BASE
    const context = helloBuildContext(busybox?.bytes)
    let stream: NodeJS.ReadableStream
    try {
      stream = await this.docker.buildImage(Readable.from([context]), {t: reference, rm: true, forcerm: true})
    } catch (error) {
      throw buildFailure(reference, (error as Error).message, Boolean(busybox))
    }
    await new Promise<void>((resolve, reject) => {
      this.docker.modem.followProgress(
        stream,
        (error: Error | null, output: BuildEvent[]) => {
          const failed = error?.message ?? output.find((event) => event.error)?.error
          if (failed) reject(buildFailure(reference, failed, Boolean(busybox)))
          else resolve()
        },
        (event: BuildEvent) => {
          const line = (event.stream ?? event.status ?? '').trim()
          if (/^Step \d+\/\d+ :/.test(line)) onProgress(oneLine(line))
        },
      )
    })
    return {base}
  }

  async remove(reference: string): Promise<'removed' | 'absent' | 'in-use'> {
    try {
      await this.docker.getImage(reference).remove()
      return 'removed'
    } catch (error) {
      const status = (error as {statusCode?: number}).statusCode
      if (status === 404) return 'absent'
      if (status === 409) return 'in-use'
      throw new AimsError('engine', `cannot remove ${reference}: ${oneLine((error as Error).message)}`)
    }
  }
}

function buildFailure(reference: string, message: string, hadBusybox: boolean): AimsError {
  return new AimsError('engine', `could not build ${reference}: ${oneLine(message)}`, {
    hint: hadBusybox
      ? 'check the engine (aims doctor --host local)'
      : `there is no static busybox here, so the build pulls ${BUSYBOX_BASE}: install one ` +
        '(sudo apt-get install busybox-static) or let the engine reach Docker Hub',
  })
}
