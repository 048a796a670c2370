import {readdirSync, readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {searchPlugs, type SearchablePlug} from '../../../../src/core/catalog/search.js'
import {parsePlug} from '../../../../src/core/catalog/validate.js'

const plug = (id: string, name: string, tags: string[], description: string): SearchablePlug => ({
  id,
  name,
  tags,
  description,
})

// Each plug matches "alpha" in exactly one field, so the order shows the ranking.
const LADDER = [
  plug('in-description', 'Delta', ['misc'], 'Mentions alpha somewhere in its description text.'),
  plug('in-tag', 'Gamma', ['alpha', 'misc'], 'Nothing to see in the description here.'),
  plug('in-name', 'Alpha Studio', ['misc'], 'Nothing to see in the description here.'),
  plug('alphabet', 'Beta', ['misc'], 'Nothing to see in the description here.'),
  plug('alpha', 'Epsilon', ['misc'], 'Nothing to see in the description here.'),
  plug('unrelated', 'Zeta', ['misc'], 'Nothing to see in the description here.'),
]

const CATALOG_DIR = fileURLToPath(new URL('../../../../plugs-catalog/', import.meta.url))
const catalog = readdirSync(CATALOG_DIR)
  .filter((name) => name.endsWith('.yaml'))
  .map((name) => parsePlug(readFileSync(CATALOG_DIR + name, 'utf8'), name))
const ids = (query: string) => searchPlugs(catalog, query).map((hit) => hit.plug.id)

describe('searchPlugs', () => {
  it('ranks exact id > id prefix > name > tag > description', () => {
    const hits = searchPlugs(LADDER, 'alpha')
    expect(hits.map((hit) => hit.plug.id)).toEqual(['alpha', 'alphabet', 'in-name', 'in-tag', 'in-description'])
    expect(hits.map((hit) => hit.matched)).toEqual(['id', 'id-prefix', 'name', 'tag', 'description'])
    expect(hits.map((hit) => hit.score)).toEqual([...hits.map((hit) => hit.score)].sort((a, b) => b - a))
  })

  it('is case-insensitive and ignores surrounding space', () => {
    expect(searchPlugs(LADDER, '  ALPHA ').map((hit) => hit.plug.id)[0]).toBe('alpha')
  })

  it('finds plugs despite typos and missing dashes', () => {
    expect(ids('uptimekuma')[0]).toBe('uptime-kuma')
    expect(ids('n8m')[0]).toBe('n8n')
    expect(ids('grafanna')[0]).toBe('grafana')
    expect(ids('postgress')[0]).toBe('postgres')
    expect(ids('vaultwardn')[0]).toBe('vaultwarden')
    expect(searchPlugs(catalog, 'n8m')[0]?.matched).toBe('fuzzy')
  })

  it('takes the whole query as a name when it is one', () => {
    expect(ids('uptime kuma')[0]).toBe('uptime-kuma')
    expect(ids('open webui')[0]).toBe('open-webui')
    expect(ids('agent-zero')[0]).toBe('agent-zero')
  })

  it('ranks plugs matching every word above plugs matching one', () => {
    const hits = searchPlugs(catalog, 'workflow automation')
    expect(hits[0]?.plug.id).toBe('n8n')
    expect(ids('password manager')[0]).toBe('vaultwarden')
    expect(ids('object storage s3')[0]).toBe('minio')
  })

  it('finds plugs by tag and by words of the description', () => {
    expect(ids('git')).toContain('gitea')
    expect(ids('dashboards').slice(0, 2).sort()).toEqual(['grafana', 'metabase'])
    expect(ids('newsletter')[0]).toBe('ghost')
  })

  it('returns nothing for an empty query or a word nothing resembles', () => {
    expect(searchPlugs(catalog, '   ')).toEqual([])
    expect(searchPlugs(catalog, 'zzzzqqq')).toEqual([])
  })

  it('does not guess at very short words', () => {
    // "xy" is two letters from many things; only real matches count.
    expect(searchPlugs(LADDER, 'xy')).toEqual([])
  })

  it('breaks ties by id, so results are stable', () => {
    const twins = [
      plug('b-twin', 'Twin', ['same'], 'Same description here.'),
      plug('a-twin', 'Twin', ['same'], 'Same description here.'),
    ]
    expect(searchPlugs(twins, 'same').map((hit) => hit.plug.id)).toEqual(['a-twin', 'b-twin'])
  })
})
