import {describe, expect, it} from 'vitest'
import {CatalogValidationError} from '../../../../src/core/catalog/validate.js'
import {testPlug} from '../../../support/catalog-fakes.js'

const web = {
  image: 'example/web:1.0.0',
  entry: {port: 8080},
  health: {type: 'http', path: '/health'},
}
const api = {image: 'example/api:1.0.0', ports: [8001], health: {type: 'tcp', port: 8001}}
const job = {image: 'example/migrate:1.0.0', run: 'once', command: ['migrate']}

/** Every issue parsePlug reports, as "path: message" lines. */
function issuesOf(overrides: Record<string, unknown>): string[] {
  try {
    testPlug('v2', overrides)
  } catch (error) {
    if (error instanceof CatalogValidationError) return error.issues.map((issue) => `${issue.path}: ${issue.message}`)
    throw error
  }
  return []
}

describe('catalog v2: path routes', () => {
  it('accepts a route to another service port', () => {
    const plug = testPlug('v2', {services: {web, api}, routes: [{path: '/api/', service: 'api', port: 8001}]})
    expect(plug.routes).toEqual([{path: '/api/', service: 'api', port: 8001}])
  })

  it('names an unknown service, a port the service does not declare, "/" and a repeated path', () => {
    expect(issuesOf({services: {web, api}, routes: [{path: '/api/', service: 'gw', port: 8001}]})).toEqual([
      'routes[0].service: routes to unknown service "gw": use one of web, api',
    ])
    expect(issuesOf({services: {web, api}, routes: [{path: '/api/', service: 'api', port: 9999}]})).toEqual([
      'routes[0].port: port 9999 is not a port of "api": add it to its ports (or its entry)',
    ])
    expect(issuesOf({services: {web, api}, routes: [{path: '/', service: 'api', port: 8001}]})).toEqual([
      'routes[0].path: "/" goes to the entry service: route a longer path such as /api/',
    ])
    const twice = [
      {path: '/api/', service: 'api', port: 8001},
      {path: '/api/', service: 'api', port: 8001},
    ]
    expect(issuesOf({services: {web, api}, routes: twice})).toEqual(['routes[1].path: /api/ is routed twice: keep one'])
  })

  it('refuses paths nginx would read as more than a prefix', () => {
    for (const path of ['api', '/api/ x', '/api;', '/a/../b', '~ ^/api', '/$x'])
      expect(issuesOf({services: {web, api}, routes: [{path, service: 'api', port: 8001}]})[0]).toMatch(
        /^routes\[0\]\.path: /,
      )
  })
})

describe('catalog v2: one-shot jobs', () => {
  it('accepts a job the services wait for with condition completed', () => {
    const plug = testPlug('v2', {services: {web: {...web, depends_on: {migrate: 'completed'}}, migrate: job}})
    expect(plug.services.migrate!.run).toBe('once')
  })

  it('explains a job waited for as started or healthy, and completed on a service that stays up', () => {
    expect(issuesOf({services: {web: {...web, depends_on: {migrate: 'started'}}, migrate: job}})).toEqual([
      'services.web.depends_on.migrate: "migrate" is a one-shot job (run: once): wait for it with condition completed',
    ])
    expect(issuesOf({services: {web: {...web, depends_on: {api: 'completed'}}, api}})).toEqual([
      'services.web.depends_on.api: waits for "api" to complete, but "api" is not a one-shot job: give it run: once ' +
        'or use condition started/healthy',
    ])
  })

  it('refuses a job with an entry, a health check or ports', () => {
    expect(issuesOf({services: {web: {...web, run: 'once'}}})).toEqual(
      expect.arrayContaining([
        'services.web.entry: a one-shot job (run: once) cannot be the entry: drop entry or run: once',
        'services.web.health: a one-shot job (run: once) has no health check: its exit code (0) is what counts',
      ]),
    )
    expect(issuesOf({services: {web, migrate: {...job, ports: [1]}}})).toEqual([
      'services.migrate.ports: a one-shot job (run: once) serves no ports: drop ports',
    ])
  })

  it('refuses a route to a job', () => {
    expect(issuesOf({services: {web, migrate: job}, routes: [{path: '/m/', service: 'migrate', port: 1}]})).toEqual([
      'routes[0].service: "migrate" is a one-shot job: route to a service that stays up',
    ])
  })
})

describe('catalog v2: files', () => {
  const withFile = (file: Record<string, unknown>, env: Record<string, unknown> = {}) => ({
    services: {web: {...web, files: [file]}},
    env,
  })

  it('accepts a template with plug variables, built-ins and the container own $NAME; mode defaults to 0644', () => {
    const plug = testPlug(
      'v2',
      withFile(
        {path: '/etc/app.yaml', template: 'key: ${KEY}\nurl: ${AIMS_URL}\nhome: $HOME\n'},
        {KEY: {description: 'k'}},
      ),
    )
    expect(plug.services.web!.files).toEqual([
      {path: '/etc/app.yaml', template: 'key: ${KEY}\nurl: ${AIMS_URL}\nhome: $HOME\n', mode: '0644'},
    ])
  })

  it('names an undeclared variable, a relative or directory path, a bad mode and a repeated path', () => {
    expect(issuesOf(withFile({path: '/etc/app.yaml', template: '${NOPE}'}))).toEqual([
      expect.stringMatching(/^services\.web\.files\[0\]\.template: references \$\{NOPE\}, which is neither/),
    ])
    expect(issuesOf(withFile({path: 'etc/app.yaml', template: ''}))[0]).toMatch(
      /^services\.web\.files\[0\]\.path: must be an absolute path/,
    )
    expect(issuesOf(withFile({path: '/etc/', template: ''}))[0]).toBe(
      'services.web.files[0].path: must name a file, not a directory',
    )
    expect(issuesOf(withFile({path: '/etc/a', template: '', mode: '777x'}))[0]).toBe(
      'services.web.files[0].mode: an octal mode such as "0644"',
    )
    const twice = {
      services: {
        web: {
          ...web,
          files: [
            {path: '/a', template: ''},
            {path: '/a', template: ''},
          ],
        },
      },
    }
    expect(issuesOf(twice)).toEqual(['services.web.files[1].path: /a is already a file of this service: keep one'])
  })
})
