/**
 * A database fixture with a dump hook (test/fixtures/upgrade-plugs/ug-sqlite.yaml: SQLite's online
 * backup API into the volume, and back on restore), through the built aims on the bed: the rows at
 * backup time come back after later writes, with the instance answering all along.
 */
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {execFile} from 'node:child_process'
import {promisify} from 'node:util'
import {aims, homeWithHost, ROOT} from '../support/aims.js'
import {docker, httpGet, purgeTenant} from '../support/engine.js'

const run = promisify(execFile)
const TENANT = `ugd-${Math.random().toString(36).slice(2, 7)}`
const env = {AIMS_CATALOG_PATH: join(ROOT, 'test', 'fixtures', 'upgrade-plugs')}
const CONTAINER = `aims-${TENANT}-ug-sqlite-app`
let home: string
let port: number

const sql = (statement: string) =>
  docker([
    'exec',
    CONTAINER,
    'python3',
    '-c',
    `import sqlite3; db = sqlite3.connect('/data/app.db'); db.execute(${JSON.stringify(statement)}); db.commit()`,
  ])
const rows = async () => JSON.parse((await httpGet(`http://127.0.0.1:${port}/`)).body) as string[]

beforeAll(async () => {
  home = await homeWithHost()
  const up = await aims(['plug', 'up', 'ug-sqlite', '--tenant', TENANT, '--yes', '--json'], {
    home,
    env,
    timeoutMs: 180_000,
  })
  if (up.code !== 0) throw new Error(up.stderr)
  port = up.json().port
}, 200_000)

afterAll(async () => {
  await purgeTenant(TENANT)
  await run('rm', ['-rf', `/var/lib/aims/backups/${TENANT}`, `/var/lib/aims/releases/${TENANT}`])
})

describe('a backup hook of a database', () => {
  it('backs up through the hook (no pause) and restores the same rows', async () => {
    await sql("insert into notes(text) values ('first'), ('second')")
    expect(await rows()).toEqual(['first', 'second'])
    const backup = await aims(['plug', 'backup', `${TENANT}/ug-sqlite`, '--yes', '--json'], {home, env})
    expect(backup.code, backup.stderr).toBe(0)
    expect(backup.json().backup).toMatchObject({consistency: 'hook'})
    expect(backup.json().plan.facts).toContainEqual({
      label: 'consistency',
      value: expect.stringMatching(/^hook in app: python3 -c import sqlite3/),
    })

    await sql("insert into notes(text) values ('after the backup')")
    await sql("delete from notes where text = 'first'")
    expect(await rows()).toEqual(['second', 'after the backup'])

    const restore = await aims(['plug', 'restore', `${TENANT}/ug-sqlite`, backup.json().backup.id, '--yes', '--json'], {
      home,
      env,
    })
    expect(restore.code, restore.stderr).toBe(0)
    expect(restore.json().health).toMatchObject({ok: true})
    expect(await rows()).toEqual(['first', 'second'])
  }, 180_000)
})
