import {describe, expect, it} from 'vitest'
import {DEFAULT_PRICES} from '../../../../src/core/catalog/cost.js'
import {listCatalog, searchCatalog, showCatalogPlug} from '../../../../src/services/catalog.js'
import {
  describeEnvSpec,
  formatMoney,
  renderCatalogList,
  renderPlugDetails,
  renderSearchResults,
  renderValidationIssues,
  skippedFilesNote,
  validationSummary,
} from '../../../../src/ui/present/catalog.js'
import {MemoryCatalog, testPlug} from '../../../support/catalog-fakes.js'

const stack = testPlug('stack', {
  services: {
    front: {
      image: 'example/front:2.1.0',
      entry: {port: 3000},
      env: {DB: 'postgres://app:${DB_PASSWORD}@db/app', API_KEY: '${API_KEY}'},
      depends_on: {db: 'healthy'},
      health: {type: 'http', path: '/ready'},
      resources: {cpus: 0.5, memory: '512m'},
    },
    db: {
      image: 'postgres:17.5',
      ports: [5432],
      volumes: [{name: 'pgdata', path: '/var/lib/postgresql/data', size: '10g'}],
      health: {type: 'command', command: ['pg_isready']},
      resources: {cpus: 1, memory: '1g'},
    },
  },
  env: {
    DB_PASSWORD: {description: 'Database password', secret: true, generate: {length: 32, charset: 'hex'}},
    API_KEY: {description: 'Provider key', question: 'Which API key should be used?', required: true, secret: true},
    PIN: {description: 'Shared pin', secret: true, default: 'hunter2-default'},
    MODE: {description: 'Run mode', question: 'Which mode?', default: 'fast'},
  },
})
const catalog = MemoryCatalog.of(stack, testPlug('tiny', {category: 'ai'}))

describe('catalog presenters', () => {
  it('formats money with the currency', () => {
    expect(formatMoney(12.5, 'USD')).toBe('$12.50')
    expect(formatMoney(3, 'EUR')).toBe('€3.00')
  })

  it('lists plugs as a table with size, tier and estimated monthly cost', async () => {
    const text = renderCatalogList(await listCatalog({catalog, prices: DEFAULT_PRICES}))
    const [header, ...rows] = text.split('\n')
    expect(header).toMatch(/^ID\s+NAME\s+CATEGORY\s+SIZE\s+TIER\s+EST\. MONTHLY$/)
    expect(rows).toHaveLength(2)
    expect(rows[0]).toMatch(/^stack\s+Plug stack\s+testing\s+xs\s+free\s+\$\d+\.\d\d\/mo$/)
  })

  it('says so when a category is empty, and notes skipped files', () => {
    expect(renderCatalogList({plugs: [], category: 'cms', skipped: 0})).toBe('No plugs in category "cms".')
    expect(skippedFilesNote(0)).toBeUndefined()
    expect(skippedFilesNote(2)).toMatch(/2 catalog files were skipped .* aims catalog validate/)
  })

  it('renders search results, and a helpful line when there are none', async () => {
    const found = renderSearchResults(await searchCatalog({catalog, prices: DEFAULT_PRICES}, {query: 'stack'}), 100)
    expect(found.split('\n')[0]).toMatch(/^ID\s+NAME\s+CATEGORY\s+MATCH\s+DESCRIPTION$/)
    expect(found.split('\n')[1]).toMatch(/^stack\s+Plug stack\s+testing\s+id\s+The stack plug/)
    const none = renderSearchResults({query: 'qqq', results: []})
    expect(none).toMatch(/No plug matches "qqq"\./)
    expect(none).toMatch(/aims catalog ls/)
  })

  it('shows services in start order with image, ports, volumes, dependencies and health', async () => {
    const text = renderPlugDetails(
      await showCatalogPlug({catalog, prices: DEFAULT_PRICES}, {id: 'stack'}),
      DEFAULT_PRICES,
    )
    expect(text.indexOf('  db')).toBeLessThan(text.indexOf('  front'))
    expect(text).toMatch(/started in order: db → front/)
    expect(text).toMatch(/image\s+example\/front:2\.1\.0/)
    expect(text).toMatch(/entry\s+3000\/http \(published on the host from 51000 up, proxied by nginx\)/)
    expect(text).toMatch(/ports\s+5432 \(tenant network only\)/)
    expect(text).toMatch(/volume\s+pgdata → \/var\/lib\/postgresql\/data \(10 GiB\)/)
    expect(text).toMatch(/waits\s+for db \(healthy\)/)
    expect(text).toMatch(/health\s+HTTP GET \/ready on port 3000/)
    expect(text).toMatch(/health\s+command: pg_isready/)
    expect(text).toMatch(/Resources\s+1\.5 CPUs · 1\.5 GiB memory · 10 GiB disk/)
    expect(text).toMatch(/Estimated cost\s+\$\d+\.\d\d\/mo \(CPU \$6\.00 · memory \$3\.75 · disk \$1\.00\)/)
    expect(text).toMatch(/Deploy it: aims plug up stack/)
  })

  it('lists the questions: required, optional with defaults, generated secrets — never a secret value', async () => {
    const text = renderPlugDetails(
      await showCatalogPlug({catalog, prices: DEFAULT_PRICES}, {id: 'stack'}),
      DEFAULT_PRICES,
    )
    expect(text).toMatch(/API_KEY\s+required\s+must be given\s+Which API key should be used\?/)
    expect(text).toMatch(/DB_PASSWORD\s+generated\s+32 random hex characters unless given\s+Database password/)
    expect(text).toMatch(/MODE\s+optional\s+default: fast\s+Which mode\?/)
    expect(text).toMatch(/PIN\s+optional\s+a default \(secret, not shown\)/)
    expect(text).not.toContain('hunter2-default')
  })

  it('describes env specs by kind', () => {
    expect(describeEnvSpec({description: 'd', required: false, secret: false})).toEqual({
      kind: 'optional',
      fallback: 'empty unless given',
    })
    expect(describeEnvSpec({description: 'd', required: false, secret: false, default: ''})).toEqual({
      kind: 'optional',
      fallback: 'default: (empty)',
    })
  })

  it('prints one `file: path: message — fix` line per validation issue, and a summary', () => {
    const result = {
      ok: false,
      files: 3,
      issues: [
        {
          file: 'a.yaml',
          path: 'services.web.image',
          message: 'image "x:latest" uses the "latest" tag: pin a version tag or a digest',
        },
        {file: 'a.yaml', path: 'name', message: 'is required (string)'},
        {file: 'b.yaml', path: 'line 2', message: 'YAML syntax: Unexpected end of flow-map'},
        {file: 'c.yaml', path: 'services.web', message: 'unknown field "x\u001b[31m": remove it or check the spelling'},
      ],
    }
    expect(renderValidationIssues(result)).toEqual([
      'a.yaml: services.web.image: image "x:latest" uses the "latest" tag — pin a version tag or a digest',
      'a.yaml: name: is required (string) — add the "name" field',
      'b.yaml: line 2: YAML syntax: Unexpected end of flow-map — fix the YAML at that line (indentation, quoting, duplicate keys)',
      'c.yaml: services.web: unknown field "x" — remove it or check the spelling',
    ])
    expect(validationSummary(result)).toBe('4 issues in 3 of 3 catalog files.')
    expect(validationSummary({ok: true, files: 16, issues: []})).toBe('16 catalog files checked: all valid.')
  })
})
