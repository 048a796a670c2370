// `catalog validate` over an in-memory file tree: each kind of broken entry is
// reported with the file, the field path and a fix, and nothing else is flagged.
import {describe, expect, it} from 'vitest'
import {stringify} from 'yaml'
import {validateCatalog, type CatalogFileReader} from '../../../src/services/catalog.js'
import {renderValidationIssues, validationSummary} from '../../../src/ui/present/catalog.js'

/** A file tree in memory; reading anything else fails the test loudly. */
function memoryFiles(tree: Record<string, string>): CatalogFileReader {
  const isDir = (path: string) => Object.keys(tree).some((file) => file.startsWith(`${path}/`))
  return {
    async kind(path) {
      if (path in tree) return 'file'
      return isDir(path) ? 'directory' : 'missing'
    },
    async catalogFiles(dir) {
      return Object.keys(tree)
        .filter((file) => file.startsWith(`${dir}/`) && !file.slice(dir.length + 1).includes('/'))
        .map((file) => file.slice(dir.length + 1))
        .filter((name) => /\.ya?ml$/.test(name))
        .sort()
    },
    async read(path) {
      const text = tree[path]
      if (text === undefined) throw new Error(`unexpected read of ${path}`)
      return text
    },
    join: (dir, name) => `${dir}/${name}`,
  }
}

type Doc = Record<string, any>

function validPlug(id: string): Doc {
  return {
    id,
    name: 'Broken test plug',
    description: 'A plug used to prove that validation explains problems.',
    category: 'testing',
    tags: ['test'],
    homepage: 'https://example.com',
    license: 'MIT',
    size: 'xs',
    services: {
      web: {
        image: 'example/web:1.2.3',
        entry: {port: 8080},
        env: {GREETING: '${GREETING}'},
        volumes: [{name: 'data', path: '/data', size: '1g'}],
        health: {type: 'http', path: '/health'},
        resources: {cpus: 0.5, memory: '128m'},
      },
    },
    env: {GREETING: {description: 'Greeting text', default: 'hi'}},
  }
}

/** One broken file per kind: [kind, file name, how to break a valid plug, expected path, words the line must carry]. */
const BROKEN: Array<[string, string, (doc: Doc) => Doc | string, string, RegExp]> = [
  [
    'latest tag',
    'latest.yaml',
    (doc) => ((doc.services.web.image = 'example/web:latest'), doc),
    'services.web.image',
    /"latest" tag.*— pin a version tag/,
  ],
  [
    'untagged image',
    'untagged.yaml',
    (doc) => ((doc.services.web.image = 'example/web'), doc),
    'services.web.image',
    /has no tag.*pin/,
  ],
  [
    'image with a space',
    'spaced.yaml',
    (doc) => ((doc.services.web.image = 'example/web :1.0'), doc),
    'services.web.image',
    /whitespace/,
  ],
  [
    'unknown field',
    'unknown-field.yaml',
    (doc) => ((doc.services.web.colour = 'blue'), doc),
    'services.web',
    /unknown field "colour".*— remove it or check the spelling/,
  ],
  [
    'missing entry',
    'no-entry.yaml',
    (doc) => (delete doc.services.web.entry, delete doc.services.web.health, doc),
    'services',
    /no service has an "entry" port.*— mark the service/,
  ],
  [
    'two entries',
    'two-entries.yaml',
    (doc) => ((doc.services.api = {image: 'example/api:2.0.0', entry: {port: 9000}, health: {type: 'tcp'}}), doc),
    'services',
    /several services have an "entry" \(web, api\).*— keep exactly one/,
  ],
  [
    'unknown depends_on',
    'unknown-dependency.yaml',
    (doc) => ((doc.services.web.depends_on = {db: 'healthy'}), doc),
    'services.web.depends_on.db',
    /unknown service "db"/,
  ],
  [
    'dependency cycle',
    'cycle.yaml',
    (doc) => {
      doc.services.a = {image: 'example/a:1.0.0', depends_on: {b: 'started'}}
      doc.services.b = {image: 'example/b:1.0.0', depends_on: {a: 'started'}}
      return doc
    },
    'services.a.depends_on',
    /dependency cycle: a → b → a.*— remove one of the links/,
  ],
  [
    'healthy dependency without health check',
    'unhealthy-dependency.yaml',
    (doc) => {
      doc.services.db = {image: 'postgres:17.5'}
      doc.services.web.depends_on = {db: {condition: 'healthy'}}
      return doc
    },
    'services.web.depends_on.db',
    /"db" has no health check.*add one or use condition started/,
  ],
  [
    'undefined ${VAR}',
    'undefined-variable.yaml',
    (doc) => ((doc.services.web.env.TOKEN = 'Bearer ${API_TOKEN}'), doc),
    'services.web.env.TOKEN',
    /\$\{API_TOKEN\}.*— declare it under env/,
  ],
  [
    'bad service name',
    'bad-service-name.yaml',
    (doc) => ((doc.services.Web_Server = doc.services.web), delete doc.services.web, doc),
    'services.Web_Server',
    /service name must be 1-32 of a-z/,
  ],
  [
    'bad YAML syntax',
    'bad-yaml.yaml',
    () => 'id: bad-yaml\nname: [unclosed\nservices:\n  web: {image: x:1\n',
    'line',
    /YAML syntax.*— fix the YAML at that line/,
  ],
  [
    'required with a default',
    'required-default.yaml',
    (doc) => ((doc.env.GREETING.required = true), doc),
    'env.GREETING',
    /is required and has a default.*— drop one of them/,
  ],
  [
    'id/file mismatch',
    'id-mismatch.yaml',
    (doc) => ((doc.id = 'something-else'), doc),
    'id',
    /does not match the file name "id-mismatch.yaml"/,
  ],
  [
    'a shared volume sized twice',
    'duplicate-volume.yaml',
    (doc) => ((doc.services.cache = {image: 'redis:8.0.3', volumes: [{name: 'data', path: '/data', size: '1g'}]}), doc),
    'services.cache.volumes[0].size',
    /volume "data" is shared with service "web", which gives its size — give it once/,
  ],
  ['missing name', 'missing-name.yaml', (doc) => (delete doc.name, doc), 'name', /is required.*— add the "name" field/],
  [
    'unknown category',
    'bad-category.yaml',
    (doc) => ((doc.category = 'games'), doc),
    'category',
    /must be one of.*"automation"/,
  ],
  [
    'generated value not secret',
    'generated-not-secret.yaml',
    (doc) => ((doc.env.KEY = {description: 'A key', secret: false, generate: {length: 16}}), doc),
    'env.KEY.secret',
    /generated values are secrets.*set secret: true/,
  ],
  [
    'memory that is not a size',
    'memory-lots.yaml',
    (doc) => ((doc.services.web.resources.memory = 'lots'), doc),
    'services.web.resources.memory',
    /a size such as 256m/,
  ],
  [
    'container path with ..',
    'dotdot.yaml',
    (doc) => ((doc.services.web.volumes[0].path = '/data/../etc'), doc),
    'services.web.volumes[0].path',
    /must not contain "\.\."/,
  ],
]

function brokenTree(): Record<string, string> {
  const tree: Record<string, string> = {}
  for (const [, name, breakIt] of BROKEN) {
    const result = breakIt(validPlug(name.replace(/\.yaml$/, '')))
    tree[`broken/${name}`] = typeof result === 'string' ? result : stringify(result)
  }
  return tree
}

describe('catalog validate', () => {
  it('accepts a valid plug file and counts it', async () => {
    const result = await validateCatalog(memoryFiles({'plugs/ok.yaml': stringify(validPlug('ok'))}), {paths: ['plugs']})
    expect(result).toEqual({ok: true, files: 1, issues: []})
    expect(validationSummary(result)).toBe('1 catalog file checked: all valid.')
  })

  it(`rejects ${BROKEN.length} kinds of broken entry, each naming the file and the field`, async () => {
    expect(BROKEN.length).toBeGreaterThanOrEqual(12)
    const result = await validateCatalog(memoryFiles(brokenTree()), {paths: ['broken']})
    expect(result.ok).toBe(false)
    expect(result.files).toBe(BROKEN.length)
    const lines = renderValidationIssues(result)
    for (const [kind, name, , path, words] of BROKEN) {
      const mine = lines.filter((line) => line.startsWith(`broken/${name}: `))
      expect(mine.length, `${kind}: ${lines.join('\n')}`).toBeGreaterThan(0)
      const hit = mine.find((line) => line.startsWith(`broken/${name}: ${path}`) && words.test(line))
      expect(hit, `${kind} (${name}) should report ${path} ${words}; got:\n${mine.join('\n')}`).toBeDefined()
      // Every line is `file: path: message — fix`.
      for (const line of mine) expect(line).toMatch(/^broken\/[a-z-]+\.yaml: [^:]+: .+ — .+$/)
    }
  })

  it('validates a single file by path and reports a missing path as an issue', async () => {
    const files = memoryFiles({'one/app.yaml': stringify(validPlug('app'))})
    expect((await validateCatalog(files, {paths: ['one/app.yaml']})).ok).toBe(true)
    const missing = await validateCatalog(files, {paths: ['nowhere']})
    expect(missing.ok).toBe(false)
    expect(renderValidationIssues(missing)).toEqual(['nowhere: (file): no such file or directory — check the path'])
  })
})
