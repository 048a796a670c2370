/** Idempotent state changes (issue 11): stopping a stopped instance (or starting a running one) changes nothing. */
import {describe, expect, it} from 'vitest'
import {instanceRef} from '../../../src/core/names.js'
import {changeState} from '../../../src/services/plug-manage.js'
import {renderStateChange} from '../../../src/ui/present/lifecycle.js'
import {makeStyle} from '../../../src/ui/style.js'
import {deploy, FakeApprover, makeWorld} from '../../support/lifecycle-fakes.js'

const STACK = instanceRef('acme', 'stack')

async function deployedStack() {
  const world = makeWorld()
  await deploy(world.deps, {plug: 'fixture-stack', name: 'stack', tenant: 'acme', env: [], expose: false, links: []})
  return world
}

describe('changeState when there is nothing to do', () => {
  it('stop of a stopped instance: "already stopped", no engine call, no lock, no question, no audit record', async () => {
    const world = await deployedStack()
    await changeState(world.deps, STACK, 'stop')
    world.log.length = 0
    world.audit.records.length = 0
    world.approver = new FakeApprover('unexpected')
    world.deps.approver = world.approver
    const result = await changeState(world.deps, STACK, 'stop')
    expect(result).toMatchObject({status: 'unchanged', already: 'stopped', instance: 'acme/stack', action: 'plug-stop'})
    expect(result.plan.changes).toEqual([])
    expect(world.log.filter((entry) => !entry.startsWith('probe '))).toEqual([])
    expect(world.audit.records).toEqual([])
    expect(renderStateChange('stop', result, makeStyle(false))).toBe(
      '✓ acme/stack is already stopped: nothing changed.',
    )
  })

  it('start of a running instance: "already running"; restart still restarts', async () => {
    const world = await deployedStack()
    world.log.length = 0
    world.audit.records.length = 0
    const start = await changeState(world.deps, STACK, 'start')
    expect(start).toMatchObject({status: 'unchanged', already: 'running'})
    expect(world.engine.calls('start')).toEqual([])
    expect(world.audit.records).toEqual([])
    const restart = await changeState(world.deps, STACK, 'restart')
    expect(restart.status).toBe('applied')
    expect(world.engine.calls('restart')).toEqual(['aims-acme-stack-backend', 'aims-acme-stack-front'])
  })

  it('a partly stopped instance is stopped (only what runs counts as done)', async () => {
    const world = await deployedStack()
    await world.engine.stopContainer('aims-acme-stack-front')
    const result = await changeState(world.deps, STACK, 'stop')
    expect(result.status).toBe('applied')
  })
})
