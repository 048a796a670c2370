// `aims catalog …` on the built binary, as a user runs it. No host is needed:
// the catalog is local data.
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {aims} from '../support/aims.js'

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

const tempDirs: string[] = []
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  tempDirs.push(dir)
  return dir
}
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, {recursive: true, force: true})
})

const validPlug = (id: string) => `id: ${id}
name: Test ${id}
description: A plug written by the catalog e2e test.
category: testing
tags: [test]
homepage: https://example.com
license: MIT
size: xs
services:
  web:
    image: example/web:1.0.0
    entry: {port: 8080}
    health: {type: http, path: /}
`

describe('aims catalog', () => {
  it('ls lists every built-in plug with size, tier and estimated cost', async () => {
    const result = await aims(['catalog', 'ls'])
    expect(result.code, result.stderr).toBe(0)
    const lines = result.stdout.trim().split('\n')
    expect(lines[0]).toMatch(/^ID\s+NAME\s+CATEGORY\s+SIZE\s+TIER\s+EST\. MONTHLY$/)
    for (const id of REQUIRED_IDS) expect(result.stdout).toMatch(new RegExp(`^${id}\\s+.*\\$\\d+\\.\\d\\d/mo$`, 'm'))
    expect(result.stdout).not.toMatch(/fixture-/)
  })

  it('ls --json returns typed summaries, --category filters, an unknown category exits 2 with the valid ones', async () => {
    const json = await aims(['catalog', 'ls', '--json'])
    expect(json.code).toBe(0)
    const plugs = json.json<{
      plugs: Array<{id: string; monthlyCost: {currency: string; total: number}; resources: {cpus: number}}>
    }>().plugs
    expect(plugs.map((plug) => plug.id).sort()).toEqual([...REQUIRED_IDS].sort())
    for (const plug of plugs) expect(plug.monthlyCost.total).toBeGreaterThan(0)

    const ai = await aims(['catalog', 'ls', '--category', 'ai', '--json'])
    expect(ai.json<{plugs: Array<{category: string}>}>().plugs.every((plug) => plug.category === 'ai')).toBe(true)

    const bad = await aims(['catalog', 'ls', '--category', 'games'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/unknown category "games" — valid categories: automation, ai, monitoring/)
  })

  it('AIMS_CATALOG_PATH adds a directory: the fixture plugs become visible', async () => {
    const result = await aims(['catalog', 'ls'], {env: {AIMS_CATALOG_PATH: 'test/fixtures/plugs'}})
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toMatch(/^fixture-web\s+Fixture web\s+testing\s+xs\s+free/m)
    expect(result.stdout).toMatch(/^n8n\s/m)
  })

  it('search ranks by id, name, tags and description and forgives typos', async () => {
    const kuma = await aims(['catalog', 'search', 'uptimekuma', '--json'])
    expect(kuma.code).toBe(0)
    expect(kuma.json<{results: Array<{id: string}>}>().results[0]?.id).toBe('uptime-kuma')

    const words = await aims(['catalog', 'search', 'workflow', 'automation'])
    expect(words.code).toBe(0)
    expect(words.stdout.split('\n')[1]).toMatch(/^n8n\s/)

    const none = await aims(['catalog', 'search', 'qqqzzz'])
    expect(none.code).toBe(0)
    expect(none.stdout).toMatch(/No plug matches "qqqzzz"/)
    const noneJson = await aims(['catalog', 'search', 'qqqzzz', '--json'])
    expect(noneJson.json()).toEqual({query: 'qqqzzz', results: []})
  })

  it('show renders services, questions, resources and cost; never a generated value', async () => {
    const result = await aims(['catalog', 'show', 'ghost'])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toMatch(/started in order: mysql → ghost/)
    expect(result.stdout).toMatch(/image\s+ghost:5\.130\.2/)
    expect(result.stdout).toMatch(/waits\s+for mysql \(healthy\)/)
    expect(result.stdout).toMatch(/MYSQL_PASSWORD\s+generated\s+32 random alnum characters unless given/)
    expect(result.stdout).toMatch(/Estimated cost\s+\$\d+\.\d\d\/mo/)

    const json = await aims(['catalog', 'show', 'n8n', '--json'])
    const shown = json.json<{
      plug: {id: string; services: Record<string, {image: string}>}
      monthlyCost: {total: number}
    }>()
    expect(shown.plug.id).toBe('n8n')
    expect(shown.plug.services.n8n?.image).toMatch(/^docker\.n8n\.io\/n8nio\/n8n:\d+\.\d+\.\d+$/)
    expect(shown.monthlyCost.total).toBeGreaterThan(0)
  })

  it('show of an unknown plug exits 2 with "did you mean"', async () => {
    const result = await aims(['catalog', 'show', 'n8m'])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/no plug named "n8m" in the catalog — did you mean "n8n"\?/)
    const json = await aims(['catalog', 'show', 'n8m', '--json'])
    expect(json.code).toBe(2)
    expect(json.json<{error: {details: {suggestions: string[]}}}>().error.details.suggestions).toEqual(['n8n'])
  })

  it('validate passes the built-in catalog and the fixtures with a count', async () => {
    const builtin = await aims(['catalog', 'validate'])
    expect(builtin.code, builtin.stdout + builtin.stderr).toBe(0)
    expect(builtin.stdout).toMatch(/^16 catalog files checked: all valid\.$/m)
    const fixtures = await aims(['catalog', 'validate', 'test/fixtures/plugs', '--json'])
    expect(fixtures.code).toBe(0)
    expect(fixtures.json()).toEqual({ok: true, files: 6, issues: []})
  })

  it('validate of a directory of broken files exits 2 naming file and field on each line', async () => {
    const dir = tempDir('cat-e2e-broken-')
    writeFileSync(join(dir, 'good.yaml'), validPlug('good'))
    writeFileSync(join(dir, 'latest.yaml'), validPlug('latest').replace('example/web:1.0.0', 'example/web:latest'))
    writeFileSync(join(dir, 'renamed.yaml'), validPlug('other-id'))
    writeFileSync(
      join(dir, 'cycle.yaml'),
      `${validPlug('cycle')}    depends_on: {worker: started}\n  worker:\n    image: example/worker:1.0.0\n    depends_on: {web: started}\n`,
    )
    writeFileSync(join(dir, 'syntax.yaml'), 'id: syntax\nservices: [unclosed\n')
    const result = await aims(['catalog', 'validate', dir])
    expect(result.code).toBe(2)
    const lines = result.stdout.trim().split('\n')
    expect(lines).toContainEqual(
      `${join(dir, 'latest.yaml')}: services.web.image: image "example/web:latest" uses the "latest" tag — pin a version tag or a digest`,
    )
    expect(lines).toContainEqual(
      `${join(dir, 'renamed.yaml')}: id: id "other-id" does not match the file name "renamed.yaml" — rename one of them`,
    )
    expect(
      lines.some((line) => line.startsWith(`${join(dir, 'cycle.yaml')}: services.`) && /dependency cycle/.test(line)),
    ).toBe(true)
    expect(
      lines.some((line) => line.startsWith(`${join(dir, 'syntax.yaml')}: line `) && /YAML syntax/.test(line)),
    ).toBe(true)
    expect(lines.some((line) => line.includes('good.yaml'))).toBe(false)
    expect(result.stderr).toMatch(/issues? in 4 of 5 catalog files/)

    const json = await aims(['catalog', 'validate', dir, '--json'])
    expect(json.code).toBe(2)
    const report = json.json<{
      ok: boolean
      files: number
      issues: Array<{file: string; path: string; message: string}>
    }>()
    expect(report.ok).toBe(false)
    expect(report.files).toBe(5)
    expect(report.issues).toContainEqual({
      file: join(dir, 'latest.yaml'),
      path: 'services.web.image',
      message: 'image "example/web:latest" uses the "latest" tag: pin a version tag or a digest',
    })
  })

  it('ls still works when an extra directory holds broken files, and says they were skipped', async () => {
    const dir = tempDir('cat-e2e-mixed-')
    writeFileSync(join(dir, 'mine.yaml'), validPlug('mine'))
    writeFileSync(join(dir, 'broken.yaml'), validPlug('broken').replace('example/web:1.0.0', 'example/web'))
    const result = await aims(['catalog', 'ls'], {env: {AIMS_CATALOG_PATH: dir}})
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^mine\s/m)
    expect(result.stdout).not.toMatch(/^broken\s/m)
    expect(result.stderr).toMatch(/1 catalog file was skipped .* aims catalog validate/)
  })
})
