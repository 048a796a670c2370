// The bundle renderer for every real catalog plug and every fixture plug: the
// files are parsed back (YAML, dotenv) and checked against the catalog entry,
// not against snapshots.
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parse as parseYaml} from 'yaml'
import {describe, expect, it} from 'vitest'
import type {Plug} from '../../../../src/core/catalog/schema.js'
import {DEFAULT_SERVICE_RESOURCES, sizeToBytes} from '../../../../src/core/catalog/cost.js'
import {BUILTIN_VARIABLES, dependencyCondition, entryService, parsePlug} from '../../../../src/core/catalog/validate.js'
import {AimsError} from '../../../../src/core/errors.js'
import {composeMemory} from '../../../../src/core/export/encode.js'
import {
  buildBundleModel,
  CHARSET_TR_SETS,
  DEFAULT_BUNDLE_PORT,
  type InstanceExport,
} from '../../../../src/core/export/model.js'
import {
  BUNDLE_FILE,
  BUNDLE_TEMPLATES,
  connectionUpgradeMap,
  PLUG_EXPORT_TENANT,
  renderBundle,
  type BundleFile,
  type BundleTemplates,
} from '../../../../src/core/export/render.js'
import {
  proxySettingsFor,
  renderIncludeConf,
  renderPlugConf,
  SERVER_NAME_PLACEHOLDER,
} from '../../../../src/core/proxy/plug-conf.js'

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url))
const TEMPLATES = Object.fromEntries(
  Object.entries(BUNDLE_TEMPLATES).map(([key, name]) => [key, readFileSync(join(ROOT, 'templates', name), 'utf8')]),
) as BundleTemplates
const EXPORTED_AT = new Date('2026-01-02T03:04:05Z')

function plugsIn(dir: string): Array<[string, Plug]> {
  return readdirSync(join(ROOT, dir))
    .filter((name) => name.endsWith('.yaml'))
    .sort()
    .map((name) => [
      name.replace(/\.yaml$/, ''),
      parsePlug(readFileSync(join(ROOT, dir, name), 'utf8'), name, name.replace(/\.yaml$/, '')),
    ])
}
const REAL = plugsIn('plugs-catalog')
const FIXTURES = plugsIn('test/fixtures/plugs')

const render = (plug: Plug, instance?: InstanceExport) =>
  renderBundle(
    TEMPLATES,
    buildBundleModel({plug, ...(instance ? {instance} : {}), exportedAt: EXPORTED_AT, aimsVersion: '9.9.9'}),
  )
const file = (files: BundleFile[], path: string) => {
  const found = files.find((candidate) => candidate.path === path)
  if (!found) throw new Error(`no ${path} in the bundle (${files.map((candidate) => candidate.path).join(', ')})`)
  return found.content
}

/** KEY → value of a .env file, with the quoting rules both Compose versions share. */
function parseDotenv(text: string): Map<string, string> {
  const values = new Map<string, string>()
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line)
    if (!match) throw new Error(`not a KEY=value line: ${JSON.stringify(line)}`)
    const raw = match[2]!
    values.set(match[1]!, raw.startsWith("'") && raw.endsWith("'") && raw.length >= 2 ? raw.slice(1, -1) : raw)
  }
  return values
}

const unescapeDollars = (value: string) => value.replace(/\$\$/g, '$')
/** Compose references in a value (`$$` is a literal dollar, not a reference). */
const composeReferences = (value: string) =>
  [...value.replace(/\$\$/g, '').matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((match) => match[1]!)

type ComposeService = {
  image: string
  environment?: Record<string, string>
  ports?: string[]
  expose?: string[]
  volumes?: string[]
  depends_on?: Record<string, {condition: string}>
  healthcheck?: {test: string[]; interval: string; timeout: string; retries: number; start_period: string}
  restart: string
  init: boolean
  mem_limit: string
  cpus: number
  command?: string[]
  entrypoint?: string[]
  stop_grace_period?: string
  user?: string
}

describe.each([...REAL, ...FIXTURES])('the bundle of %s', (id, plug) => {
  const files = render(plug)
  const compose = parseYaml(file(files, BUNDLE_FILE.compose)) as {
    services: Record<string, ComposeService>
    volumes?: Record<string, unknown>
    version?: string
  }
  const env = parseDotenv(file(files, BUNDLE_FILE.envExample))
  const entry = entryService(plug)

  it('runs the same services with the same images, commands, limits and policies', () => {
    expect(compose.version, 'no version key: both Compose versions read the Compose spec').toBeUndefined()
    expect(Object.keys(compose.services).sort()).toEqual(Object.keys(plug.services).sort())
    for (const [name, service] of Object.entries(plug.services)) {
      const out = compose.services[name]!
      expect(out.image).toBe(service.image)
      // A one-shot job (run: once) is never restarted: it would run a migration twice.
      expect(out.restart).toBe(service.run === 'once' ? 'no' : 'unless-stopped')
      expect(out.init).toBe(true)
      expect(out.mem_limit).toBe(
        composeMemory(sizeToBytes(service.resources.memory ?? DEFAULT_SERVICE_RESOURCES.memory)),
      )
      expect(out.cpus).toBe(service.resources.cpus ?? DEFAULT_SERVICE_RESOURCES.cpus)
      // Commands read their own $VARs in the container: Compose must not interpolate them.
      expect(out.command?.map(unescapeDollars)).toEqual(service.command)
      expect(out.entrypoint?.map(unescapeDollars)).toEqual(service.entrypoint)
      for (const part of [...(out.command ?? []), ...(out.entrypoint ?? [])])
        expect(composeReferences(part)).toEqual([])
      expect(out.stop_grace_period).toBe(service.stop_grace_seconds ? `${service.stop_grace_seconds}s` : undefined)
      expect(out.user).toBe(service.user)
    }
  })

  it('publishes the entry port on 127.0.0.1:${PORT} only, and exposes the others', () => {
    for (const [name, service] of Object.entries(plug.services)) {
      const out = compose.services[name]!
      if (name === entry.name) expect(out.ports).toEqual([`127.0.0.1:\${PORT}:${entry.port}`])
      else expect(out.ports).toBeUndefined()
      expect((out.expose ?? []).map(Number)).toEqual(service.ports)
    }
    expect(env.get('PORT')).toBe(String(DEFAULT_BUNDLE_PORT))
    expect(env.get('COMPOSE_PROJECT_NAME')).toBe(id)
  })

  it('passes env by reference to .env, built-ins included, and declares every variable it references', () => {
    for (const [name, service] of Object.entries(plug.services)) {
      const out = compose.services[name]!.environment ?? {}
      expect(Object.keys(out).sort()).toEqual(Object.keys(service.env).sort())
      for (const [key, value] of Object.entries(service.env)) {
        const declared = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(value)?.[1]
        if (declared && plug.env[declared]) expect(out[key], `${name}.${key}`).toBe(`\${${declared}}`)
        if (value === '${AIMS_URL}') expect(out[key]).toBe('${PUBLIC_URL}')
        if (value === '${AIMS_HOST}') expect(out[key]).toBe('${PUBLIC_HOST}')
        if (!value.includes('$')) expect(out[key], `${name}.${key} is literal`).toBe(value)
        // No built-in survives as such: each became a bundle variable or a fixed value.
        for (const reference of composeReferences(out[key]!))
          expect(BUILTIN_VARIABLES as readonly string[]).not.toContain(reference)
      }
    }
    const references = Object.values(compose.services).flatMap((service) =>
      [...Object.values(service.environment ?? {}), ...(service.ports ?? [])].flatMap(composeReferences),
    )
    for (const reference of references) expect(env.has(reference), `.env.example declares ${reference}`).toBe(true)
    for (const key of Object.keys(plug.env)) expect(env.has(key), `.env.example has ${key}`).toBe(true)
  })

  it('keeps every secret out of the files: placeholders that setup.sh fills or the user sets', () => {
    const setup = file(files, BUNDLE_FILE.setup)
    for (const [key, spec] of Object.entries(plug.env)) {
      if (!spec.secret && !spec.generate) continue
      expect(env.get(key), `${key} is an empty placeholder`).toBe('')
      if (spec.generate)
        expect(setup).toContain(
          `generate_secret ${key} ${spec.generate.length} '${CHARSET_TR_SETS[spec.generate.charset]}'`,
        )
      else expect(setup).not.toContain(`generate_secret ${key} `)
      if (spec.required) expect(setup).toContain(`missing+=(${key})`)
    }
    for (const [key, spec] of Object.entries(plug.env)) {
      if (!spec.secret && !spec.generate && spec.default !== undefined)
        expect(env.get(key), `${key} has its default`).toBe(spec.default)
    }
  })

  it('translates the health checks and the dependency conditions', () => {
    for (const [name, service] of Object.entries(plug.services)) {
      const out = compose.services[name]!
      const health = service.health
      if (!health || health.type === 'docker') {
        expect(out.healthcheck).toBeUndefined()
      } else {
        const check = out.healthcheck!
        expect(check.retries).toBe(3)
        expect(check.interval).toMatch(/^\d+s$/)
        expect(check.start_period).toBe(
          `${Math.max(1, Math.ceil(plug.health_gate.retries * plug.health_gate.interval_seconds))}s`,
        )
        if (health.type === 'command') {
          expect(check.test[0]).toBe('CMD')
          expect(check.test.slice(1).map(unescapeDollars)).toEqual(health.command)
        } else {
          expect(check.test[0]).toBe('CMD-SHELL')
          const port = health.port ?? (name === entry.name ? entry.port : 80)
          const script = unescapeDollars(check.test[1]!)
          if (health.type === 'http') {
            expect(script).toContain(`u=http://127.0.0.1:${port}${health.path};`)
            for (const tool of ['wget', 'curl', 'node', 'python3', 'bash'])
              expect(script).toContain(`command -v ${tool} `)
          } else {
            expect(script).toContain(`/dev/tcp/127.0.0.1/$1"' probe ${port}`)
          }
          // Compose would interpolate a single $: every one is doubled.
          expect(composeReferences(check.test[1]!)).toEqual([])
          expect(check.test[1]!.replace(/\$\$/g, '')).not.toContain('$')
        }
      }
      const conditions = Object.fromEntries(
        Object.entries(out.depends_on ?? {}).map(([dependency, value]) => [dependency, value.condition]),
      )
      expect(conditions).toEqual(
        Object.fromEntries(
          Object.entries(service.depends_on).map(([dependency, condition]) => [
            dependency,
            {started: 'service_started', healthy: 'service_healthy', completed: 'service_completed_successfully'}[
              dependencyCondition(condition)
            ],
          ]),
        ),
      )
    }
  })

  it('mounts every volume as a named volume', () => {
    const volumes = Object.values(plug.services).flatMap((service) => service.volumes)
    // A volume shared by several services is declared once.
    expect(Object.keys(compose.volumes ?? {}).sort()).toEqual([...new Set(volumes.map((volume) => volume.name))].sort())
    for (const [name, service] of Object.entries(plug.services))
      expect(compose.services[name]!.volumes ?? []).toEqual(
        service.volumes.map((volume) => `${volume.name}:${volume.path}`),
      )
  })

  it('writes nginx.conf with the live proxy renderer (HTTP entries only), and the map it needs', () => {
    const nginx = files.find((candidate) => candidate.path === BUNDLE_FILE.nginx)
    const map = files.find((candidate) => candidate.path === BUNDLE_FILE.nginxMap)
    if (entry.protocol === 'tcp') {
      expect(nginx).toBeUndefined()
      expect(map).toBeUndefined()
      return
    }
    const expected = renderPlugConf(TEMPLATES.plugConf, {
      tenant: PLUG_EXPORT_TENANT,
      instance: id,
      plug: id,
      serverNames: [SERVER_NAME_PLACEHOLDER],
      upstreams: [{host: '127.0.0.1', port: DEFAULT_BUNDLE_PORT}],
      proxy: proxySettingsFor(plug.proxy),
    })
    expect(nginx?.content).toBe(expected)
    expect(nginx?.content).toContain(`server_name ${SERVER_NAME_PLACEHOLDER};`)
    expect(nginx?.content).toContain(`server 127.0.0.1:${DEFAULT_BUNDLE_PORT};`)
    expect(nginx?.content).toContain(`upstream aims_export_${id} {`)
    expect(Boolean(map)).toBe(plug.proxy.websockets)
  })

  it('gives scripts mode 0755 and the rest 0644, and a README that explains the bundle', () => {
    expect(files.map((candidate) => [candidate.path, candidate.mode.toString(8)])).toEqual([
      ['docker-compose.yml', '644'],
      ['.env.example', '644'],
      ['setup.sh', '755'],
      ['healthcheck.sh', '755'],
      ...(entry.protocol === 'http'
        ? [['nginx.conf', '644'], ...(plug.proxy.websockets ? [['nginx-map.conf', '644']] : [])]
        : []),
      ['README.md', '644'],
    ])
    const readme = file(files, BUNDLE_FILE.readme)
    expect(readme).toContain(plug.description.replace(/\s+/g, ' ').trim())
    expect(readme).toMatch(/does not need aims/)
    for (const section of [
      '## Requirements',
      '## Steps',
      '## Services and ports',
      '## Upgrading',
      '## Backing up',
      '## Stopping and removing',
    ])
      expect(readme).toContain(section)
    expect(readme).toContain('docker compose down -v')
    for (const service of Object.values(plug.services)) expect(readme).toContain(service.image)
    for (const script of [file(files, BUNDLE_FILE.setup), file(files, BUNDLE_FILE.healthcheck)]) {
      expect(script.startsWith('#!/usr/bin/env bash\n')).toBe(true)
      expect(script).toContain('\nset -euo pipefail\n')
    }
  })
})

describe('the connection upgrade map', () => {
  it('is the map of the live include file, verbatim', () => {
    const map = connectionUpgradeMap()
    const body = map.slice(map.indexOf('map '))
    expect(renderIncludeConf('/etc/nginx/conf.d/plugs')).toContain(body.trimEnd())
    expect(body).toMatch(/^map \$http_upgrade \$aims_connection_upgrade \{\n {4}default upgrade;\n {4}'' {6}'';\n\}\n$/)
  })
})

describe('built-ins and name clashes', () => {
  const base = FIXTURES.find(([id]) => id === 'fixture-web')![1]
  const withEnv = (env: Record<string, string>, specs: Record<string, unknown> = {}) =>
    parsePlug(
      JSON.stringify({...base, services: {web: {...base.services.web, env}}, env: {...base.env, ...specs}}),
      'clash.yaml',
    )

  it('maps AIMS_URL, AIMS_HOST and AIMS_PORT to bundle variables and fixes the identity values', () => {
    const plug = withEnv({
      URL: '${AIMS_URL}/x',
      HOST: '${AIMS_HOST}',
      P: '${AIMS_PORT}',
      WHO: '${AIMS_TENANT}/${AIMS_INSTANCE}/${AIMS_PLUG}',
      DOM: '${AIMS_DOMAIN}',
    })
    const files = render(plug)
    const web = (parseYaml(file(files, BUNDLE_FILE.compose)) as {services: Record<string, ComposeService>}).services
      .web!
    expect(web.environment).toEqual({
      URL: '${PUBLIC_URL}/x',
      HOST: '${PUBLIC_HOST}',
      P: '${PORT}',
      WHO: 'default/fixture-web/fixture-web',
      DOM: '${DOMAIN}',
    })
    const env = parseDotenv(file(files, BUNDLE_FILE.envExample))
    expect([...env.keys()]).toEqual([
      'COMPOSE_PROJECT_NAME',
      'PORT',
      'PUBLIC_URL',
      'PUBLIC_HOST',
      'DOMAIN',
      'GREETING',
      'APP_SECRET',
    ])
    expect(file(files, BUNDLE_FILE.setup)).toContain('fill_value PUBLIC_HOST "$public_host"')
  })

  it('renames its own variables when the plug already uses the name', () => {
    const plug = withEnv(
      {A: '${PORT}', B: '${AIMS_PORT}', C: '${AIMS_URL}'},
      {PORT: {description: 'the app port', default: '9000'}, PUBLIC_URL: {description: 'x', default: 'y'}},
    )
    const files = render(plug)
    const web = (parseYaml(file(files, BUNDLE_FILE.compose)) as {services: Record<string, ComposeService>}).services
      .web!
    expect(web.environment).toEqual({A: '${PORT}', B: '${BUNDLE_PORT}', C: '${BUNDLE_PUBLIC_URL}'})
    expect(web.ports).toEqual(['127.0.0.1:${BUNDLE_PORT}:8080'])
    const env = parseDotenv(file(files, BUNDLE_FILE.envExample))
    expect(env.get('PORT')).toBe('9000')
    expect(env.get('BUNDLE_PORT')).toBe(String(DEFAULT_BUNDLE_PORT))
    expect(file(files, BUNDLE_FILE.setup)).toContain('port="$(env_value BUNDLE_PORT)"')
  })

  it('keeps literal dollars literal and refuses variables Compose reserves', () => {
    const files = render(withEnv({PRICE: 'costs $5 or ${GREETING}$'}))
    const web = (parseYaml(file(files, BUNDLE_FILE.compose)) as {services: Record<string, ComposeService>}).services
      .web!
    expect(web.environment!.PRICE).toBe('costs $$5 or ${GREETING}$$')
    expect(() => render(withEnv({}, {COMPOSE_FILE: {description: 'nope', default: 'x'}}))).toThrow(
      /Docker Compose reads from .env/,
    )
  })
})

describe('hostile catalog text', () => {
  const base = FIXTURES.find(([id]) => id === 'fixture-web')![1]
  const hostile = parsePlug(
    JSON.stringify({
      ...base,
      name: "x'\n$(touch /tmp/pwned)",
      description: 'line one\nrm -rf / # {{title}} | pipe',
      notes: 'a\u0007bell\nand `ticks`',
      services: {
        web: {
          ...base.services.web,
          command: ['sh', '-c', 'echo "$HOME" ${NOT_A_VAR}'],
          env: {Q: 'it\'s "quoted"\n', ON: 'yes', y: 'n'},
          health: {type: 'http', path: "/it's"},
        },
      },
      env: {...base.env, GREETING: {...base.env.GREETING, default: "it's \\ odd"}},
    }),
    'hostile.yaml',
  )

  it('cannot break out of a YAML scalar, a comment, a dotenv line or a shell word', () => {
    const files = render(hostile)
    const compose = parseYaml(file(files, BUNDLE_FILE.compose)) as {services: Record<string, ComposeService>}
    const web = compose.services.web!
    expect(web.environment).toEqual({Q: 'it\'s "quoted"\n', ON: 'yes', y: 'n'})
    expect(web.command!.map(unescapeDollars)).toEqual(['sh', '-c', 'echo "$HOME" ${NOT_A_VAR}'])
    expect(unescapeDollars(web.healthcheck!.test[1]!)).toContain(`u='http://127.0.0.1:8080/it'\\''s';`)
    for (const candidate of files) {
      for (const line of candidate.content.split('\n')) {
        expect(line.startsWith('$(touch'), `${candidate.path}: ${line}`).toBe(false)
        expect(line.startsWith('rm -rf'), `${candidate.path}: ${line}`).toBe(false)
      }
      expect(candidate.content).not.toContain('\u0007')
    }
    // The value .env cannot carry the same way in every Compose version is left for the user.
    const env = file(files, BUNDLE_FILE.envExample)
    expect(env).toMatch(/# Not exported: the value holds a quote, a backslash or a line break[^\n]*\nGREETING=\n/)
    expect(file(files, BUNDLE_FILE.setup)).toContain(`info 'x'\\'' $(touch /tmp/pwned)' is up.`)
  })

  it('refuses a value with a line break that reached a template unencoded', () => {
    const templates = {...TEMPLATES, envExample: '{{origin}}\n{{#variables}}{{line}}\n{{/variables}}'}
    const model = buildBundleModel({plug: base, exportedAt: EXPORTED_AT, aimsVersion: '9.9.9'})
    model.variables[0]!.key = 'A\nB'
    expect(() => renderBundle(templates, model)).toThrow(AimsError)
  })
})

describe('an instance export', () => {
  const stack = FIXTURES.find(([id]) => id === 'fixture-stack')![1]
  const instance: InstanceExport = {
    tenant: 'acme',
    instance: 'shop',
    host: 'vps',
    settings: {},
    secretVariables: [],
    withheld: {},
    extraSecretKeys: ['EXTRA_TOKEN'],
    images: {front: 'aims-fixture/web:2'},
    resources: {front: {cpus: 1.5, memoryBytes: 256 * 1024 ** 2}},
    hostPort: 51_234,
    url: 'https://shop.acme.example.com',
    plugVersion: '1',
  }
  const files = render(stack, instance)
  const compose = parseYaml(file(files, BUNDLE_FILE.compose)) as {services: Record<string, ComposeService>}
  const env = parseDotenv(file(files, BUNDLE_FILE.envExample))

  it('uses the instance identity, port, images and limits', () => {
    expect(env.get('COMPOSE_PROJECT_NAME')).toBe('acme-shop')
    expect(env.get('PORT')).toBe('51234')
    expect(compose.services.front!.environment!.GREETING).toBe('front of shop')
    expect(compose.services.front!.image).toBe('aims-fixture/web:2')
    expect(compose.services.backend!.image).toBe('aims-fixture/web:1')
    expect(compose.services.front!.cpus).toBe(1.5)
    expect(compose.services.front!.mem_limit).toBe('256m')
    expect(file(files, BUNDLE_FILE.nginx)).toContain('server 127.0.0.1:51234;')
    expect(file(files, BUNDLE_FILE.nginx)).toContain('# aims-owner: acme/shop')
    expect(file(files, BUNDLE_FILE.envExample)).toContain('# On aims the instance had: https://shop.acme.example.com')
  })

  it('passes undeclared secrets to every service by reference, with an empty placeholder', () => {
    expect(env.get('EXTRA_TOKEN')).toBe('')
    for (const service of Object.values(compose.services))
      expect(service.environment!.EXTRA_TOKEN).toBe('${EXTRA_TOKEN}')
    expect(file(files, BUNDLE_FILE.readme)).toMatch(
      /exported from a running instance: its non-secret settings are filled in, its secrets are not/,
    )
  })
})
