// plug up of a fixture plug against `docker run` + waiting for HTTP 200 of
// the same image with the same settings (network, volume, limits, init,
// 127.0.0.1 port) on the same engine. Both are timed until the app answers
// 200 on its port. Two transports:
// - local: aims on the local socket vs `docker run` on the local socket;
// - ssh: aims over its one SSH connection vs `docker -H ssh://… run`, the
//   docker CLI's own SSH transport.
// The tenant network exists beforehand on both sides (steady state: the
// tenant's first deploy also creates its network, ~130 ms here, reported apart).
// Runs are interleaved; medians. Needs the bed.
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync} from 'node:fs'
import {get} from 'node:http'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {BIN, ROOT, median, round, timed} from './lib.js'

const RUNS = Number(process.env.BENCH_PLUG_UP_RUNS) || 5
const TENANT = 'bench-up'
const PORT = 51_950

function ok200(port) {
  return new Promise((resolve) => {
    const request = get({host: '127.0.0.1', port, path: '/health', timeout: 1000}, (response) => {
      response.resume()
      resolve(response.statusCode === 200)
    })
    request.on('error', () => resolve(false))
    request.on('timeout', () => request.destroy())
  })
}

async function until200(port, deadline = Date.now() + 30_000) {
  while (!(await ok200(port))) {
    if (Date.now() > deadline) throw new Error(`nothing answered 200 on ${port}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

export async function benchPlugUp({runs = RUNS} = {}) {
  const bed = JSON.parse(readFileSync(join(ROOT, '.bed', 'bed.json'), 'utf8'))
  const work = mkdtempSync(join(tmpdir(), 'aims-bench-up-'))
  const aimsEnv = {
    ...process.env,
    HOME: join(work, 'home'),
    AIMS_HOME: join(work, 'home', '.aims'),
    NO_COLOR: '1',
    AIMS_CATALOG_PATH: join(ROOT, 'test', 'fixtures', 'plugs'),
  }
  delete aimsEnv.SSH_AUTH_SOCK
  delete aimsEnv.DOCKER_HOST
  const aims = (args) => timed(process.execPath, [BIN, ...args], {env: aimsEnv})
  // docker CLI over SSH: ssh reads ~ from the password database, so a wrapper hands it a config.
  const bin = join(work, 'bin')
  mkdirSync(bin)
  const sshConfig = join(work, 'ssh_config')
  writeFileSync(
    sshConfig,
    [
      `Host ${bed.sshHost}`,
      `  Port ${bed.sshPort}`,
      '  User root',
      `  IdentityFile ${bed.identity}`,
      '  IdentitiesOnly yes',
      `  UserKnownHostsFile ${bed.knownHosts}`,
      '  BatchMode yes',
      '',
    ].join('\n'),
  )
  writeFileSync(join(bin, 'ssh'), `#!/bin/sh\nexec /usr/bin/ssh -F '${sshConfig}' "$@"\n`)
  chmodSync(join(bin, 'ssh'), 0o755)
  const dockerEnv = {...process.env, PATH: `${bin}:${process.env.PATH}`}
  delete dockerEnv.DOCKER_HOST
  const network = `aims-t-${TENANT}`
  const dockerRun = (hostArgs, name) =>
    timed(
      'docker',
      [
        ...hostArgs,
        'run',
        '-d',
        '--name',
        name,
        '--init',
        '--network',
        network,
        '--memory',
        '64m',
        '--memory-swap',
        '64m',
        '--cpus',
        '0.25',
        '--restart',
        'unless-stopped',
        '-v',
        `${name}-data:/data`,
        '-p',
        `127.0.0.1:${PORT}:8080`,
        'aims-fixture/web:1',
      ],
      {env: dockerEnv},
    )
  const cleanDocker = async (name) => {
    await timed('docker', ['rm', '-f', name], {allowFailure: true})
    await timed('docker', ['volume', 'rm', '-f', `${name}-data`], {allowFailure: true})
  }
  const results = {local: {aims: [], docker: []}, ssh: {aims: [], docker: []}}
  try {
    await aims(['host', 'add', 'bench', `root@${bed.sshHost}:${bed.sshPort}`, '--identity', bed.identity])
    await aims(['host', 'trust', 'bench', '--yes'])
    // Keeps the tenant network in place for both sides.
    await aims(['plug', 'up', 'fixture-web', '--name', 'keeper', '--tenant', TENANT, '--host', 'local', '--yes'])
    for (let run = 0; run < runs; run++) {
      for (const transport of ['local', 'ssh']) {
        const hostFlag = transport === 'local' ? 'local' : 'bench'
        const started = performance.now()
        const up = await aims([
          'plug',
          'up',
          'fixture-web',
          '--name',
          'measured',
          '--tenant',
          TENANT,
          '--host',
          hostFlag,
          '--yes',
          '--json',
        ])
        const port = JSON.parse(up.stdout).port
        await until200(port)
        results[transport].aims.push(performance.now() - started)
        await aims(['plug', 'down', `${TENANT}/measured`, '--host', hostFlag, '--yes'])

        const name = `bench-docker-run-${run}`
        const dockerStarted = performance.now()
        await dockerRun(transport === 'local' ? [] : ['-H', `ssh://root@${bed.sshHost}:${bed.sshPort}`], name)
        await until200(PORT)
        results[transport].docker.push(performance.now() - dockerStarted)
        await cleanDocker(name)
      }
    }
  } finally {
    await aims(['plug', 'down', `${TENANT}/keeper`, '--host', 'local', '--yes']).catch(() => undefined)
    await aims(['plug', 'down', `${TENANT}/measured`, '--host', 'local', '--yes']).catch(() => undefined)
    rmSync(work, {recursive: true, force: true})
  }
  const rows = []
  for (const transport of ['local', 'ssh']) {
    const aimsMs = median(results[transport].aims)
    const dockerMs = median(results[transport].docker)
    const ratio = aimsMs / dockerMs
    rows.push(
      {
        bench: 'plug-up',
        subject: `aims plug up fixture-web (${transport}) → HTTP 200`,
        runs: runs,
        medianMs: round(aimsMs),
        ratio: round(ratio, 2),
        budget: '<= 1.3x',
        ok: ratio <= 1.3,
      },
      {
        bench: 'plug-up',
        subject: `docker ${transport === 'ssh' ? '-H ssh://… ' : ''}run (same settings) → HTTP 200`,
        runs: runs,
        medianMs: round(dockerMs),
        ratio: 1,
        budget: '',
        ok: true,
      },
    )
  }
  return rows
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.table(await benchPlugUp())
}
