/**
 * `aims build SOURCE`: a directory, a git repository or a description becomes a verified, running
 * instance. Steps: source → context (.dockerignore, size limit, secret scan) → plan and the gate →
 * build on the host's engine (the tar goes over the one SSH connection; the engine's cache is
 * reused) → verify (the container starts, answers its health path, shows what was asked, passes the
 * template's tests) → a custom plug in the user's catalog → plug up (the same plan, gate, health gate,
 * routes and audit as any plug). Failed verification deploys nothing (exit 4).
 */
import {parsePlug} from '../core/catalog/validate.js'
import {createHash} from 'node:crypto'
import {GENERATED_DOCKERFILE, detectStack, type DetectedStack} from '../core/build/stacks.js'
import {scanForSecrets} from '../core/build/context-rules.js'
import {describeIntent, intentValues, type AppIntent} from '../core/build/describe.js'
import type {BuildRequest} from '../core/build/request.js'
import {packTar, type TarEntry} from '../core/build/tar.js'
import {LABEL} from '../core/engine-types.js'
import {AimsError, ExitCode} from '../core/errors.js'
import {formatBytes, formatInstanceRef} from '../core/names.js'
import type {Plan} from '../core/plan/plan.js'
import {validatePlugUpOptions} from '../core/plan/requests.js'
import {renderTemplate, type TemplateContext} from '../core/proxy/template.js'
import {sanitizeUntrusted} from '../core/text/sanitize.js'
import type {SourceOpener, UserCatalog} from './build-ports.js'
import type {CatalogSource} from './catalog-port.js'
import {passGate} from './gate.js'
import {httpGet} from './health.js'
import {plugUp, type PlugUpDeps, type PlugUpResult} from './plug-up.js'
import {plugDown} from './plug-manage.js'
import {recordAction} from './record-action.js'

export interface BuildDeps extends PlugUpDeps {
  sources: SourceOpener
  userCatalog: UserCatalog
  readTemplate: (name: string) => Promise<string>
  /** Context size limit (bytes); default CONTEXT_LIMIT_BYTES. */
  contextLimitBytes?: number | undefined
}

export interface VerifyCheck {
  check: 'build' | 'start' | 'health' | 'content' | 'tests' | 'secrets'
  ok: boolean
  detail: string
}

export interface BuildResult {
  status: 'ready' | 'built' | 'dry-run'
  instance: string
  source: {kind: BuildRequest['source']['kind']; from: string; commit?: string}
  stack: DetectedStack['stack']
  image: string
  digest: string
  context: {files: number; bytes: number; ignored: number}
  /** The files a description became (shown before anything was built). */
  generated?: string[]
  /** Where the generated files were kept (--out). */
  out?: string
  build?: {durationMs: number; steps: number; cachedSteps: number}
  verify: VerifyCheck[]
  plugFile?: string
  deploy?: PlugUpResult
  plan: Plan
  durationMs: number
}

const VERIFY_BUDGET_MS = 30_000

export async function buildApp(deps: BuildDeps, request: BuildRequest): Promise<BuildResult> {
  const started = deps.clock.now().getTime()
  const target = formatInstanceRef(request.ref)
  const cleanups: Array<() => Promise<void>> = []
  const builtin = await deps.catalog.find(request.ref.instance)
  if (builtin?.source === 'builtin')
    throw new AimsError('usage', `the catalog already has a plug ${request.ref.instance}`, {
      hint: 'pass --name with another name for your app',
    })
  try {
    const material = await materialize(deps, request, cleanups)
    const dir = await deps.sources.dir(material.dir)
    const names = await dir.names()
    const small = new Map<string, string | undefined>()
    for (const name of ['package.json', 'requirements.txt'])
      if (names.has(name)) small.set(name, await dir.readSmall(name))
    const stack = detectStack(names, (name) => small.get(name))
    const files = await dir.read({
      extraIgnore: stack.defaultIgnore,
      ...(deps.contextLimitBytes ? {limitBytes: deps.contextLimitBytes} : {}),
    })
    const entries = [...files.entries]
    if (stack.template) {
      const dockerfile = renderTemplate(await deps.readTemplate(stack.template.name), stack.template.values, {
        templateName: stack.template.name,
      })
      entries.push(generatedFile(GENERATED_DOCKERFILE, dockerfile))
      // The engine drops the Dockerfile and .dockerignore it reads when .dockerignore lists them.
      const ignore = entries.find((entry) => entry.path === '.dockerignore')
      const text = `${ignore?.content?.toString('utf8') ?? ''}\n${GENERATED_DOCKERFILE}\n.dockerignore\n`
      if (ignore) ignore.content = Buffer.from(text)
      else entries.push(generatedFile('.dockerignore', text))
    }
    const context = packTar(entries)
    const digest = createHash('sha256').update(context).digest('hex')
    const image = `aims-build/${request.ref.tenant}-${request.ref.instance}:${digest.slice(0, 12)}`
    const secrets = scanForSecrets(
      files.entries
        .filter((entry) => entry.type === 'file')
        .map((entry) => ({path: entry.path, content: entry.content!})),
    )
    const engine = await deps.session.engine()
    const existing = await engine.listContainers({
      all: true,
      labels: {[LABEL.managed]: 'true', [LABEL.tenant]: request.ref.tenant, [LABEL.instance]: request.ref.instance},
    })
    const plan = buildPlan(deps, request, {
      material,
      stack,
      image,
      files,
      secrets,
      replaces: existing.length > 0,
    })
    const base = {
      instance: target,
      source: material.source,
      stack: stack.stack,
      image,
      digest: `sha256:${digest}`,
      context: {
        files: files.entries.filter((entry) => entry.type === 'file').length,
        bytes: files.bytes,
        ignored: files.ignored,
      },
      ...(material.generated ? {generated: material.generated} : {}),
      ...(material.out ? {out: material.out} : {}),
      plan,
    }
    if ((await passGate(plan, deps.approver)) === 'dry-run')
      return {...base, status: 'dry-run', verify: [], durationMs: deps.clock.now().getTime() - started}

    const verify: VerifyCheck[] = [{check: 'secrets', ok: true, detail: 'no keys or tokens in the build context'}]
    const buildStarted = deps.clock.now().getTime()
    deps.progress({step: 'build', message: `sending ${formatBytes(context.length)} to ${deps.session.host.name}`})
    let built
    try {
      built = await engine.buildImage(
        context,
        {
          tag: image,
          ...(stack.template ? {dockerfile: GENERATED_DOCKERFILE} : {}),
          // One label: the engine adds each as a build step of its own, and a step after the changed
          // COPY is never cached (the tag already names the tenant, the instance and the digest).
          labels: {[LABEL.buildSource]: material.source.kind},
        },
        (line) => deps.progress({step: 'build', message: sanitizeUntrusted(line.text).slice(0, 200)}),
      )
    } catch (error) {
      await audit(deps, target, 'failed', (error as Error).message)
      throw error
    }
    const build = {
      durationMs: deps.clock.now().getTime() - buildStarted,
      steps: built.steps,
      cachedSteps: built.cachedSteps,
    }
    verify.push({check: 'build', ok: true, detail: `${built.steps} steps, ${built.cachedSteps} from the cache`})
    verify.push(...(await verifyImage(deps, request, image, stack, material.intent)))
    const plug = builtPlugYaml(request, image, stack, material)
    const plugFile = await deps.userCatalog.write(request.ref.instance, plug.yaml)
    if (request.noDeploy) {
      await audit(deps, target, 'applied', `built ${image} (not deployed)`)
      return {...base, status: 'built', build, verify, plugFile, durationMs: deps.clock.now().getTime() - started}
    }
    if (existing.length > 0) {
      deps.progress({step: 'replace', message: `replacing the running ${target}`})
      await plugDown({...deps, approver: approved}, request.ref, {keepData: true})
    }
    const deploy = await plugUp(
      {...deps, catalog: withPlug(deps.catalog, request.ref.instance, plug.parsed, plugFile)},
      validatePlugUpOptions({
        plug: request.ref.instance,
        tenant: request.ref.tenant,
        name: request.ref.instance,
        env: [],
        expose: false,
        links: [],
      }),
    )
    // The replaced build's image is no longer used (the engine keeps its layers for the cache).
    for (const previous of new Set(existing.map((container) => container.image)))
      if (previous !== image && previous.startsWith('aims-build/'))
        await engine.removeImage(previous).catch(() => undefined)
    await audit(deps, target, 'applied', `built ${image} from ${material.source.kind} and deployed it`)
    return {...base, status: 'ready', build, verify, plugFile, deploy, durationMs: deps.clock.now().getTime() - started}
  } finally {
    for (const cleanup of cleanups) await cleanup().catch(() => undefined)
  }
}

/** The build plan was approved: the replace it announced needs no second question. */
const approved = {show: () => undefined, decide: async () => 'apply' as const}

interface Material {
  dir: string
  source: BuildResult['source']
  intent?: AppIntent
  generated?: string[]
  out?: string
}

async function materialize(deps: BuildDeps, request: BuildRequest, cleanups: Array<() => Promise<void>>) {
  const {source} = request
  if (source.kind === 'dir') return {dir: source.path, source: {kind: 'dir' as const, from: source.path}} as Material
  if (source.kind === 'git') {
    deps.progress({step: 'clone', message: `cloning ${source.url}`})
    const clone = await deps.sources.gitClone(source.url, source.ref)
    cleanups.push(clone.cleanup)
    return {dir: clone.dir, source: {kind: 'git' as const, from: source.url, commit: clone.commit}} as Material
  }
  const intent = describeIntent(source.text)
  const files = await renderDescribedApp(deps, intent)
  const written = await deps.sources.writeFiles(files, request.out)
  if (!request.out) cleanups.push(written.cleanup)
  return {
    dir: written.dir,
    source: {kind: 'description' as const, from: source.text},
    intent,
    generated: files.map((file) => file.path),
    ...(request.out ? {out: written.dir} : {}),
  } as Material
}

const APP_FILES: Record<AppIntent['stack'], string[]> = {
  static: ['index.html'],
  node: ['index.html', 'server.js', 'package.json'],
  python: ['index.html', 'app.py', 'requirements.txt'],
}

async function renderDescribedApp(deps: BuildDeps, intent: AppIntent): Promise<Array<{path: string; content: string}>> {
  const values = intentValues(intent) as TemplateContext
  const files: Array<{path: string; content: string}> = []
  for (const path of APP_FILES[intent.stack]) {
    const name = `stacks/${intent.stack}/app/${path}.tmpl`
    files.push({path, content: renderTemplate(await deps.readTemplate(name), values, {templateName: name})})
  }
  return files
}

function generatedFile(path: string, content: string): TarEntry {
  return {path, type: 'file', mode: 0o644, mtime: 946684800, content: Buffer.from(content)}
}

function buildPlan(
  deps: BuildDeps,
  request: BuildRequest,
  facts: {
    material: Material
    stack: DetectedStack
    image: string
    files: {bytes: number; ignored: number; entries: TarEntry[]}
    secrets: Array<{path: string; what: string}>
    replaces: boolean
  },
): Plan {
  const target = formatInstanceRef(request.ref)
  const host = deps.session.host.name
  const {material, stack, image, files, secrets} = facts
  const fileCount = files.entries.filter((entry) => entry.type === 'file').length
  return {
    action: 'build',
    summary: `Build ${material.source.kind === 'description' ? 'the described app' : material.source.from} and ${
      request.noDeploy ? 'verify it' : `deploy it as ${target}`
    } on ${host}`,
    host,
    target,
    destructive: false,
    facts: [
      {label: 'source', value: `${material.source.kind}: ${sanitizeUntrusted(material.source.from).slice(0, 120)}`},
      ...(material.source.commit ? [{label: 'commit', value: material.source.commit}] : []),
      {label: 'stack', value: `${stack.stack} (${stack.reason})${stack.template ? ', Dockerfile generated' : ''}`},
      ...(material.intent ? [{label: 'why', value: `${material.intent.stack}: ${material.intent.why}`}] : []),
      ...(material.generated ? [{label: 'files', value: material.generated.join(', ')}] : []),
      {label: 'context', value: `${fileCount} files, ${formatBytes(files.bytes)} (${files.ignored} ignored)`},
      {label: 'image', value: image},
      {label: 'built on', value: `${host} (the engine's build API, over the one SSH connection)`},
    ],
    changes: [
      {action: 'create', kind: 'image', name: image, detail: 'built on the host; its cache is reused'},
      {action: 'create', kind: 'container', name: 'a verification container', detail: 'removed after the checks'},
      {action: 'write', kind: 'catalog-entry', name: `${request.ref.instance}.yaml`, detail: 'in your catalog'},
      ...(facts.replaces
        ? [{action: 'remove' as const, kind: 'instance' as const, name: target, detail: 'the running build'}]
        : []),
      ...(request.noDeploy
        ? []
        : [{action: 'create' as const, kind: 'instance' as const, name: target, detail: 'plug up (its plan follows)'}]),
    ],
    gates: [
      secrets.length === 0
        ? {id: 'secrets', title: 'no secrets in the context', status: 'pass', detail: 'no keys, tokens or .env files'}
        : {
            id: 'secrets',
            title: 'no secrets in the context',
            status: 'fail',
            detail: secrets.map((finding) => `${finding.path} (${finding.what})`).join(', '),
            fix: 'list those files in .dockerignore (secrets belong in plug env, not in an image layer)',
            exitCode: ExitCode.badInput,
          },
    ],
  }
}

/**
 * The verification run: the image in a throwaway container on the engine's default bridge, with no
 * published port. It must keep running, answer its health path, show the facts the description
 * asked for, and pass the template's tests; then it is removed.
 */
async function verifyImage(
  deps: BuildDeps,
  request: BuildRequest,
  image: string,
  stack: DetectedStack,
  intent: AppIntent | undefined,
): Promise<VerifyCheck[]> {
  const engine = await deps.session.engine()
  const name = `aims-verify-${request.ref.tenant}-${request.ref.instance}-${deps.newId().slice(0, 8).toLowerCase()}`
  deps.progress({step: 'verify', message: `starting ${image} to verify it`})
  const checks: VerifyCheck[] = []
  const fail = async (check: VerifyCheck['check'], detail: string): Promise<never> => {
    const logs = await engine.logs(name, {tail: 30}).catch(() => [])
    await engine.removeContainer(name, {force: true}).catch(() => undefined)
    await engine.removeImage(image).catch(() => undefined)
    await audit(deps, formatInstanceRef(request.ref), 'failed', `verification failed: ${detail}`)
    throw new AimsError(
      'build',
      `${formatInstanceRef(request.ref)} failed verification (${check}): ${detail}; nothing was deployed`,
      {
        hint: 'see the log lines above; fix the app and build again',
        exitCode: ExitCode.unhealthy,
        details: {
          checks: [...checks, {check, ok: false, detail}],
          logs: logs.map((line) => sanitizeUntrusted(line.text)),
        },
      },
    )
  }
  await engine.createContainer({
    name,
    image,
    env: {PORT: String(stack.port)},
    labels: {'aims.build-verify': 'true', [LABEL.createdBy]: deps.actor, [LABEL.tenant]: request.ref.tenant},
    networks: [],
    ports: [],
    volumes: [],
    restartPolicy: 'no',
    init: true,
    memoryBytes: 512 * 1024 * 1024,
  })
  try {
    await engine.startContainer(name)
    const deadline = deps.clock.now().getTime() + VERIFY_BUDGET_MS
    let last = 'no answer yet'
    let delay = 50
    for (;;) {
      const details = await engine.inspectContainer(name)
      if (!details || details.state === 'exited' || details.state === 'dead')
        await fail(
          'start',
          `the container exited${details?.exitCode !== undefined ? ` (exit code ${details.exitCode})` : ''}`,
        )
      const ip = Object.values(details!.ips).find((address) => address !== '')
      if (ip) {
        try {
          const page = await httpGet(deps.session, ip, stack.port, stack.healthPath, {timeoutMs: 2000})
          if (page.status >= 200 && page.status < 400) {
            checks.push({check: 'start', ok: true, detail: 'the container keeps running'})
            checks.push({check: 'health', ok: true, detail: `HTTP ${page.status} on ${stack.healthPath}`})
            if (intent) {
              const missing = intent.expect.filter((fact) => !page.body.includes(fact))
              if (missing.length > 0)
                await fail('content', `the page does not show ${missing.map((m) => `"${m}"`).join(', ')}`)
              checks.push({
                check: 'content',
                ok: true,
                detail: `the page shows ${intent.expect.map((m) => `"${m}"`).join(', ')}`,
              })
            }
            break
          }
          last = `HTTP ${page.status} on ${stack.healthPath}`
        } catch (error) {
          last = (error as Error).message
        }
      }
      if (deps.clock.now().getTime() > deadline)
        await fail(
          'health',
          `no answer on port ${stack.port}${stack.healthPath} within ${VERIFY_BUDGET_MS / 1000} s (${last})`,
        )
      await deps.clock.sleep(delay)
      delay = Math.min(delay * 2, 1000)
    }
    if (stack.stack === 'node' && intent) {
      const test = await engine.execInContainer(name, ['npm', 'test', '--silent'])
      if (test.exitCode !== 0) await fail('tests', `npm test exited with ${test.exitCode}`)
      checks.push({check: 'tests', ok: true, detail: 'npm test passed'})
    }
  } finally {
    await engine.removeContainer(name, {force: true}).catch(() => undefined)
  }
  return checks
}

function builtPlugYaml(request: BuildRequest, image: string, stack: DetectedStack, material: Material) {
  const from = sanitizeUntrusted(material.source.from).replace(/\s+/g, ' ').slice(0, 200)
  const parsed = {
    id: request.ref.instance,
    name: (material.intent?.title ?? request.ref.instance).slice(0, 60),
    description: `Built by aims build from ${material.source.kind}: ${from}`.slice(0, 400),
    category: 'devtools' as const,
    tags: ['built', stack.stack],
    homepage: 'https://example.invalid/',
    license: 'proprietary',
    version: 1,
    tier: 'free' as const,
    size: 'xs' as const,
    services: {
      app: {
        image,
        command: undefined,
        env: {PORT: String(stack.port)},
        entry: {port: stack.port, protocol: 'http' as const},
        ports: [],
        volumes: [],
        depends_on: {},
        health: {type: 'http' as const, path: stack.healthPath},
        resources: {cpus: 0.5, memory: '256m'},
      },
    },
    env: {},
    health_gate: {retries: 30, interval_seconds: 1},
    proxy: {client_max_body_size: '10m', read_timeout_seconds: 60, websockets: true},
  }
  delete (parsed.services.app as {command?: unknown}).command
  const yaml = [
    `# Written by aims build: ${material.source.kind} ${JSON.stringify(from)}. Rebuilt by aims build; edits are lost.`,
    `id: ${parsed.id}`,
    `name: ${JSON.stringify(parsed.name)}`,
    `description: ${JSON.stringify(parsed.description)}`,
    `category: devtools`,
    `tags: [built, ${stack.stack}]`,
    `homepage: https://example.invalid/`,
    `license: proprietary`,
    `size: xs`,
    `services:`,
    `  app:`,
    `    image: ${image}`,
    `    env: {PORT: "${stack.port}"}`,
    `    entry: {port: ${stack.port}, protocol: http}`,
    `    health: {type: http, path: ${stack.healthPath}}`,
    `    resources: {cpus: 0.5, memory: 256m}`,
    `health_gate: {retries: 30, interval_seconds: 1}`,
    '',
  ].join('\n')
  // The plug as the catalog reads it (schema defaults such as v2's routes and files included), not a hand-made
  // object that would miss every field added to the schema later.
  return {yaml, parsed: parsePlug(yaml, `${parsed.id}.yaml`, parsed.id) as never}
}

/** The catalog plug up reads: the plug just written, whatever the catalog loaded before. */
function withPlug(catalog: CatalogSource, id: string, plug: never, file: string): CatalogSource {
  return {
    list: () => catalog.list(),
    issues: () => catalog.issues(),
    find: async (wanted) => (wanted === id ? {plug, file, source: 'extra'} : catalog.find(wanted)),
  }
}

async function audit(deps: BuildDeps, target: string, outcome: 'applied' | 'failed', detail: string) {
  await recordAction(deps, {action: 'build', target, outcome, detail}).catch(() => undefined)
}
