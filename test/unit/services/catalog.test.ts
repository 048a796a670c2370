import {describe, expect, it} from 'vitest'
import {DEFAULT_PRICES} from '../../../src/core/catalog/cost.js'
import {AimsError} from '../../../src/core/errors.js'
import {listCatalog, searchCatalog, showCatalogPlug} from '../../../src/services/catalog.js'
import {MemoryCatalog, testPlug} from '../../support/catalog-fakes.js'

const prices = {currency: 'USD', cpuMonthly: 4, memoryGiBMonthly: 2, diskGiBMonthly: 0.1}
const catalog = MemoryCatalog.of(
  testPlug('alpha', {category: 'ai', tags: ['llm']}),
  testPlug('beta', {category: 'database'}),
  testPlug('gamma', {category: 'ai', name: 'Gamma Chat'}),
)

async function failure(promise: Promise<unknown>): Promise<AimsError> {
  try {
    await promise
  } catch (error) {
    if (error instanceof AimsError) return error
    throw error
  }
  throw new Error('expected an AimsError')
}

describe('listCatalog', () => {
  it('lists every plug with resources and the monthly cost at the given prices', async () => {
    const result = await listCatalog({catalog, prices})
    expect(result.plugs.map((plug) => plug.id)).toEqual(['alpha', 'beta', 'gamma'])
    expect(result.plugs[0]?.monthlyCost).toEqual({currency: 'USD', cpu: 4, memory: 2, disk: 0, total: 6})
    expect(result.skipped).toBe(0)
  })

  it('filters by category, case-insensitively', async () => {
    const result = await listCatalog({catalog, prices}, {category: 'AI'})
    expect(result.plugs.map((plug) => plug.id)).toEqual(['alpha', 'gamma'])
    expect(result.category).toBe('ai')
  })

  it('refuses an unknown category with exit 2 and the valid ones', async () => {
    const error = await failure(listCatalog({catalog, prices}, {category: 'games'}))
    expect(error.exitCode).toBe(2)
    expect(error.line).toMatch(/unknown category "games" — valid categories: automation, ai, .*testing/)
  })

  it('counts files that were skipped as invalid', async () => {
    const broken = new MemoryCatalog(
      [],
      [
        {file: '/x/a.yaml', path: 'id', message: 'bad'},
        {file: '/x/a.yaml', path: 'name', message: 'bad'},
        {file: '/x/b.yaml', path: '', message: 'bad'},
      ],
    )
    expect((await listCatalog({catalog: broken, prices: DEFAULT_PRICES})).skipped).toBe(2)
  })
})

describe('searchCatalog', () => {
  it('returns ranked summaries with the reason they matched', async () => {
    const result = await searchCatalog({catalog, prices}, {query: 'gamma'})
    expect(result.results.map((hit) => [hit.id, hit.matched])).toEqual([['gamma', 'id']])
    expect(result.results[0]?.monthlyCost.total).toBe(6)
  })

  it('returns an empty list, not an error, when nothing matches', async () => {
    expect(await searchCatalog({catalog, prices}, {query: 'nothing-like-it'})).toEqual({
      query: 'nothing-like-it',
      results: [],
    })
  })

  it('refuses an empty query', async () => {
    expect((await failure(searchCatalog({catalog, prices}, {query: '  '}))).exitCode).toBe(2)
  })
})

describe('showCatalogPlug', () => {
  it('returns the plug, where it came from and its cost', async () => {
    const result = await showCatalogPlug({catalog, prices}, {id: 'beta'})
    expect(result.plug.id).toBe('beta')
    expect(result.file).toBe('/catalog/beta.yaml')
    expect(result.resources.cpus).toBe(1)
    expect(result.monthlyCost.total).toBe(6)
  })

  it('never returns the default of a secret, even in --json data', async () => {
    const withSecret = MemoryCatalog.of(
      testPlug('vault', {
        env: {
          PIN: {description: 'pin', secret: true, default: 'hunter2'},
          MODE: {description: 'mode', default: 'fast'},
        },
      }),
    )
    const result = await showCatalogPlug({catalog: withSecret, prices}, {id: 'vault'})
    expect(JSON.stringify(result)).not.toContain('hunter2')
    expect(result.plug.env.PIN?.default).toBe('********')
    expect(result.plug.env.MODE?.default).toBe('fast')
  })

  it('answers an unknown id with exit 2 and "did you mean"', async () => {
    const error = await failure(showCatalogPlug({catalog, prices}, {id: 'alpah'}))
    expect(error.exitCode).toBe(2)
    expect(error.line).toMatch(/no plug named "alpah" in the catalog — did you mean "alpha"\?/)
    expect(error.details).toEqual({suggestions: ['alpha']})
  })

  it('points to ls and search when nothing is close', async () => {
    const error = await failure(showCatalogPlug({catalog, prices}, {id: 'zzzzzzzz'}))
    expect(error.hint).toMatch(/aims catalog ls/)
  })
})
