/**
 * The operations rules (src/core/intents/ops.ts): what they propose, and that a change on a node, a site, a
 * sandbox or an alert channel names only what the request wrote and, when the live context lists them, one
 * that exists (otherwise one question). No live lists: names are taken as written.
 */
import {describe, expect, it} from 'vitest'
import {parseUtterance, type IntentContext, type IntentResult} from '../../../../src/core/intents/index.js'
import {context} from './fixture.js'

const live: IntentContext = {
  ...context,
  hosts: ['prod', 'staging', 'edge'],
  host: 'prod',
  nodes: ['prod', 'staging'],
  sites: ['docs'],
  sandboxes: ['sb-1a2b3c4d'],
  alerts: ['1', '2'],
}

const argv = (result: IntentResult) => (result.kind === 'command' ? result.argv : result.kind)

describe('offline rules for the operations commands', () => {
  it.each([
    ['install the warden', ['warden', 'install']],
    ["show the warden's logs", ['warden', 'logs']],
    ['warden status', ['warden', 'status']],
    ['uninstall the warden and purge everything', ['warden', 'uninstall', '--purge']],
    ['list alerts', ['alerts', 'ls']],
    ['send a test alert', ['alerts', 'test']],
    ["send alerts to acme's n8n", ['alerts', 'add', 'n8n', 'acme/n8n']],
    ['health history', ['health', '--history']],
    ['start a sandbox for one hour', ['sandbox', '--ttl', '1h']],
    ['list the sandboxes', ['sandbox', 'ls']],
    ['remove sandbox sb-1a2b3c4d', ['sandbox', 'rm', 'sb-1a2b3c4d']],
    ['roll back the docs site', ['site', 'rollback', 'docs']],
    ['drain staging', ['cluster', 'drain', 'staging']],
    ['show the cluster nodes', ['cluster', 'ls']],
    ['what is running on staging', ['plug', 'ls', '--host', 'staging']],
    ['what is running on prod', ['plug', 'ls']],
  ])('%s → %j', (text, expected) => {
    expect(argv(parseUtterance(text, live))).toEqual(expected)
  })

  it.each([
    'drain edge', // a host, not a node of the cluster
    'drain the node vps9',
    'remove sandbox sb-ffffffff',
    'roll back the landing site',
    'remove alert channel 7',
    'alert me by email at ops@example.com', // the SMTP server is never guessed
    'restore acme/n8n from the last backup', // which backup is not said
    'send alerts to the blog', // not an n8n
    'take staging out of the cluster', // leave (for good) or drain: asked
  ])('asks, never changes: %s', (text) => {
    const result = parseUtterance(text, live)
    expect(result.kind).not.toBe('command')
  })

  it('with no live lists, takes a written node or sandbox id as written, and never one it was not told', () => {
    expect(argv(parseUtterance('drain node vps2', context))).toEqual(['cluster', 'drain', 'vps2'])
    expect(argv(parseUtterance('remove sandbox sb-99', context))).toEqual(['sandbox', 'rm', 'sb-99'])
    expect(parseUtterance('remove the sandbox', context).kind).toBe('clarify')
    expect(parseUtterance('drain a node', context).kind).toBe('clarify')
  })

  it('"get tea" is gitea only when gitea is a plug or an instance', () => {
    expect(argv(parseUtterance('restart get tea', context))).toEqual(['plug', 'restart', 'gitea'])
    const without = {...context, catalog: context.catalog.filter((plug) => plug.id !== 'gitea'), instances: []}
    expect(argv(parseUtterance('restart get tea', without))).not.toContain('gitea')
  })
})
