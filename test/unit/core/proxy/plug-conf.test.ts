import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {readTemplate} from '../../../../src/adapters/templates.js'
import {AimsError} from '../../../../src/core/errors.js'
import {
  checkNginxToken,
  confFileName,
  confOwner,
  confOwnerLine,
  PLUG_CONF_TEMPLATE,
  proxySettingsFor,
  renderIncludeConf,
  renderPlugConf,
  serverNameFor,
  SERVER_NAME_PLACEHOLDER,
  staleConfs,
  tlsFilesFor,
  type PlugConfInput,
} from '../../../../src/core/proxy/plug-conf.js'
import {renderTemplate} from '../../../../src/core/proxy/template.js'

const TEMPLATE = readFileSync(new URL('../../../../templates/nginx/plug.conf.tmpl', import.meta.url), 'utf8')

const base = (): PlugConfInput => ({
  tenant: 'acme',
  instance: 'n8n',
  plug: 'n8n',
  serverNames: ['n8n.acme.example.com'],
  upstreams: [{host: '127.0.0.1', port: 51000}],
  proxy: {clientMaxBodySize: '50m', readTimeoutSeconds: 120, websockets: true},
})

function errorOf(run: () => unknown): AimsError {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(AimsError)
    return error as AimsError
  }
  throw new Error('expected an AimsError, nothing was thrown')
}

/** nginx directives of a rendered conf, comments and blank lines left out. */
const directives = (conf: string) =>
  conf
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))

describe('renderPlugConf', () => {
  it('renders an upstream and a port-80 server with forwarded headers, WebSockets, body size and timeouts', () => {
    const conf = renderPlugConf(TEMPLATE, base())
    expect(conf.split('\n')[0]).toBe('# aims-owner: acme/n8n')
    expect(directives(conf)).toEqual([
      'upstream aims_acme_n8n {',
      'server 127.0.0.1:51000;',
      'keepalive 16;',
      '}',
      'server {',
      'listen 80;',
      'server_name n8n.acme.example.com;',
      'add_header X-Aims-Instance acme/n8n always;',
      'client_max_body_size 50m;',
      'location / {',
      'proxy_pass http://aims_acme_n8n;',
      'proxy_http_version 1.1;',
      'proxy_set_header Host $host;',
      'proxy_set_header X-Real-IP $remote_addr;',
      'proxy_set_header X-Forwarded-For $remote_addr;',
      'proxy_set_header X-Forwarded-Proto $scheme;',
      'proxy_set_header X-Forwarded-Host $host;',
      'proxy_set_header X-Forwarded-Port $server_port;',
      'proxy_set_header Upgrade $http_upgrade;',
      'proxy_set_header Connection $aims_connection_upgrade;',
      'proxy_connect_timeout 10s;',
      'proxy_send_timeout 120s;',
      'proxy_read_timeout 120s;',
      '}',
      '}',
    ])
    expect(conf).not.toMatch(/\n\n\n/)
  })

  it('lists every replica in the upstream, once each', () => {
    const conf = renderPlugConf(TEMPLATE, {
      ...base(),
      upstreams: [
        {host: '127.0.0.1', port: 51000},
        {host: '127.0.0.1', port: 51001},
        {host: '127.0.0.1', port: 51000},
        {host: 'web', port: 8080},
      ],
    })
    expect(directives(conf).filter((line) => /^server \S+:\d+;$/.test(line))).toEqual([
      'server 127.0.0.1:51000;',
      'server 127.0.0.1:51001;',
      'server web:8080;',
    ])
  })

  it('without WebSockets clears Connection (for upstream keepalive) and sends no Upgrade', () => {
    const conf = renderPlugConf(TEMPLATE, {
      ...base(),
      proxy: {clientMaxBodySize: '10M', readTimeoutSeconds: 60, websockets: false},
    })
    expect(conf).toContain('proxy_set_header Connection "";')
    expect(conf).not.toContain('Upgrade')
    expect(conf).not.toContain('$aims_connection_upgrade')
    expect(conf).toContain('client_max_body_size 10m;')
  })

  it('with several server names, lower-cased and deduplicated, on one server_name line', () => {
    const conf = renderPlugConf(TEMPLATE, {
      ...base(),
      serverNames: ['n8n.acme.example.com', 'Automation.ACME.com', 'automation.acme.com'],
    })
    expect(conf).toContain('server_name n8n.acme.example.com automation.acme.com;')
  })

  it('with no server name renders only the upstream: no server block, so nothing is routed', () => {
    const conf = renderPlugConf(TEMPLATE, {...base(), serverNames: []})
    expect(directives(conf)).toEqual(['upstream aims_acme_n8n {', 'server 127.0.0.1:51000;', 'keepalive 16;', '}'])
    expect(conf).toContain('reach it on 127.0.0.1:51000')
  })

  it('with TLS serves 443 with the certificate and redirects port 80 to https', () => {
    const conf = renderPlugConf(TEMPLATE, {
      ...base(),
      tls: {
        certificate: '/etc/letsencrypt/live/example.com/fullchain.pem',
        key: '/etc/letsencrypt/live/example.com/privkey.pem',
      },
    })
    const lines = directives(conf)
    expect(lines.filter((line) => line.startsWith('listen'))).toEqual(['listen 80;', 'listen 443 ssl;'])
    expect(lines).toContain('return 301 https://$host$request_uri;')
    expect(lines).toContain('ssl_certificate /etc/letsencrypt/live/example.com/fullchain.pem;')
    expect(lines).toContain('ssl_certificate_key /etc/letsencrypt/live/example.com/privkey.pem;')
    expect(lines.filter((line) => line === 'server_name n8n.acme.example.com;')).toHaveLength(2)
    // The redirect server proxies nothing; the 443 server does.
    const [redirect, https] = conf.split(/\nserver \{/).slice(1)
    expect(redirect).not.toContain('proxy_pass')
    expect(https).toContain('proxy_pass http://aims_acme_n8n;')
  })

  it('listens on [::] too when asked', () => {
    const conf = renderPlugConf(TEMPLATE, {
      ...base(),
      listenIpv6: true,
      tls: tlsFilesFor({certbotLiveDir: '/etc/letsencrypt/live/example.com/'}),
    })
    expect(directives(conf).filter((line) => line.startsWith('listen'))).toEqual([
      'listen 80;',
      'listen [::]:80;',
      'listen 443 ssl;',
      'listen [::]:443 ssl;',
    ])
  })

  it('listens on other ports when nginx sits behind something else, and redirects to the HTTPS port', () => {
    const conf = renderPlugConf(TEMPLATE, {
      ...base(),
      ports: {http: 8080, https: 8443},
      tls: tlsFilesFor({certbotLiveDir: '/etc/letsencrypt/live/example.com'}),
    })
    expect(directives(conf).filter((line) => line.startsWith('listen'))).toEqual(['listen 8080;', 'listen 8443 ssl;'])
    expect(conf).toContain('return 301 https://$host:8443$request_uri;')
    expect(errorOf(() => renderPlugConf(TEMPLATE, {...base(), ports: {http: 0}})).message).toContain(
      'invalid nginx HTTP port',
    )
  })

  it('accepts the export placeholder as a server name', () => {
    expect(renderPlugConf(TEMPLATE, {...base(), serverNames: [SERVER_NAME_PLACEHOLDER]})).toContain(
      `server_name ${SERVER_NAME_PLACEHOLDER};`,
    )
  })

  it('keeps tenants apart in upstream names even when names run together with "-"', () => {
    const one = renderPlugConf(TEMPLATE, {...base(), tenant: 'a-b', instance: 'c'})
    const two = renderPlugConf(TEMPLATE, {...base(), tenant: 'a', instance: 'b-c'})
    expect(one).toContain('upstream aims_a-b_c {')
    expect(two).toContain('upstream aims_a_b-c {')
  })

  it('refuses an empty upstream list', () => {
    expect(errorOf(() => renderPlugConf(TEMPLATE, {...base(), upstreams: []})).message).toContain(
      'at least one replica',
    )
  })

  it('is the template aims ships (readTemplate finds it)', async () => {
    expect(await readTemplate(PLUG_CONF_TEMPLATE)).toBe(TEMPLATE)
  })

  it('refuses a template that drops the owner line', () => {
    expect(errorOf(() => renderPlugConf(TEMPLATE.split('\n').slice(1).join('\n'), base())).message).toContain(
      'owner line',
    )
  })
})

/** Each of these, alone or appended to a valid value, must never reach a conf. */
const HOSTILE = [
  ';',
  '}',
  '{',
  '\n',
  '\r',
  '$',
  '"',
  "'",
  '#',
  ' ',
  '\t',
  '\\',
  '`',
  '\u0000',
  '\u2028',
  '*',
  '(',
  ')',
  '|',
  '&',
  '<',
  '>',
  ',',
]
const HOSTILE_VALUES = [
  ...HOSTILE.flatMap((char) => [char, `x${char}`, `x${char}y`]),
  '',
  'x.example.com; return 200 pwned',
  'x.example.com;\n  location /pwn { return 200 pwned; }',
  'x.example.com}\nserver { listen 80 default_server; return 200 pwned; }\n#',
  '${host}',
  '$remote_addr',
  '"x.example.com"',
  '../../etc/passwd',
  'x.example.com # comment',
  '-x',
  'x-',
]

type Field = {name: string; apply: (input: PlugConfInput, value: string) => PlugConfInput}
const stringFields: Field[] = [
  {name: 'tenant', apply: (input, value) => ({...input, tenant: value})},
  {name: 'instance', apply: (input, value) => ({...input, instance: value})},
  {name: 'plug', apply: (input, value) => ({...input, plug: value})},
  {name: 'server name', apply: (input, value) => ({...input, serverNames: ['ok.example.com', value]})},
  {name: 'upstream host', apply: (input, value) => ({...input, upstreams: [{host: value, port: 51000}]})},
  {
    name: 'upstream port',
    apply: (input, value) => ({...input, upstreams: [{host: '127.0.0.1', port: value as unknown as number}]}),
  },
  {
    name: 'client_max_body_size',
    apply: (input, value) => ({...input, proxy: {...input.proxy, clientMaxBodySize: value}}),
  },
  {
    name: 'read timeout',
    apply: (input, value) => ({...input, proxy: {...input.proxy, readTimeoutSeconds: value as unknown as number}}),
  },
  {
    name: 'websockets',
    apply: (input, value) => ({...input, proxy: {...input.proxy, websockets: value as unknown as boolean}}),
  },
  {
    name: 'tls certificate',
    apply: (input, value) => ({...input, tls: {certificate: `/etc/ssl/${value}`, key: '/etc/ssl/key.pem'}}),
  },
  {name: 'tls key', apply: (input, value) => ({...input, tls: {certificate: '/etc/ssl/cert.pem', key: value}})},
]

describe('hostile values', () => {
  // Values that a validator legitimately accepts as they are (e.g. "x-" as a TLS file name under /etc/ssl/).
  const acceptable = (field: string, value: string) =>
    field === 'tls certificate' && /^[A-Za-z0-9._+@=-]+$/.test(value) && !value.startsWith('.')

  for (const field of stringFields) {
    it(`are refused in the ${field.name} with a usage error`, () => {
      let refused = 0
      for (const value of HOSTILE_VALUES) {
        if (acceptable(field.name, value)) continue
        const error = errorOf(() => renderPlugConf(TEMPLATE, field.apply(base(), value)))
        expect(error.kind, `${field.name} = ${JSON.stringify(value)}`).toBe('usage')
        expect(error.message).not.toContain('\n')
        refused++
      }
      expect(refused).toBeGreaterThan(70)
    })
  }

  it('are refused by the renderer itself when a field validator is bypassed', () => {
    // Straight into the template, as if renderPlugConf forgot a check: the token check still refuses.
    for (const value of HOSTILE_VALUES) {
      const context = {
        owner: 'acme/n8n',
        tenant: 'acme',
        instance: 'n8n',
        plug: 'n8n',
        upstreamName: 'aims_acme_n8n',
        upstreams: [{host: '127.0.0.1', port: 51000}],
        keepalive: 16,
        routed: true,
        unrouted: false,
        firstUpstreamPort: 51000,
        serverNames: [{name: value}],
        ipv6: false,
        httpPort: 80,
        httpsPort: 443,
        customHttpsPort: false,
        clientMaxBodySize: '10m',
        readTimeoutSeconds: 60,
        websockets: true,
        tls: false,
        tlsCertificate: '',
        tlsKey: '',
        routes: [],
      }
      if (value === '' || /^[A-Za-z0-9._:/@+=-]+$/.test(value)) continue
      expect(
        errorOf(() => renderTemplate(TEMPLATE, context, {checkValue: checkNginxToken})).kind,
        JSON.stringify(value),
      ).toBe('usage')
    }
  })

  it('are refused in serverNameFor, confFileName, tlsFilesFor and renderIncludeConf', () => {
    for (const value of HOSTILE_VALUES) {
      // "example.com-x" and "example.com" are fine domains; everything else here is not.
      if (value !== '' && value !== '-x')
        expect(
          errorOf(() => serverNameFor({instance: 'n8n', tenant: 'acme', domain: `example.com${value}`})).kind,
        ).toBe('usage')
      expect(errorOf(() => serverNameFor({instance: value, tenant: 'acme', domain: 'example.com'})).kind).toBe('usage')
      expect(errorOf(() => confFileName('acme', value)).kind).toBe('usage')
      if (value !== '' && (!/^[A-Za-z0-9._+@=-]+$/.test(value) || value.startsWith('.'))) {
        expect(errorOf(() => tlsFilesFor({certbotLiveDir: `/etc/letsencrypt/live/${value}`})).kind).toBe('usage')
        expect(errorOf(() => renderIncludeConf(`/etc/nginx/conf.d/${value}`)).kind).toBe('usage')
      }
    }
  })

  it('refuses non-numbers, fractions and out-of-range numbers for ports and timeouts', () => {
    for (const port of [0, -1, 1.5, 65_536, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(errorOf(() => renderPlugConf(TEMPLATE, {...base(), upstreams: [{host: '127.0.0.1', port}]})).kind).toBe(
        'usage',
      )
    }
    for (const seconds of [0, 1.5, 86_401, Number.NaN]) {
      expect(
        errorOf(() => renderPlugConf(TEMPLATE, {...base(), proxy: {...base().proxy, readTimeoutSeconds: seconds}}))
          .kind,
      ).toBe('usage')
    }
    for (const size of ['10mb', '1t', '1.5m', '-1', '10 m', '1234567890m']) {
      expect(
        errorOf(() => renderPlugConf(TEMPLATE, {...base(), proxy: {...base().proxy, clientMaxBodySize: size}})).kind,
      ).toBe('usage')
    }
  })
})

describe('names and files', () => {
  it('confFileName is <tenant>-<instance>.conf', () => {
    expect(confFileName('acme', 'n8n')).toBe('acme-n8n.conf')
  })

  it('serverNameFor is <instance>.<tenant>.<domain>, lower-cased, at most 253 characters', () => {
    expect(serverNameFor({instance: 'n8n', tenant: 'acme', domain: 'Apps.Example.com'})).toBe(
      'n8n.acme.apps.example.com',
    )
    const longDomain = `${'d'.repeat(63)}.${'e'.repeat(63)}.${'f'.repeat(63)}.${'g'.repeat(55)}`
    expect(errorOf(() => serverNameFor({instance: 'n8n', tenant: 'acme', domain: longDomain})).message).toContain(
      'at most 253',
    )
    expect(errorOf(() => serverNameFor({instance: 'n8n', tenant: 'acme', domain: `${'x'.repeat(64)}.com`})).kind).toBe(
      'usage',
    )
  })

  it('tlsFilesFor maps a certbot live dir to fullchain.pem and privkey.pem, and checks explicit paths', () => {
    expect(tlsFilesFor({certbotLiveDir: '/etc/letsencrypt/live/example.com'})).toEqual({
      certificate: '/etc/letsencrypt/live/example.com/fullchain.pem',
      key: '/etc/letsencrypt/live/example.com/privkey.pem',
    })
    expect(tlsFilesFor({certificate: '/etc/ssl/a.crt', key: '/etc/ssl/a.key'})).toEqual({
      certificate: '/etc/ssl/a.crt',
      key: '/etc/ssl/a.key',
    })
    expect(errorOf(() => tlsFilesFor({certificate: 'relative.crt', key: '/etc/ssl/a.key'})).kind).toBe('usage')
    expect(errorOf(() => tlsFilesFor({certificate: '/etc/ssl/../shadow', key: '/etc/ssl/a.key'})).kind).toBe('usage')
  })

  it('proxySettingsFor maps the catalog proxy block', () => {
    expect(proxySettingsFor({client_max_body_size: '50M', read_timeout_seconds: 300, websockets: false})).toEqual({
      clientMaxBodySize: '50M',
      readTimeoutSeconds: 300,
      websockets: false,
    })
  })

  it('confOwner reads the owner line, and nothing else', () => {
    expect(confOwner(`${confOwnerLine('a-b', 'c')}\nupstream x {}`)).toEqual({tenant: 'a-b', instance: 'c'})
    expect(confOwner('server { listen 80; }')).toBeUndefined()
    expect(confOwner('# aims-owner: a/b/c')).toBeUndefined()
    expect(confOwner('# aims-owner: A/b')).toBeUndefined()
  })

  it('renderIncludeConf holds the shared WebSocket map and includes the conf dir', () => {
    const conf = renderIncludeConf('/etc/nginx/conf.d/plugs/')
    expect(conf).toContain('map $http_upgrade $aims_connection_upgrade {')
    expect(conf).toContain('server_names_hash_bucket_size 512;')
    expect(conf.trim().split('\n').at(-1)).toBe('include /etc/nginx/conf.d/plugs/*.conf;')
    expect(renderIncludeConf('/srv/plugs', {tuneServerNamesHash: false})).not.toContain('server_names_hash')
  })

  it('staleConfs lists confs of instances that no longer exist, ignoring temp files', () => {
    const names = ['acme-n8n.conf', 'acme-old.conf', 'beta-n8n.conf', 'acme-n8n.conf.aims-1a2b3c4d.tmp', 'zeta-x.conf']
    expect(
      staleConfs(names, [
        {tenant: 'acme', instance: 'n8n'},
        {tenant: 'beta', instance: 'n8n'},
      ]),
    ).toEqual(['acme-old.conf', 'zeta-x.conf'])
    expect(staleConfs([], [{tenant: 'acme', instance: 'n8n'}])).toEqual([])
    expect(staleConfs(names, [])).toEqual(['acme-n8n.conf', 'acme-old.conf', 'beta-n8n.conf', 'zeta-x.conf'])
  })
})
