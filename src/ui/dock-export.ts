/**
 * The dock's `x` key: export a self-host bundle of the selected instance
 * into ./aims-export-TENANT-INSTANCE (the same service as `aims export`).
 */
import {join} from 'node:path'

export interface ExportOutcome {
  ok: boolean
  message: string
}

export type ExportRunner = (ref: string) => Promise<ExportOutcome>

/** `run` is the export service bound to the dock's host (wired by the composition). */
export function exportRunner(options: {
  run: (ref: string, outDir: string) => Promise<{dir: string}>
  cwd: string
}): ExportRunner {
  return async (ref) => {
    const outDir = join(options.cwd, `aims-export-${ref.replace('/', '-')}`)
    try {
      const result = await options.run(ref, outDir)
      return {ok: true, message: `exported ${ref} to ${result.dir}`}
    } catch (error) {
      const failure = error as Error & {line?: string}
      return {ok: false, message: `export of ${ref} failed: ${failure.line ?? failure.message}`}
    }
  }
}
