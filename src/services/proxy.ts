/**
 * Puts an instance's nginx conf live on the host, or takes it away, without
 * ever leaving nginx broken: write the file, `nginx -t`, and only then
 * `nginx -s reload` (never a restart, which would drop every connection).
 * When the test fails, the previous files are put back before the error is
 * thrown, so the running nginx and its on-disk configuration stay in step.
 *
 * nginx -t checks the whole configuration, so two aims processes changing
 * confs on one host at once could see each other's half-applied file: callers
 * hold the host's `nginx` lock (HostSession.lock) around these calls.
 */
import {oneLine} from '../core/text/sanitize.js'
import {AimsError, shown} from '../core/errors.js'
import {checkRemotePath} from '../core/host-target.js'
import {checkNginxPath, confOwner, HASH_TUNING_DIRECTIVES, renderIncludeConf} from '../core/proxy/plug-conf.js'
import type {ExecResult, HostShell} from './ports.js'

/** How nginx is run on the host; `['sudo', '-n', 'nginx']` where aims logs in as a non-root user. */
export const DEFAULT_NGINX_COMMAND = ['nginx']
const NGINX_TIMEOUT_MS = 30_000

export interface ApplyPlugConfOptions {
  /** The host's conf dir (ResolvedHost.nginxConfDir). */
  confDir: string
  /** The file in nginx's conf.d that includes the conf dir (DEFAULT_INCLUDE_FILE). */
  includeFile: string
  /** confFileName(tenant, instance) */
  fileName: string
  /** renderPlugConf(...) */
  content: string
  nginxCommand?: string[]
}

export interface ApplyPlugConfResult {
  path: string
  /** What happened to the conf file; the include file is kept in step either way. */
  change: 'created' | 'updated' | 'unchanged'
  /** The include file was written (first conf on this host, or the conf dir changed). */
  includeWritten: boolean
  /** nginx's own warnings from `nginx -t` (one line each), for the plan's output. */
  warnings: string[]
}

interface FileChange {
  path: string
  /** The content before aims touched it; undefined when the file did not exist. */
  previous: string | undefined
}

const CONF_FILE = /^[a-z0-9][a-z0-9-]{0,70}\.conf$/

function checkConfPaths(options: {confDir: string; includeFile?: string; fileName: string}): {
  confDir: string
  path: string
  includeFile: string
} {
  const confDir = checkNginxPath(checkRemotePath(options.confDir, 'nginx conf dir'), 'nginx conf dir')
  let includeFile = ''
  if (options.includeFile !== undefined) {
    includeFile = checkNginxPath(checkRemotePath(options.includeFile, 'nginx include file'), 'nginx include file')
    if (!options.includeFile.endsWith('.conf'))
      throw new AimsError(
        'usage',
        `invalid nginx include file ${shown(options.includeFile)}: nginx only includes files ending in .conf ` +
          `from conf.d`,
        {hint: 'use a name such as /etc/nginx/conf.d/aims-plugs.conf'},
      )
    if (options.includeFile.startsWith(`${confDir}/`))
      throw new AimsError(
        'usage',
        `the nginx include file ${shown(options.includeFile)} is inside the conf dir it includes`,
        {hint: 'keep the include file in /etc/nginx/conf.d/ and the plug confs in a directory of their own'},
      )
  }
  if (!CONF_FILE.test(options.fileName))
    throw new AimsError('usage', `invalid nginx conf file name ${shown(options.fileName)}`, {
      hint: 'use confFileName(tenant, instance)',
    })
  return {confDir, path: `${confDir}/${options.fileName}`, includeFile}
}

/** The lines that matter in nginx's output, without the timestamp and pid prefix of its error log format. */
export function nginxMessages(output: string, levels: RegExp): string[] {
  return output
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => levels.test(line))
    .map((line) => oneLine(line.replace(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d (\[\w+\]) \d+#\d+: /, 'nginx: $1 ')))
}

const ERROR_LEVELS = /\[(emerg|alert|crit|error)\]/
const WARN_LEVEL = /\[warn\]/

/** nginx's own line saying what is wrong, for the error message. */
export function nginxErrorLine(result: ExecResult): string {
  const output = `${result.stderr}\n${result.stdout}`
  const [first] = nginxMessages(output, /\[emerg\]/).concat(nginxMessages(output, ERROR_LEVELS))
  if (first) return first
  const line = output
    .split('\n')
    .map((text) => text.trim())
    .find((text) => text && !/test failed$/.test(text))
  return oneLine(line ?? `nginx exited with code ${result.exitCode}`)
}

async function nginxTest(shell: HostShell, nginx: string[]): Promise<ExecResult> {
  const result = await shell.exec([...nginx, '-t'], {timeoutMs: NGINX_TIMEOUT_MS})
  if (result.exitCode === 127) {
    throw new AimsError('remote', `nginx is not installed on the host (${oneLine(result.stderr)})`, {
      hint: 'install it (apt-get install nginx) and run aims doctor',
    })
  }
  return result
}

async function nginxReload(shell: HostShell, nginx: string[]): Promise<void> {
  const result = await shell.exec([...nginx, '-s', 'reload'], {timeoutMs: NGINX_TIMEOUT_MS})
  if (result.exitCode !== 0) {
    throw new AimsError('remote', `nginx accepted the configuration but did not reload: ${nginxErrorLine(result)}`, {
      hint: 'start nginx (systemctl start nginx); the conf is in place and is served once it runs',
      details: {nginx: nginxErrorLine(result)},
    })
  }
}

async function readText(shell: HostShell, path: string): Promise<string | undefined> {
  return (await shell.readFile(path))?.toString('utf8')
}

/** Puts files back as they were, newest change first; collects what it could not undo. */
async function restore(shell: HostShell, changes: FileChange[]): Promise<string[]> {
  const failures: string[] = []
  for (const change of [...changes].reverse()) {
    try {
      if (change.previous === undefined) await shell.removeFile(change.path)
      else await shell.writeFile(change.path, change.previous)
    } catch (error) {
      failures.push(`${change.path}: ${oneLine((error as Error).message)}`)
    }
  }
  return failures
}

function serverNamesIn(content: string): string[] {
  return [...content.matchAll(/^\s*server_name\s+([^;]+);/gm)].flatMap((match) => (match[1] ?? '').trim().split(/\s+/))
}

function conflictingNames(warnings: string[], names: string[]): string[] {
  const wanted = new Set(names)
  return [
    ...new Set(
      warnings.flatMap((line) => {
        const match = /conflicting server name "([^"]*)"/.exec(line)
        return match && wanted.has(match[1]!) ? [match[1]!] : []
      }),
    ),
  ]
}

function refuseForeignOwner(existing: string | undefined, content: string, path: string): void {
  if (existing === undefined) return
  const theirs = confOwner(existing)
  const ours = confOwner(content)
  if (ours && theirs && (theirs.tenant !== ours.tenant || theirs.instance !== ours.instance)) {
    throw new AimsError(
      'conflict',
      `${path} already routes ${theirs.tenant}/${theirs.instance}, not ${ours.tenant}/${ours.instance}`,
      {
        hint:
          `tenant and instance names run together in conf file names: choose another instance name for ` +
          `${ours.tenant}/${ours.instance}`,
      },
    )
  }
  if (ours && !theirs) {
    throw new AimsError('conflict', `${path} exists and was not written by aims`, {
      hint: 'move that file out of the aims conf dir, or choose another instance name',
    })
  }
}

/**
 * Writes an instance's conf and makes it live. Throws AimsError 'remote' with
 * nginx's own message when `nginx -t` fails (after restoring the previous
 * files, so nginx keeps serving what it served), and 'conflict' when the file
 * belongs to another instance or a server name is already routed elsewhere.
 */
export async function applyPlugConf(shell: HostShell, options: ApplyPlugConfOptions): Promise<ApplyPlugConfResult> {
  const {confDir, path, includeFile} = checkConfPaths(options)
  const nginx = options.nginxCommand ?? DEFAULT_NGINX_COMMAND
  if (!options.content.trim())
    throw new AimsError('usage', `refusing to write an empty nginx conf to ${path}`, {
      hint: 'render it with renderPlugConf',
    })

  await shell.mkdirp(confDir)
  const previousConf = await readText(shell, path)
  refuseForeignOwner(previousConf, options.content, path)

  const changes: FileChange[] = []
  const tuned = renderIncludeConf(confDir)
  const untuned = renderIncludeConf(confDir, {tuneServerNamesHash: false})
  const previousInclude = await readText(shell, includeFile)
  let include = previousInclude
  const writeInclude = async (content: string) => {
    if (!changes.some((change) => change.path === includeFile))
      changes.push({path: includeFile, previous: previousInclude})
    await shell.writeFile(includeFile, content)
    include = content
  }
  const fail = async (error: AimsError): Promise<never> => {
    const failures = await restore(shell, changes)
    if (failures.length > 0) {
      throw new AimsError(
        error.kind,
        `${error.message}; and aims could not put the previous files back (${failures.join('; ')})`,
        {
          hint: `fix or remove ${path} by hand, then check with nginx -t`,
          details: error.details,
        },
      )
    }
    throw error
  }

  let test: ExecResult
  try {
    // Either variant is fine as it is: the untuned one is what hosts whose nginx.conf sets the hash sizes keep.
    if (include !== tuned && include !== untuned) await writeInclude(tuned)
    if (previousConf !== options.content) {
      changes.push({path, previous: previousConf})
      await shell.writeFile(path, options.content)
    }
    test = await nginxTest(shell, nginx)
    const hash = test.exitCode === 0 ? undefined : hashTuningProblem(test)
    // The main nginx.conf sets the hash sizes itself (nginx refuses them twice): keep its values.
    // Or it stopped setting them and a long name no longer fits: set them again.
    const better =
      hash === 'duplicate' && include === tuned
        ? untuned
        : hash === 'too-small' && include === untuned
          ? tuned
          : undefined
    if (better !== undefined) {
      await writeInclude(better)
      const retest = await nginxTest(shell, nginx)
      // When raising the sizes is refused too, what the user must fix is still the size.
      test = retest.exitCode !== 0 && hash === 'too-small' ? test : retest
    }
  } catch (error) {
    // A write refused, nginx missing, the connection lost: whatever we wrote must not wait for the next reload.
    return fail(
      error instanceof AimsError
        ? error
        : new AimsError('remote', `cannot apply ${path}: ${oneLine(String((error as Error)?.message ?? error))}`, {
            cause: error,
          }),
    )
  }
  if (test.exitCode !== 0) {
    const line = nginxErrorLine(test)
    const ours = line.includes(path) || line.includes(includeFile)
    await fail(
      new AimsError('remote', `nginx refused the configuration: ${line}`, {
        hint: line.includes('could not build server_names_hash')
          ? 'the main nginx.conf sets server_names_hash_bucket_size too small for this name: raise it (e.g. to ' +
            '512), or use a shorter domain'
          : ours
            ? `the previous conf is back and nginx keeps serving it; this is likely a bug in the conf ` +
              `template, run nginx -t on the host to see more`
            : `nginx's configuration was already failing outside aims' files: fix that file (nginx -t on the ` +
              `host), then retry; nothing was changed`,
        details: {nginx: line, file: path},
      }),
    )
  }
  const warnings = nginxMessages(`${test.stderr}\n${test.stdout}`, WARN_LEVEL)
  const conflicts = conflictingNames(warnings, serverNamesIn(options.content))
  if (conflicts.length > 0) {
    await fail(
      new AimsError(
        'conflict',
        `the server name ${conflicts.map((name) => shown(name)).join(', ')} is already routed by another nginx server`,
        {
          hint: 'choose another --domain, or remove the other conf first (aims doctor lists stale confs)',
          details: {serverNames: conflicts},
        },
      ),
    )
  }
  await nginxReload(shell, nginx)
  return {
    path,
    change: previousConf === undefined ? 'created' : previousConf === options.content ? 'unchanged' : 'updated',
    includeWritten: changes.some((change) => change.path === includeFile),
    warnings,
  }
}

/** Whether nginx -t failed over the server names hash settings the include file may carry. */
function hashTuningProblem(test: ExecResult): 'duplicate' | 'too-small' | undefined {
  const lines = nginxMessages(`${test.stderr}\n${test.stdout}`, ERROR_LEVELS)
  // A duplicate names whichever file nginx read second: the include file, nginx.conf or a site.
  if (
    lines.some(
      (line) =>
        line.includes('directive is duplicate') &&
        HASH_TUNING_DIRECTIVES.some((directive) => line.includes(`"${directive}"`)),
    )
  )
    return 'duplicate'
  if (lines.some((line) => line.includes('could not build server_names_hash'))) return 'too-small'
  return undefined
}

export interface RemovePlugConfOptions {
  confDir: string
  fileName: string
  /** When given, a conf that names another owner is left alone (conflict). */
  owner?: {tenant: string; instance: string}
  nginxCommand?: string[]
}

/**
 * Removes an instance's conf and reloads nginx. Idempotent: a missing conf is
 * not an error and causes no reload.
 */
export async function removePlugConf(
  shell: HostShell,
  options: RemovePlugConfOptions,
): Promise<{path: string; removed: boolean}> {
  const {path} = checkConfPaths(options)
  const nginx = options.nginxCommand ?? DEFAULT_NGINX_COMMAND
  const existing = await readText(shell, path)
  if (existing === undefined) return {path, removed: false}
  if (options.owner) {
    const owner = confOwner(existing)
    if (!owner || owner.tenant !== options.owner.tenant || owner.instance !== options.owner.instance) {
      throw new AimsError(
        'conflict',
        `${path} routes ${owner ? `${owner.tenant}/${owner.instance}` : 'something aims did not write'}, not ` +
          `${options.owner.tenant}/${options.owner.instance}: left in place`,
        {
          hint: 'nothing to remove for this instance',
        },
      )
    }
  }
  await shell.removeFile(path)
  const test = await nginxTest(shell, nginx)
  if (test.exitCode !== 0) {
    // The instance is going away either way; the route goes once nginx's configuration is fixed.
    const line = nginxErrorLine(test)
    throw new AimsError('remote', `removed ${path}, but nginx cannot reload: ${line}`, {
      hint: 'fix the file nginx names (nginx -t on the host), then reload nginx to drop the route',
      details: {nginx: line, file: path},
    })
  }
  await nginxReload(shell, nginx)
  return {path, removed: true}
}

/** The conf files in the conf dir (none when it does not exist). */
export async function listPlugConfs(shell: HostShell, confDir: string): Promise<string[]> {
  const dir = checkRemotePath(confDir, 'nginx conf dir')
  const names = (await shell.listDir(dir)) ?? []
  return names.filter((name) => name.endsWith('.conf')).sort()
}
