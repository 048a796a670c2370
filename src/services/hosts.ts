/**
 * Host management: add, list, select, remove and trust the hosts aims talks
 * to. Everything is validated before the config is touched.
 */
import {isAbsolute, resolve} from 'node:path'
import {AimsError, notFoundError, usageError} from '../core/errors.js'
import {
  buildHostEntry,
  formatTarget,
  LOCAL_HOST,
  type HostAddInput,
  type HostEntry,
  type ResolvedHost,
} from '../core/host-target.js'
import {
  checkFingerprint,
  fingerprint,
  keyTypeLabel,
  knownHostName,
  verifyHostKey,
  type HostKey,
} from '../core/known-hosts.js'
import {didYouMean} from '../core/suggest.js'
import type {ConfigStore, HostKeyScanner, KnownHostsStore, Prompter} from './ports.js'

export interface HostRow {
  name: string
  target: string
  default: boolean
  domain?: string
  identityFile?: string
  /** `trusted`, `unknown` or `changed` (SSH hosts), `local` otherwise. */
  hostKey: 'trusted' | 'unknown' | 'changed' | 'local' | 'unchecked'
  fingerprint?: string
}

export interface HostDeps {
  config: ConfigStore
  now: () => Date
  cwd: string
  fileReadable: (path: string) => boolean
}

function notFound(name: string, known: string[]): AimsError {
  return notFoundError(
    `no host named "${name}"`,
    didYouMean(name, known) ??
      (known.length > 0 ? `known hosts: ${known.join(', ')}` : 'add one with aims host add NAME user@host'),
  )
}

export async function addHost(
  deps: HostDeps,
  input: HostAddInput & {makeDefault?: boolean | undefined; force?: boolean | undefined; dryRun?: boolean | undefined},
): Promise<{host: HostEntry; default: boolean; replaced: boolean; dryRun: boolean}> {
  const entry = buildHostEntry(input, deps.now())
  if (entry.identityFile) {
    const absolute = isAbsolute(entry.identityFile) ? entry.identityFile : resolve(deps.cwd, entry.identityFile)
    if (!deps.fileReadable(absolute))
      throw usageError(
        `identity file ${absolute} does not exist or is not readable`,
        'give the path of your private key, e.g. ~/.ssh/id_ed25519',
      )
    entry.identityFile = absolute
  }
  const apply = async (config: Awaited<ReturnType<ConfigStore['read']>>) => {
    const replaced = Boolean(config.hosts[entry.name])
    if (replaced && !input.force) {
      throw new AimsError(
        'conflict',
        `a host named "${entry.name}" already exists (${formatTarget(config.hosts[entry.name]!.target)})`,
        {hint: `pick another name, or pass --force to replace it`, exitCode: 2},
      )
    }
    const makeDefault = input.makeDefault || !config.defaultHost || !config.hosts[config.defaultHost]
    config.hosts[entry.name] = entry
    if (makeDefault) config.defaultHost = entry.name
    return {host: entry, default: makeDefault, replaced, dryRun: Boolean(input.dryRun)}
  }
  if (input.dryRun) return apply(structuredClone(await deps.config.read()))
  return deps.config.update(apply)
}

export async function listHosts(
  config: ConfigStore,
  knownHosts: KnownHostsStore,
  resolveHost: (entry: HostEntry) => Promise<ResolvedHost>,
): Promise<HostRow[]> {
  const current = await config.read()
  const entries = await knownHosts.entries()
  const rows: HostRow[] = []
  for (const entry of Object.values(current.hosts).sort((a, b) => a.name.localeCompare(b.name))) {
    const row: HostRow = {
      name: entry.name,
      target: formatTarget(entry.target, entry.cluster),
      default: current.defaultHost === entry.name,
      hostKey: entry.target === LOCAL_HOST ? 'local' : 'unchecked',
      ...(entry.domain ? {domain: entry.domain} : {}),
      ...(entry.identityFile ? {identityFile: entry.identityFile} : {}),
    }
    if (entry.target !== LOCAL_HOST) {
      const host = await resolveHost(entry)
      const names = [knownHostName(host.ssh!.host, host.ssh!.port)]
      const recorded = entries.find(
        (known) => known.marker === undefined && names.some((name) => known.patterns.includes(name)),
      )
      row.hostKey = recorded ? 'trusted' : 'unknown'
      if (recorded) row.fingerprint = `${keyTypeLabel(recorded.key.type)} ${fingerprint(recorded.key.blob)}`
    }
    rows.push(row)
  }
  return rows
}

export async function useHost(
  config: ConfigStore,
  name: string,
  dryRun = false,
): Promise<{name: string; dryRun: boolean}> {
  const current = await config.read()
  if (!current.hosts[name] && name !== LOCAL_HOST) throw notFound(name, Object.keys(current.hosts))
  if (!dryRun) {
    await config.update((latest) => {
      if (name === LOCAL_HOST && !latest.hosts[LOCAL_HOST])
        latest.hosts[LOCAL_HOST] = {name: LOCAL_HOST, target: LOCAL_HOST, addedAt: new Date().toISOString()}
      if (!latest.hosts[name]) throw notFound(name, Object.keys(latest.hosts))
      latest.defaultHost = name
    })
  }
  return {name, dryRun}
}

export async function removeHost(
  config: ConfigStore,
  name: string,
  dryRun = false,
): Promise<{removed: HostEntry; newDefault?: string; dryRun: boolean}> {
  const current = await config.read()
  const existing = current.hosts[name]
  if (!existing) throw notFound(name, Object.keys(current.hosts))
  if (dryRun) return {removed: existing, dryRun}
  return config.update((latest) => {
    const removed = latest.hosts[name]
    if (!removed) throw notFound(name, Object.keys(latest.hosts))
    delete latest.hosts[name]
    let newDefault: string | undefined
    if (latest.defaultHost === name) {
      const remaining = Object.keys(latest.hosts).sort()
      newDefault = remaining.length === 1 ? remaining[0] : undefined
      if (newDefault) latest.defaultHost = newDefault
      else delete latest.defaultHost
    }
    return {removed, ...(newDefault ? {newDefault} : {}), dryRun: false}
  })
}

export interface TrustResult {
  host: string
  keyType: string
  fingerprint: string
  /** What known_hosts said before: trusted (nothing to do), unknown, or changed. */
  previous: 'trusted' | 'unknown' | 'changed'
  previousFingerprints: string[]
  recorded: boolean
  file: string
}

/**
 * Fetches the host key, shows its SHA256 fingerprint as ssh does, asks, and
 * records it in aims' known_hosts. `yes` answers for scripts, but only for a
 * host seen for the first time: a key that CHANGED is replaced only when the
 * user names the new key's exact fingerprint (`replaceKey`, or typed at a
 * TTY), since a changed key is what an interception looks like and "yes"
 * in a script cannot have checked it.
 */
export async function trustHost(
  deps: {knownHosts: KnownHostsStore; scanner: HostKeyScanner; prompter: Prompter; show: (line: string) => void},
  host: ResolvedHost,
  options: {yes: boolean; dryRun: boolean; replaceKey?: string},
): Promise<TrustResult> {
  if (host.kind === 'local' || !host.ssh)
    throw usageError(`host ${host.name} is the local engine and has no SSH host key`, 'trust is only for SSH hosts')
  const wanted = options.replaceKey === undefined ? undefined : checkFingerprint(options.replaceKey)
  const key: HostKey = await deps.scanner.scan(host)
  const name = knownHostName(host.ssh.host, host.ssh.port)
  const verdict = verifyHostKey(await deps.knownHosts.entries(), [name], key)
  const print = fingerprint(key.blob)
  const label = keyTypeLabel(key.type)
  const result: TrustResult = {
    host: host.name,
    keyType: key.type,
    fingerprint: print,
    previous: verdict.status === 'revoked' ? 'changed' : verdict.status,
    previousFingerprints: verdict.status === 'changed' ? verdict.known.map((entry) => fingerprint(entry.key.blob)) : [],
    recorded: false,
    file: deps.knownHosts.ownFile,
  }
  if (verdict.status === 'revoked')
    throw new AimsError(
      'host-key',
      `the key ${label} ${print} of ${host.name} is marked @revoked in ${verdict.entry.file}`,
      {hint: 'do not trust it; rotate the host key'},
    )
  const keyFile = `/etc/ssh/ssh_host_${key.type.replace(/^ssh-/, '').replace(/^ecdsa-.*/, 'ecdsa')}_key.pub`
  if (wanted !== undefined && wanted !== print)
    throw usageError(
      `--replace-key ${wanted} does not match the key ${host.name} offers (${label} ${print}): nothing was written`,
      `check the fingerprint on the host (ssh-keygen -lf ${keyFile}); ` +
        'a key you cannot confirm there may be an interception',
    )
  if (verdict.status === 'trusted') {
    deps.show(`${host.name} (${name}) is already trusted: ${label} key fingerprint is ${print}.`)
    return result
  }
  if (verdict.status === 'changed') {
    deps.show(`WARNING: the host key of ${host.name} (${name}) has CHANGED.`)
    for (const entry of verdict.known)
      deps.show(
        `  recorded: ${keyTypeLabel(entry.key.type)} ${fingerprint(entry.key.blob)} (${entry.file}:${entry.line})`,
      )
    deps.show(`  offered:  ${label} ${print}`)
  } else {
    deps.show(`The authenticity of host '${name}' can't be established.`)
    deps.show(`${label} key fingerprint is ${print}.`)
  }
  if (options.dryRun) return result
  if (verdict.status === 'changed' && wanted === undefined) {
    const fix =
      `verify the new key on the host (ssh-keygen -lf ${keyFile}) ` +
      `and run aims host trust ${host.name} --replace-key SHA256:… with its fingerprint`
    if (options.yes || !deps.prompter.interactive)
      throw usageError(`the host key of ${host.name} changed: --yes does not replace a changed key`, fix)
    const typed = (
      await deps.prompter.input(`Type the new key's fingerprint (SHA256:…) to replace the recorded one:`)
    ).trim()
    if (checkFingerprint(typed, 'the fingerprint you typed') !== print)
      throw usageError(`the fingerprint you typed does not match the key ${host.name} offers: nothing was written`, fix)
  } else if (!options.yes && wanted === undefined) {
    if (!deps.prompter.interactive) {
      throw new AimsError('not-confirmed', `not trusting ${host.name} without confirmation`, {
        hint:
          `compare the fingerprint with the host's (ssh-keygen -lf ${keyFile}), ` +
          `then run aims host trust ${host.name} --yes`,
      })
    }
    const ok = await deps.prompter.confirm('Trust this host key?', false)
    if (!ok)
      throw new AimsError('not-confirmed', `host key of ${host.name} not trusted`, {hint: 'nothing was recorded'})
  }
  await deps.knownHosts.record(name, key)
  result.recorded = true
  return result
}
