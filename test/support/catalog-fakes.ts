/** An in-memory CatalogSource for unit tests. */
import {parsePlug} from '../../src/core/catalog/validate.js'
import type {CatalogEntry, CatalogSource} from '../../src/services/catalog-port.js'
import type {CatalogIssue} from '../../src/core/catalog/validate.js'

export function testPlug(id: string, overrides: Record<string, unknown> = {}) {
  return parsePlug(
    JSON.stringify({
      id,
      name: `Plug ${id}`,
      description: `The ${id} plug, for tests of the catalog.`,
      category: 'testing',
      tags: ['test'],
      homepage: 'https://example.com',
      license: 'MIT',
      size: 'xs',
      services: {
        web: {
          image: `example/${id}:1.0.0`,
          entry: {port: 8080},
          health: {type: 'http', path: '/health'},
          resources: {cpus: 1, memory: '1g'},
        },
      },
      ...overrides,
    }),
    `${id}.yaml`,
  )
}

export class MemoryCatalog implements CatalogSource {
  constructor(
    private readonly entries: CatalogEntry[],
    private readonly problems: CatalogIssue[] = [],
  ) {}

  static of(...plugs: ReturnType<typeof testPlug>[]): MemoryCatalog {
    return new MemoryCatalog(
      plugs.map((plug) => ({plug, file: `/catalog/${plug.id}.yaml`, source: 'builtin' as const})),
    )
  }

  async list() {
    return [...this.entries].sort((a, b) => a.plug.id.localeCompare(b.plug.id))
  }

  async find(id: string) {
    return this.entries.find((entry) => entry.plug.id === id)
  }

  async issues() {
    return this.problems
  }
}
