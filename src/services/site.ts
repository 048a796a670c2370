/**
 * `aims site deploy|ls|rollback|rm`: static sites nginx serves from the host's disk, no container.
 * A deploy unpacks the files (one tar over the one SSH connection) into a new release directory,
 * then switches the site's `current` symlink with one rename: atomic, no 404 during the switch.
 * The host keeps the site's record (site.json) beside its releases: any aims sees the same sites.
 */
import {createHash} from 'node:crypto'
import {scanForSecrets} from '../core/build/context-rules.js'
import {packTar} from '../core/build/tar.js'
import {AimsError, ExitCode} from '../core/errors.js'
import {formatBytes, formatInstanceRef, instanceRef, type InstanceRef} from '../core/names.js'
import type {Plan, PlanChange} from '../core/plan/plan.js'
import {DEFAULT_INCLUDE_FILE} from '../core/proxy/plug-conf.js'
import {
  KEEP_RELEASES,
  RELEASE_ID,
  htpasswdLine,
  parseSiteRecord,
  releaseId,
  renderSiteConf,
  siteConfFile,
  siteDir,
  siteDomain,
  SITES_ROOT,
  type SiteRecord,
} from '../core/site/site.js'
import type {SourceOpener} from './build-ports.js'
import {passGate} from './gate.js'
import {httpHead} from './health.js'
import type {HostShell, LifecycleDeps} from './ports.js'
import {applyPlugConf, removePlugConf} from './proxy.js'
import {recordAction} from './record-action.js'

export interface SiteDeps extends LifecycleDeps {
  sources: SourceOpener
  generateSecret: (spec: {length: number; charset: string}) => string
}

export interface SiteDeployRequest {
  ref: InstanceRef
  dir: string
  domain?: string
  /** Protect the site with basic auth (user "aims" unless given); never stored or shown in clear. */
  password?: string
  user?: string
  /** Drop a previous deploy's protection. */
  public: boolean
}

export interface SiteView {
  site: string
  url: string
  domain: string
  protected: boolean
  current?: string
  releases: Array<{id: string; at: string; files: number; bytes: number; current: boolean}>
}

export interface SiteDeployResult extends SiteView {
  status: 'deployed' | 'dry-run'
  release: string
  files: number
  bytes: number
  plan: Plan
}

const recordFile = (tenant: string, name: string) => `${siteDir(tenant, name)}/site.json`

async function readRecord(shell: HostShell, ref: InstanceRef): Promise<SiteRecord | undefined> {
  return parseSiteRecord((await shell.readFile(recordFile(ref.tenant, ref.instance)))?.toString('utf8'))
}

async function currentRelease(shell: HostShell, ref: InstanceRef): Promise<string | undefined> {
  const link = await shell.exec(['readlink', `${siteDir(ref.tenant, ref.instance)}/current`])
  const id = link.stdout.trim().replace(/^releases\//, '')
  return link.exitCode === 0 && RELEASE_ID.test(id) ? id : undefined
}

function view(record: SiteRecord, current: string | undefined, tls: unknown): SiteView {
  return {
    site: `${record.tenant}/${record.name}`,
    url: `${tls ? 'https' : 'http'}://${record.domain}/`,
    domain: record.domain,
    protected: record.protected,
    ...(current ? {current} : {}),
    releases: record.releases.map((release) => ({
      id: release.id,
      at: release.at,
      files: release.files,
      bytes: release.bytes,
      current: release.id === current,
    })),
  }
}

async function must(shell: HostShell, argv: string[], what: string, stdin?: Buffer): Promise<void> {
  const result = await shell.exec(argv, {...(stdin ? {stdin} : {}), timeoutMs: 10 * 60_000})
  if (result.exitCode !== 0)
    throw new AimsError('remote', `${what} failed on the host: ${result.stderr.trim().split('\n').pop() ?? ''}`, {
      hint: `check ${SITES_ROOT} on the host (disk space, permissions)`,
    })
}

/** One rename makes the release live: nginx sees the old directory or the new one. */
async function switchTo(shell: HostShell, ref: InstanceRef, id: string): Promise<void> {
  const dir = siteDir(ref.tenant, ref.instance)
  await must(shell, ['ln', '-sfn', `releases/${id}`, `${dir}/current.next`], 'linking the release')
  await must(shell, ['mv', '-T', `${dir}/current.next`, `${dir}/current`], 'switching the release')
}

async function lockSite(deps: LifecycleDeps, ref: InstanceRef) {
  return deps.session.lock(`site-${ref.tenant}-${ref.instance}`, {wait: false}).catch((error: unknown) => {
    if (error instanceof AimsError && error.kind === 'conflict')
      throw new AimsError('conflict', `another aims process is changing the site ${formatInstanceRef(ref)}`, {
        hint: 'wait for it to finish, then run this again',
      })
    throw error
  })
}

async function withNginxLock<T>(deps: LifecycleDeps, work: () => Promise<T>): Promise<T> {
  const lock = await deps.session.lock('nginx', {wait: true, timeoutMs: 60_000})
  try {
    return await work()
  } finally {
    await lock.release()
  }
}

/** After a reload: wait until nginx answers for the site (old workers drain). */
async function routeSettles(deps: LifecycleDeps, domain: string, owner: string): Promise<void> {
  let inARow = 0
  for (let attempt = 0; attempt < 40 && inARow < 3; attempt++) {
    const head = await httpHead(deps.session, '127.0.0.1', 80, '/', {hostHeader: domain, timeoutMs: 1000}).catch(
      () => undefined,
    )
    if (!head) return
    inARow = head.headers['x-aims-site'] === owner ? inARow + 1 : 0
    if (inARow === 0) await deps.clock.sleep(50)
  }
}

export async function siteDeploy(deps: SiteDeps, request: SiteDeployRequest): Promise<SiteDeployResult> {
  const {ref} = request
  const target = formatInstanceRef(ref)
  const source = await deps.sources.dir(request.dir)
  const names = await source.names()
  if (!names.has('index.html'))
    throw new AimsError('usage', `${request.dir} has no index.html`, {hint: 'deploy the directory your site builds to'})
  const files = await source.read({extraIgnore: []})
  const fileEntries = files.entries.filter((entry) => entry.type === 'file')
  const secrets = scanForSecrets(fileEntries.map((entry) => ({path: entry.path, content: entry.content!})))
  const shell = await deps.session.shell()
  const record = await readRecord(shell, ref)
  const host = deps.session.host
  const domain =
    request.domain ?? record?.domain ?? siteDomain({name: ref.instance, tenant: ref.tenant, hostDomain: host.domain})
  const protect = request.password !== undefined ? true : request.public ? false : (record?.protected ?? false)
  const id = releaseId(deps.clock.now(), deps.newId())
  const dir = siteDir(ref.tenant, ref.instance)
  const changes: PlanChange[] = [
    {action: 'create', kind: 'release', name: id, detail: `${fileEntries.length} files, ${formatBytes(files.bytes)}`},
    ...(request.password !== undefined
      ? [{action: 'write' as const, kind: 'site' as const, name: `${dir}/htpasswd`, detail: 'basic auth (hashed)'}]
      : []),
    {action: 'write', kind: 'proxy-conf', name: siteConfFile(ref.tenant, ref.instance), detail: domain},
    {action: 'update', kind: 'site', name: target, detail: `serve release ${id} (atomic switch)`},
  ]
  const plan: Plan = {
    action: 'site-deploy',
    summary: `Deploy ${request.dir} as the site ${target} on ${host.name}`,
    host: host.name,
    target,
    destructive: false,
    facts: [
      {label: 'url', value: `${host.tls ? 'https' : 'http'}://${domain}/`},
      {label: 'files', value: `${fileEntries.length} files, ${formatBytes(files.bytes)} (${files.ignored} ignored)`},
      {label: 'served by', value: `nginx from ${dir}/current (no container)`},
      {label: 'auth', value: protect ? 'basic auth' : 'public'},
      ...(record ? [{label: 'releases', value: `${record.releases.length} before this one`}] : []),
    ],
    changes,
    gates: [
      secrets.length === 0
        ? {id: 'secrets', title: 'no secrets in the files', status: 'pass', detail: 'no keys, tokens or .env files'}
        : {
            id: 'secrets',
            title: 'no secrets in the files',
            status: 'fail',
            detail: secrets.map((finding) => `${finding.path} (${finding.what})`).join(', '),
            fix: 'remove them from the directory or list them in .dockerignore: a site serves every file',
            exitCode: ExitCode.badInput,
          },
    ],
  }
  const totals = {release: id, files: fileEntries.length, bytes: files.bytes, plan}
  const preview: SiteRecord = record ?? {
    tenant: ref.tenant,
    name: ref.instance,
    domain,
    protected: protect,
    releases: [],
  }
  if ((await passGate(plan, deps.approver)) === 'dry-run')
    return {
      ...view(
        {...preview, domain, protected: protect},
        record ? await currentRelease(shell, ref) : undefined,
        host.tls,
      ),
      status: 'dry-run',
      ...totals,
    }

  const lock = await lockSite(deps, ref)
  try {
    deps.progress({step: 'upload', message: `uploading ${fileEntries.length} files to ${host.name}`})
    const release = `${dir}/releases/${id}`
    await must(shell, ['mkdir', '-p', release], 'creating the release directory')
    await must(shell, ['tar', '-x', '--no-same-owner', '-C', release], 'unpacking the files', packTar(files.entries))
    await must(shell, ['chmod', '-R', 'u+rwX,go+rX,go-w', release], 'making the files readable by nginx')
    await must(
      shell,
      ['chmod', '755', SITES_ROOT, `${SITES_ROOT}/${ref.tenant}`, dir, `${dir}/releases`],
      'opening the site dirs',
    )
    if (request.password !== undefined) {
      const salt = Buffer.from(deps.generateSecret({length: 16, charset: 'alnum'}))
      const digest = createHash('sha1').update(request.password).update(salt).digest()
      await shell.writeFile(
        `${dir}/htpasswd`,
        htpasswdLine(request.user ?? 'aims', Buffer.concat([digest, salt]).toString('base64')),
        0o644,
      )
    }
    deps.progress({step: 'switch', message: `switching ${target} to release ${id}`})
    await switchTo(shell, ref, id)
    const revision = createHash('sha1').update(JSON.stringify({domain, protect})).digest('hex').slice(0, 8)
    const conf = renderSiteConf({tenant: ref.tenant, name: ref.instance, domain, protected: protect, revision})
    const applied = await withNginxLock(deps, () =>
      applyPlugConf(shell, {
        confDir: host.nginxConfDir,
        includeFile: DEFAULT_INCLUDE_FILE,
        fileName: siteConfFile(ref.tenant, ref.instance),
        content: conf,
      }),
    )
    if (applied.change !== 'unchanged') await routeSettles(deps, domain, `${target}@${revision}`)
    const releases = [
      ...(record?.releases ?? []),
      {id, at: deps.clock.now().toISOString(), files: fileEntries.length, bytes: files.bytes, actor: deps.actor},
    ]
    const kept = releases.slice(-KEEP_RELEASES)
    for (const old of releases.slice(0, -KEEP_RELEASES))
      await shell.exec(['rm', '-rf', '--', `${dir}/releases/${old.id}`]).catch(() => undefined)
    const next: SiteRecord = {tenant: ref.tenant, name: ref.instance, domain, protected: protect, releases: kept}
    await shell.writeFile(recordFile(ref.tenant, ref.instance), JSON.stringify(next, null, 2), 0o644)
    await recordAction(deps, {action: 'site deploy', target, outcome: 'applied', detail: `release ${id}`})
    return {...view(next, id, host.tls), status: 'deployed', ...totals}
  } catch (error) {
    await recordAction(deps, {
      action: 'site deploy',
      target,
      outcome: 'failed',
      detail: (error as Error).message,
    }).catch(() => undefined)
    throw error
  } finally {
    await lock.release()
  }
}

export async function siteList(deps: Pick<LifecycleDeps, 'session'>, filter: {tenant?: string}): Promise<SiteView[]> {
  const shell = await deps.session.shell()
  const tenants = filter.tenant ? [filter.tenant] : ((await shell.listDir(SITES_ROOT)) ?? [])
  const sites: SiteView[] = []
  for (const tenant of tenants.sort()) {
    for (const name of ((await shell.listDir(`${SITES_ROOT}/${tenant}`)) ?? []).sort()) {
      let ref: InstanceRef
      try {
        ref = instanceRef(tenant, name)
      } catch {
        continue
      }
      const record = await readRecord(shell, ref)
      if (record) sites.push(view(record, await currentRelease(shell, ref), deps.session.host.tls))
    }
  }
  return sites
}

async function requireSite(shell: HostShell, ref: InstanceRef, host: string): Promise<SiteRecord> {
  const record = await readRecord(shell, ref)
  if (!record)
    throw new AimsError('not-found', `no site ${formatInstanceRef(ref)} on ${host}`, {hint: 'see aims site ls'})
  return record
}

export interface SiteChangeResult extends SiteView {
  status: 'done' | 'dry-run'
  plan: Plan
}

export async function siteRollback(deps: LifecycleDeps, ref: InstanceRef, to?: string): Promise<SiteChangeResult> {
  const shell = await deps.session.shell()
  const host = deps.session.host
  const target = formatInstanceRef(ref)
  const record = await requireSite(shell, ref, host.name)
  const current = await currentRelease(shell, ref)
  const index = record.releases.findIndex((release) => release.id === current)
  const wanted = to ?? (index > 0 ? record.releases[index - 1]!.id : undefined)
  if (!wanted || !record.releases.some((release) => release.id === wanted))
    throw new AimsError(
      'usage',
      to
        ? `the site ${target} has no release ${to}`
        : `the site ${target} has no release before ${current ?? 'the current one'}`,
      {hint: `releases: ${record.releases.map((release) => release.id).join(', ') || 'none'} (aims site ls)`},
    )
  const plan: Plan = {
    action: 'site-rollback',
    summary: `Serve release ${wanted} of the site ${target} on ${host.name}`,
    host: host.name,
    target,
    destructive: false,
    facts: [
      {label: 'current', value: current ?? 'none'},
      {label: 'to', value: wanted},
    ],
    changes: [{action: 'update', kind: 'site', name: target, detail: `serve release ${wanted} (atomic switch)`}],
    gates: [],
  }
  if ((await passGate(plan, deps.approver)) === 'dry-run')
    return {...view(record, current, host.tls), status: 'dry-run', plan}
  const lock = await lockSite(deps, ref)
  try {
    deps.progress({step: 'switch', message: `switching ${target} to release ${wanted}`})
    await switchTo(shell, ref, wanted)
  } finally {
    await lock.release()
  }
  await recordAction(deps, {action: 'site rollback', target, outcome: 'applied', detail: `release ${wanted}`})
  return {...view(record, wanted, host.tls), status: 'done', plan}
}

export async function siteRemove(deps: LifecycleDeps, ref: InstanceRef): Promise<SiteChangeResult> {
  const shell = await deps.session.shell()
  const host = deps.session.host
  const target = formatInstanceRef(ref)
  const record = await requireSite(shell, ref, host.name)
  const current = await currentRelease(shell, ref)
  const plan: Plan = {
    action: 'site-rm',
    summary: `Remove the site ${target} and its ${record.releases.length} releases from ${host.name}`,
    host: host.name,
    target,
    destructive: true,
    confirmWord: ref.instance,
    facts: [{label: 'url', value: `http://${record.domain}/`}],
    changes: [
      {action: 'remove', kind: 'proxy-conf', name: siteConfFile(ref.tenant, ref.instance)},
      {action: 'remove', kind: 'site', name: siteDir(ref.tenant, ref.instance), detail: 'every release'},
    ],
    gates: [],
  }
  if ((await passGate(plan, deps.approver)) === 'dry-run')
    return {...view(record, current, host.tls), status: 'dry-run', plan}
  const lock = await lockSite(deps, ref)
  try {
    await withNginxLock(deps, () =>
      removePlugConf(shell, {
        confDir: host.nginxConfDir,
        fileName: siteConfFile(ref.tenant, ref.instance),
        owner: {tenant: ref.tenant, instance: ref.instance},
      }),
    )
    await must(shell, ['rm', '-rf', '--', siteDir(ref.tenant, ref.instance)], 'removing the site files')
  } finally {
    await lock.release()
  }
  await recordAction(deps, {
    action: 'site rm',
    target,
    outcome: 'applied',
    detail: `${record.releases.length} releases`,
  })
  return {...view(record, current, host.tls), status: 'done', plan}
}
