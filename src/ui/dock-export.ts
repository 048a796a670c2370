/**
 * The dock's `x` key: export a self-host bundle of the selected instance.
 * The export service is built separately; it is looked up at run time so the
 * dock works (and says so) in a build without it.
 */
import {join} from 'node:path'

export const EXPORT_UNAVAILABLE = 'export is not available in this build'

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ExportBundle = (...args: any[]) => Promise<unknown>

/** `exportBundle` from services/export.js, or undefined when this build has none. */
export async function loadExportBundle(importModule: (specifier: string) => Promise<unknown> = (specifier) => import(specifier)): Promise<ExportBundle | undefined> {
  try {
    // A variable specifier: the type checker must not require the module to exist.
    const specifier = '../services/export.js'
    const loaded = (await importModule(specifier)) as {exportBundle?: unknown}
    return typeof loaded.exportBundle === 'function' ? (loaded.exportBundle as ExportBundle) : undefined
  } catch {
    return undefined
  }
}

export interface ExportOutcome {
  ok: boolean
  message: string
}

export type ExportRunner = (ref: string) => Promise<ExportOutcome>

/**
 * Runs the export of one instance into ./aims-export-TENANT-INSTANCE.
 * `request` is what the export service receives (wired by the composition).
 */
export function exportRunner(options: {load?: () => Promise<ExportBundle | undefined>; request: (ref: string, outDir: string) => unknown; cwd: string}): ExportRunner {
  return async (ref) => {
    const exportBundle = await (options.load ?? loadExportBundle)()
    if (!exportBundle) return {ok: false, message: EXPORT_UNAVAILABLE}
    const outDir = join(options.cwd, `aims-export-${ref.replace('/', '-')}`)
    try {
      const result = (await exportBundle(options.request(ref, outDir))) as {outDir?: string; out?: string; dir?: string} | undefined
      return {ok: true, message: `exported ${ref} to ${result?.outDir ?? result?.out ?? result?.dir ?? outDir}`}
    } catch (error) {
      const failure = error as Error & {line?: string}
      return {ok: false, message: `export of ${ref} failed: ${failure.line ?? failure.message}`}
    }
  }
}
