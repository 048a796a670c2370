/**
 * The health checks an export bundle puts in docker-compose.yml try several
 * tools, because images ship different ones. Each branch runs here with a
 * PATH that holds only `sh` and that one tool (busybox wget as in the
 * fixtures, GNU wget, curl, node, python3, bash), against a local HTTP server:
 * 2xx and redirects are healthy, 5xx and a closed port are not, and an image
 * with none of the tools says so.
 */
import {execFile} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync, symlinkSync} from 'node:fs'
import {createServer, type Server} from 'node:http'
import {createServer as createTcpServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {httpProbeScript, tcpProbeScript} from '../../src/core/export/health.js'

const work = mkdtempSync(join(tmpdir(), 'exp-probes-'))
let server: Server
let port: number
let closedPort: number

/** A directory holding `sh` and the given tools (name → binary), to use as the whole PATH. */
function pathWith(name: string, tools: Record<string, string>): string {
  const dir = join(work, name)
  mkdirSync(dir)
  symlinkSync('/bin/sh', join(dir, 'sh'))
  for (const [tool, binary] of Object.entries(tools)) symlinkSync(binary, join(dir, tool))
  return dir
}

function probe(script: string, path: string): Promise<{code: number; stderr: string}> {
  return new Promise((resolve) => {
    execFile('/bin/sh', ['-c', script], {env: {PATH: path}, timeout: 15_000}, (error, _stdout, stderr) => {
      resolve({code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stderr})
    })
  })
}

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === '/ok') response.writeHead(200).end('ok')
    else if (request.url === '/moved') response.writeHead(302, {location: '/ok'}).end()
    else if (request.url === "/it's") response.writeHead(200).end('quoted')
    else response.writeHead(500).end('broken')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as {port: number}).port
  const closed = createTcpServer()
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
  closedPort = (closed.address() as {port: number}).port
  await new Promise<void>((resolve) => closed.close(() => resolve()))
})

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()))
  rmSync(work, {recursive: true, force: true})
})

const TOOLS: Array<[string, Record<string, string>]> = [
  ['busybox wget', {wget: '/usr/bin/busybox'}],
  ['GNU wget', {wget: '/usr/bin/wget'}],
  ['curl', {curl: '/usr/bin/curl'}],
  ['node', {node: process.execPath}],
  ['python3', {python3: '/usr/bin/python3'}],
  ['bash', {bash: '/usr/bin/bash'}],
]

describe.each(TOOLS)('the HTTP health check with only %s', (name, tools) => {
  it('passes on 200 and on a redirect, fails on 500 and on a closed port', async () => {
    const path = pathWith(`http-${name.replace(/\W/g, '-')}`, tools)
    expect(await probe(httpProbeScript(port, '/ok'), path)).toMatchObject({code: 0})
    expect(await probe(httpProbeScript(port, "/it's"), path)).toMatchObject({code: 0})
    expect(await probe(httpProbeScript(port, '/moved'), path)).toMatchObject({code: 0})
    expect((await probe(httpProbeScript(port, '/broken'), path)).code).not.toBe(0)
    expect((await probe(httpProbeScript(closedPort, '/ok'), path)).code).not.toBe(0)
  })
})

describe.each(TOOLS.filter(([name]) => ['node', 'python3', 'bash'].includes(name)))(
  'the TCP health check with only %s',
  (name, tools) => {
    it('passes on an open port and fails on a closed one', async () => {
      const path = pathWith(`tcp-${name}`, tools)
      expect(await probe(tcpProbeScript(port), path)).toMatchObject({code: 0})
      expect((await probe(tcpProbeScript(closedPort), path)).code).not.toBe(0)
    })
  },
)

it('says which tools it looked for when the image has none of them', async () => {
  const path = pathWith('none', {})
  expect(await probe(httpProbeScript(port, '/ok'), path)).toEqual({
    code: 1,
    stderr: 'health check: no HTTP client in the image (wget, curl, node, python3, bash)\n',
  })
  expect(await probe(tcpProbeScript(port), path)).toEqual({
    code: 1,
    stderr: 'health check: no TCP client in the image (bash, python3, node, nc)\n',
  })
})
