// Every plug shipped in plugs-catalog/ validates: one test per file, discovered
// from the directory so a new file is covered without touching this test.
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {checkImageReference} from '../../../src/core/catalog/schema.js'
import {CatalogValidationError, dependencyCondition, parsePlug} from '../../../src/core/catalog/validate.js'

const CATALOG = fileURLToPath(new URL('../../../plugs-catalog/', import.meta.url))
const files = readdirSync(CATALOG)
  .filter((name) => /\.ya?ml$/.test(name))
  .sort()

/** The ids the lifecycle issue requires to be in the built-in catalog. */
const REQUIRED_IDS = [
  'n8n',
  'deerflow',
  'uptime-kuma',
  'gitea',
  'open-webui',
  'flowise',
  'vaultwarden',
  'ghost',
  'metabase',
  'grafana',
  'minio',
  'postgres',
  'redis',
  'agent-zero',
  'nextcloud',
  'langflow',
]

function load(name: string) {
  const text = readFileSync(join(CATALOG, name), 'utf8')
  try {
    return {text, plug: parsePlug(text, name, name.replace(/\.ya?ml$/, ''))}
  } catch (error) {
    if (error instanceof CatalogValidationError)
      throw new Error(`${name} is invalid:\n${error.message}`, {cause: error})
    throw error
  }
}

describe('plugs-catalog/', () => {
  it('holds exactly the required plugs', () => {
    expect(files.map((name) => name.replace(/\.ya?ml$/, '')).sort()).toEqual([...REQUIRED_IDS].sort())
  })

  for (const name of files) {
    describe(name, () => {
      it('validates, pins its images and documents where the facts come from', () => {
        const {text, plug} = load(name)
        expect(plug.docs, 'docs: the upstream page the entry was checked against').toMatch(/^https:\/\//)
        // A comment saying what was verified, at the top of the file.
        expect(text.split('\n')[0]).toMatch(/^# /)
        for (const [serviceName, service] of Object.entries(plug.services)) {
          expect(checkImageReference(service.image), `${serviceName}.image`).toBeUndefined()
          expect(service.image).not.toMatch(/:(latest|main|stable|nightly|dev)(@|$)/)
          // Every service gets explicit limits: the cost model and quotas rely on them.
          expect(service.resources.cpus, `${serviceName}.resources.cpus`).toBeGreaterThan(0)
          expect(service.resources.memory, `${serviceName}.resources.memory`).toBeDefined()
          for (const [dependency, condition] of Object.entries(service.depends_on)) {
            // A one-shot job is waited for until it exits 0; a service that stays up until it is healthy.
            const job = plug.services[dependency]?.run === 'once'
            expect(dependencyCondition(condition), `${serviceName} waits for ${dependency}`).toBe(
              job ? 'completed' : 'healthy',
            )
            if (!job) expect(plug.services[dependency]?.health, `${dependency} has a health check`).toBeDefined()
          }
        }
        for (const [key, spec] of Object.entries(plug.env)) {
          if (spec.generate) expect(spec.secret, `${key} generated → secret`).toBe(true)
          if (!spec.generate && !spec.secret && spec.default === undefined)
            expect(spec.question, `${key} is asked, so it needs a question`).toBeDefined()
        }
      })
    })
  }
})
