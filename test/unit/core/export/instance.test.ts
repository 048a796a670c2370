import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {parsePlug} from '../../../../src/core/catalog/validate.js'
import {LABEL, type ContainerDetails, type ContainerSummary} from '../../../../src/core/engine-types.js'
import {matchEnvTemplate, readInstanceExport} from '../../../../src/core/export/instance.js'
import {groupInstances} from '../../../../src/core/instances.js'

const load = (path: string) => parsePlug(readFileSync(new URL(`../../../../${path}`, import.meta.url), 'utf8'), path)
const SENTINEL = 'S3NT1NEL-do-not-leak-42'

function container(
  service: string,
  labels: Record<string, string>,
  env: Record<string, string>,
  image = 'aims-fixture/web:1',
): {summary: ContainerSummary; detail: ContainerDetails} {
  const summary: ContainerSummary = {
    id: `id-${service}`,
    name: `aims-acme-shop-${service}`,
    image,
    labels: {
      [LABEL.managed]: 'true',
      [LABEL.tenant]: 'acme',
      [LABEL.instance]: 'shop',
      [LABEL.plug]: 'x',
      [LABEL.service]: service,
      [LABEL.replica]: '1',
      ...labels,
    },
    state: 'running',
    status: 'Up',
    created: new Date('2026-01-01T00:00:00Z'),
    ports: [],
    health: 'none',
    networks: [],
  }
  return {
    summary,
    detail: {
      ...summary,
      restartCount: 0,
      env: {PATH: '/bin', ...env},
      ips: {},
      command: [],
      mounts: [],
      oomKilled: false,
      memoryBytes: 128 * 1024 ** 2,
      nanoCpus: 500_000_000,
    },
  }
}

function reading(plugPath: string, containers: Array<ReturnType<typeof container>>) {
  const plug = load(plugPath)
  const [view] = groupInstances(containers.map((item) => item.summary))
  return readInstanceExport({
    plug,
    view: view!,
    details: view!.replicas.map(
      (replica) => containers.find((item) => item.summary.id === replica.containerId)?.detail,
    ),
    host: 'vps',
  })
}

describe('matchEnvTemplate', () => {
  it('reads the values of references back from a container value', () => {
    expect(matchEnvTemplate('${A}', 'x y')).toEqual({A: 'x y'})
    expect(matchEnvTemplate('postgresql://u:${P}@db:5432/d', 'postgresql://u:s3:cr@t@db:5432/d')).toEqual({
      P: 's3:cr@t',
    })
    expect(matchEnvTemplate('front of ${AIMS_INSTANCE}', 'front of shop')).toEqual({AIMS_INSTANCE: 'shop'})
    expect(matchEnvTemplate('${A}/${A}', 'x/y')).toEqual({A: 'x'})
    expect(matchEnvTemplate('literal (.*) chars', 'literal (.*) chars')).toEqual({})
    expect(matchEnvTemplate('prefix-${A}', 'edited by hand')).toBeUndefined()
  })
})

describe('readInstanceExport', () => {
  it('keeps non-secret settings and drops every secret value (catalog secrets, labelled keys, secret-looking names)', () => {
    const web = container(
      'web',
      {
        [LABEL.entry]: 'true',
        [LABEL.port]: '51234',
        [LABEL.secretKeys]: 'APP_SECRET,EXTRA_TOKEN',
        [LABEL.plugVersion]: '1',
        [LABEL.services]: 'web',
      },
      {
        GREETING: 'hi there',
        APP_SECRET: SENTINEL,
        SERVICE_NAME: 'web',
        EXTRA_TOKEN: `${SENTINEL}-2`,
        NODE_VERSION: '22',
      },
    )
    const {export: result, secretValues} = reading('test/fixtures/plugs/fixture-web.yaml', [web])
    expect(result.settings).toEqual({GREETING: 'hi there'})
    expect(result.extraSecretKeys).toEqual(['EXTRA_TOKEN'])
    expect(result.hostPort).toBe(51234)
    expect(result.url).toBe('http://127.0.0.1:51234')
    expect(result.resources).toEqual({web: {cpus: 0.5, memoryBytes: 128 * 1024 ** 2}})
    expect(result.images).toEqual({web: 'aims-fixture/web:1'})
    expect(JSON.stringify(result)).not.toContain(SENTINEL)
    expect(secretValues).toEqual(expect.arrayContaining([SENTINEL, `${SENTINEL}-2`]))
  })

  it('treats a variable as secret when a labelled key references it, and reads compound values', () => {
    const app = container(
      'langflow',
      {
        [LABEL.entry]: 'true',
        [LABEL.secretKeys]: 'LANGFLOW_DATABASE_URL,LANGFLOW_SUPERUSER_PASSWORD,LANGFLOW_SECRET_KEY',
      },
      {
        LANGFLOW_DATABASE_URL: `postgresql://langflow:${SENTINEL}@db:5432/langflow`,
        LANGFLOW_SUPERUSER: 'root-admin',
        LANGFLOW_SUPERUSER_PASSWORD: 'pw-0123456789',
        LANGFLOW_SECRET_KEY: 'k'.repeat(43),
      },
      'langflowai/langflow:1.12.3',
    )
    const db = container(
      'db',
      {},
      {POSTGRES_USER: 'langflow', POSTGRES_DB: 'langflow', POSTGRES_PASSWORD: SENTINEL},
      'sha256:0123456789abcdef',
    )
    const {export: result, secretValues} = reading('plugs-catalog/langflow.yaml', [app, db])
    expect(result.settings).toEqual({SUPERUSER: 'root-admin'})
    expect(secretValues).toContain(SENTINEL)
    // An image id is no reference a bundle can pull: the catalog's stays.
    expect(result.images).toEqual({langflow: 'langflowai/langflow:1.12.3'})
  })

  it('withholds a setting whose value contains a secret value', () => {
    const web = container(
      'web',
      {[LABEL.entry]: 'true', [LABEL.secretKeys]: 'APP_SECRET'},
      {GREETING: `welcome ${SENTINEL}`, APP_SECRET: SENTINEL},
    )
    const {export: result} = reading('test/fixtures/plugs/fixture-web.yaml', [web])
    expect(result.settings).toEqual({})
    expect(result.withheld).toEqual({GREETING: 'its value on the instance contains a secret value'})
    expect(JSON.stringify(result)).not.toContain(SENTINEL)
  })

  it('marks a declared variable secret when the instance labelled the key that holds it', () => {
    const web = container(
      'web',
      {[LABEL.entry]: 'true', [LABEL.secretKeys]: 'GREETING'},
      {GREETING: 'private words', APP_SECRET: SENTINEL},
    )
    const {export: result} = reading('test/fixtures/plugs/fixture-web.yaml', [web])
    expect(result.secretVariables).toEqual(['APP_SECRET', 'GREETING'])
    expect(result.settings).toEqual({})
  })
})
