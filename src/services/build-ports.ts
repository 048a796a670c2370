/** What aims build, plug add and site deploy read and write on this machine (adapters implement them). */
import type {TarEntry} from '../core/build/tar.js'

export interface SourceFiles {
  /** Files, dirs and links, as they go into the tar (sorted, ignored paths left out). */
  entries: TarEntry[]
  /** Bytes of file content. */
  bytes: number
  /** Paths .dockerignore (or the defaults) left out. */
  ignored: number
}

/** A local directory to build or upload. */
export interface SourceDir {
  /** Absolute, symlinks resolved. */
  root: string
  /** The names at the top level (what decides the stack). */
  names(): Promise<Set<string>>
  /** A small top-level file's text (package.json, requirements.txt), undefined when absent. */
  readSmall(name: string): Promise<string | undefined>
  read(options: {extraIgnore: string[]; limitBytes?: number}): Promise<SourceFiles>
}

/** Materialized sources: directories, git clones and generated apps. */
export interface SourceOpener {
  dir(path: string): Promise<SourceDir>
  /** A shallow clone into a temp directory (removed by `cleanup`); the commit cloned. */
  gitClone(url: string, ref?: string): Promise<{dir: string; commit: string; cleanup: () => Promise<void>}>
  /** Writes generated files into `dir` (created; must be empty or absent), or a temp dir. */
  writeFiles(
    files: Array<{path: string; content: string}>,
    dir?: string,
  ): Promise<{dir: string; cleanup: () => Promise<void>}>
}

/** The user's catalog directory, where built and added plugs are written (read by every catalog lookup). */
export interface UserCatalog {
  readonly dir: string
  write(id: string, yaml: string): Promise<string>
  remove(id: string): Promise<void>
}
