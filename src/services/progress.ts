/** Progress of long operations, for a TTY spinner, plain stderr lines, or nothing (--json). */
export interface ProgressEvent {
  step:
    | 'plan'
    | 'lock'
    | 'cleanup'
    | 'pull'
    | 'network'
    | 'volume'
    | 'file'
    | 'job'
    | 'create'
    | 'start'
    | 'health'
    | 'proxy'
    | 'rollback'
    | 'ready'
    | 'stop'
    | 'remove'
    | 'restart'
    | 'scale'
    | 'backup'
    | 'restore'
    | 'upgrade'
    | 'build'
    | 'clone'
    | 'verify'
    | 'replace'
    | 'upload'
    | 'switch'
  message: string
  /** Bytes or items done/total, when known (image pulls). */
  current?: number
  total?: number
}

export type Progress = (event: ProgressEvent) => void

export const silentProgress: Progress = () => undefined
