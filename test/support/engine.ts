/** Direct looks at the bed's engine (the test's own eyes, independent of aims). */
import {execFile} from 'node:child_process'
import {promisify} from 'node:util'

const run = promisify(execFile)

export async function docker(args: string[]): Promise<string> {
  const {stdout} = await run('docker', args, {maxBuffer: 32 * 1024 * 1024})
  return stdout
}

/** Names of aims-labelled containers, volumes and networks matching the labels. */
export async function aimsObjects(
  labels: Record<string, string>,
): Promise<{containers: string[]; volumes: string[]; networks: string[]}> {
  const filters = Object.entries(labels).flatMap(([key, value]) => ['--filter', `label=${key}=${value}`])
  const lines = (text: string) =>
    text
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean)
  const [containers, volumes, networks] = await Promise.all([
    docker(['ps', '-a', '--format', '{{.Names}}', ...filters]),
    docker(['volume', 'ls', '--format', '{{.Name}}', ...filters]),
    docker(['network', 'ls', '--format', '{{.Name}}', ...filters]),
  ])
  return {containers: lines(containers), volumes: lines(volumes), networks: lines(networks)}
}

export async function containerEnv(name: string): Promise<Record<string, string>> {
  const env = JSON.parse(await docker(['inspect', '--format', '{{json .Config.Env}}', name])) as string[]
  return Object.fromEntries(env.map((item) => [item.slice(0, item.indexOf('=')), item.slice(item.indexOf('=') + 1)]))
}

/** A GET with node:http (fetch refuses to send a Host header, which routing tests need). */
export async function httpGet(
  url: string,
  headers: Record<string, string> = {},
): Promise<{status: number; body: string}> {
  const {request} = await import('node:http')
  return new Promise((resolve, reject) => {
    const req = request(url, {headers, timeout: 5000}, (response) => {
      let body = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => (body += chunk))
      response.on('end', () => resolve({status: response.statusCode ?? 0, body}))
    })
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)))
    req.on('error', reject)
    req.end()
  })
}

/** Removes everything of a tenant (test cleanup only; aims itself never does this). */
export async function purgeTenant(tenant: string): Promise<void> {
  const objects = await aimsObjects({'aims.tenant': tenant})
  if (objects.containers.length > 0) await docker(['rm', '-f', ...objects.containers]).catch(() => '')
  if (objects.volumes.length > 0) await docker(['volume', 'rm', '-f', ...objects.volumes]).catch(() => '')
  for (const network of objects.networks) await docker(['network', 'rm', network]).catch(() => '')
}

/** Test cleanup of nginx confs left by a failed test (aims removes its own on plug down). */
export async function removeConfs(match: (name: string) => boolean, dir = '/etc/nginx/conf.d/plugs'): Promise<void> {
  const {readdirSync, rmSync} = await import('node:fs')
  let removed = 0
  for (const name of readdirSync(dir)) {
    if (match(name)) {
      rmSync(`${dir}/${name}`, {force: true})
      removed++
    }
  }
  if (removed > 0) await promisify(execFile)('nginx', ['-s', 'reload'])
}
