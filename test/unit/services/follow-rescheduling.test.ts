import {describe, expect, it} from 'vitest'
import {upstreamServers} from '../../../src/services/follow-rescheduling.js'

describe('reading the upstream nginx routes an instance to', () => {
  it('lists the server lines of the upstream block, sorted, and nothing else', () => {
    const conf = [
      'upstream aims_acme_web {',
      '    server 10.99.0.3:51002;',
      '    server 10.99.0.1:51000 max_fails=1;',
      '    keepalive 16;',
      '}',
      'server {',
      '    server_name web.acme.example.com;',
      '    location / { proxy_pass http://aims_acme_web; }',
      '}',
    ].join('\n')
    expect(upstreamServers(conf)).toEqual(['10.99.0.1:51000', '10.99.0.3:51002'])
    expect(upstreamServers('server { server_name x; }')).toEqual([])
  })
})
