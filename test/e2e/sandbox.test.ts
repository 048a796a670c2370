/**
 * aims sandbox on the bed: a throwaway container with limits and no way out (no published ports, no
 * mounts, no Docker socket, its own network), exec and shell into it, rm, and the TTL: the engine
 * removes it at its TTL with no aims process running; the next sandbox command sweeps its network.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {aims, homeWithHost} from '../support/aims.js'
import {docker} from '../support/engine.js'

const TENANT = 'bd-sandbox'
let home: string
const run = (args: string[], input?: string) => aims(args, {home, ...(input !== undefined ? {input} : {})})

async function mine(kind: 'ps' | 'network'): Promise<string[]> {
  const args =
    kind === 'ps'
      ? [
          'ps',
          '-a',
          '--filter',
          `label=aims.tenant=${TENANT}`,
          '--filter',
          'label=aims.sandbox',
          '--format',
          '{{.Names}}',
        ]
      : [
          'network',
          'ls',
          '--filter',
          `label=aims.tenant=${TENANT}`,
          '--filter',
          'label=aims.sandbox',
          '--format',
          '{{.Name}}',
        ]
  return (await docker(args)).split('\n').filter(Boolean)
}

beforeAll(async () => {
  home = await homeWithHost()
})
afterAll(async () => {
  for (const name of await mine('ps')) await docker(['rm', '-f', name]).catch(() => '')
  for (const name of await mine('network')) await docker(['network', 'rm', name]).catch(() => '')
})

describe('aims sandbox', () => {
  it('starts an isolated, limited sandbox; exec and shell run in it; rm removes it and its network', async () => {
    const created = await run([
      'sandbox',
      '--tenant',
      TENANT,
      '--ttl',
      '10m',
      '--memory',
      '256m',
      '--cpus',
      '0.5',
      '--yes',
      '--json',
    ])
    expect(created.code, created.stderr).toBe(0)
    const sandbox = created.json()
    expect(sandbox).toMatchObject({status: 'running', tenant: TENANT, image: 'debian:bookworm-slim'})
    expect(sandbox.id).toMatch(/^sb-[a-z0-9]{8}$/)
    const name = `aims-sandbox-${sandbox.id}`
    const inspect = JSON.parse(await docker(['inspect', name]))[0]
    expect(inspect.HostConfig).toMatchObject({
      AutoRemove: true,
      Memory: 256 * 1024 * 1024,
      NanoCpus: 5e8,
      PidsLimit: 256,
      SecurityOpt: ['no-new-privileges'],
      NetworkMode: `aims-${sandbox.id}`,
    })
    expect(inspect.Mounts).toEqual([])
    expect(inspect.HostConfig.PortBindings ?? {}).toEqual({})
    expect(Object.keys(inspect.NetworkSettings.Networks)).toEqual([`aims-${sandbox.id}`])

    const exec = await run(['sandbox', 'exec', sandbox.id, '--', 'sh', '-c', 'echo hi from $(hostname); exit 3'])
    expect(exec.code).toBe(3)
    expect(exec.stdout).toMatch(/^hi from /)
    const socket = await run(['sandbox', 'exec', sandbox.id, '--', 'sh', '-c', 'test -e /var/run/docker.sock'])
    expect(socket.code).toBe(1)
    const json = await run(['sandbox', 'exec', sandbox.id, '--json', '--', 'cat', '/proc/self/status'])
    expect(json.code, json.stderr).toBe(0)
    expect(json.json()).toMatchObject({exitCode: 0})
    expect(json.json().output).toMatch(/NoNewPrivs:\s+1/)
    const shell = await run(['sandbox', 'shell', sandbox.id], 'echo shell says $((6 * 7))\n')
    expect(shell.code, shell.stderr).toBe(0)
    expect(shell.stdout).toContain('shell says 42')

    const ls = await run(['sandbox', 'ls', '--tenant', TENANT, '--json'])
    expect(ls.json().sandboxes.map((item: {id: string}) => item.id)).toContain(sandbox.id)

    expect((await run(['sandbox', 'rm', sandbox.id])).code).toBe(3)
    const rm = await run(['sandbox', 'rm', sandbox.id, '--yes'])
    expect(rm.code, rm.stderr).toBe(0)
    expect(await mine('ps')).not.toContain(name)
    expect(await mine('network')).not.toContain(`aims-${sandbox.id}`)
    const gone = await run(['sandbox', 'exec', sandbox.id, '--', 'true'])
    expect(gone.code).toBe(2)
    expect(gone.stderr).toMatch(/no running sandbox/)
  })

  it('is removed at its TTL with no aims running; the next sandbox command sweeps its network', async () => {
    const created = await run(['sandbox', '--tenant', TENANT, '--ttl', '6s', '--yes', '--json'])
    expect(created.code, created.stderr).toBe(0)
    const {id} = created.json()
    expect(await mine('ps')).toContain(`aims-sandbox-${id}`)
    // No aims process runs from here on: the engine itself ends and removes it.
    const deadline = Date.now() + 30_000
    while ((await mine('ps')).includes(`aims-sandbox-${id}`) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 500))
    expect(await mine('ps')).not.toContain(`aims-sandbox-${id}`)
    expect(await mine('network')).toContain(`aims-${id}`)
    const ls = await run(['sandbox', 'ls', '--tenant', TENANT, '--json'])
    expect(ls.code, ls.stderr).toBe(0)
    expect(ls.json().sandboxes.map((item: {id: string}) => item.id)).not.toContain(id)
    expect(await mine('network')).not.toContain(`aims-${id}`)
  }, 60_000)

  it('refuses bad input before connecting (exit 2)', async () => {
    for (const args of [
      ['sandbox', '--ttl', '1year', '--yes'],
      ['sandbox', '--image', 'debian', '--yes'],
      ['sandbox', '--memory', 'lots', '--yes'],
      ['sandbox', 'exec', 'nope', '--', 'true'],
      ['sandbox', 'exec', 'sb-12345678'],
    ]) {
      const result = await run(args)
      expect(result.code, args.join(' ')).toBe(2)
    }
  })
})
