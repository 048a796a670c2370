import {describe, expect, it} from 'vitest'
import {COMMANDS} from '../../../src/core/commands/index.js'
import {complete, completionNeeds, completionScript, type CompletionData} from '../../../src/core/complete.js'

const data: CompletionData = {
  hosts: ['vps', 'local'],
  tenants: ['acme', 'globex'],
  instances: ['acme/n8n', 'acme/blog', 'globex/n8n'],
  plugs: ['n8n', 'ghost', 'gitea'],
  configKeys: ['default-tenant', 'tenants.acme.tier', 'ai.provider'],
  defaultTenant: 'acme',
}
const c = (line: string) => complete(line.split(' '), COMMANDS, data)

describe('complete', () => {
  it('completes command words and aliases from the declarations', () => {
    expect(c('pl')).toEqual(['plug'])
    expect(c('plug s')).toEqual(['scale', 'start', 'status', 'stop'])
    expect(c('q')).toEqual(['quickstart'])
    expect(c('p')).toEqual(['plug', 'ps'])
  })

  it('completes instance refs (bare names of the default tenant too), plug ids, hosts, tenants, config keys', () => {
    expect(c('plug logs ')).toEqual(['acme/blog', 'acme/n8n', 'blog', 'globex/n8n', 'n8n'])
    expect(c('plug restart g')).toEqual(['globex/n8n'])
    expect(c('plug up g')).toEqual(['ghost', 'gitea'])
    expect(c('host use ')).toEqual(['local', 'vps'])
    expect(c('ps --tenant ')).toEqual(['acme', 'globex'])
    expect(c('plug up n8n -t g')).toEqual(['globex'])
    expect(c('doctor --host v')).toEqual(['vps'])
    expect(c('config get tenants.')).toEqual(['tenants.acme.tier'])
    expect(c('quickstart ')).toEqual(['down', 'up'])
  })

  it('completes flags of the command, and counts positionals past flags and their values', () => {
    expect(c('plug up n8n --te')).toEqual(['--tenant'])
    expect(c('plug logs --tail 5 ')).toEqual(['acme/blog', 'acme/n8n', 'blog', 'globex/n8n', 'n8n'])
    expect(c('plug logs acme/n8n ')).toEqual([])
    expect(c('plug up n8n --name ')).toEqual([])
  })

  it('reads only what it needs: no catalog for an instance, no host for a plug id', () => {
    expect(completionNeeds(['plug', 'logs', ''], COMMANDS)).toEqual(new Set(['defaultTenant', 'instances']))
    expect(completionNeeds(['plug', 'up', ''], COMMANDS)).toEqual(new Set(['plugs']))
    expect(completionNeeds(['pl'], COMMANDS)).toEqual(new Set())
  })

  it('the scripts call aims completion --complete for bash, zsh and fish', () => {
    for (const shell of ['bash', 'zsh', 'fish'] as const)
      expect(completionScript(shell)).toMatch(/aims completion --complete --/)
    expect(completionScript('bash')).toMatch(/complete -o default -F _aims_complete aims/)
    expect(completionScript('zsh')).toMatch(/compdef _aims aims/)
    expect(completionScript('fish')).toMatch(/^complete -c aims -f -a/m)
  })
})
