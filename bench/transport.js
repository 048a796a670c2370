// Transport: 50 Docker API calls through aims' one SSH connection (one
// process: `aims host ping --count 50`) against 50 `docker -H ssh://…
// version` commands, each of which opens its own SSH connection. Needs the
// bed (test/bed/setup.sh). aims runs BENCH_AIMS_RUNS times (default 5, median).
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {BIN, ROOT, median, round, timed} from './lib.js'

const CALLS = 50

function bedFacts() {
  try {
    return JSON.parse(readFileSync(join(ROOT, '.bed', 'bed.json'), 'utf8'))
  } catch {
    throw new Error('the transport bench needs the test bed: run test/bed/setup.sh (as root) first')
  }
}

export async function benchTransport({
  aimsRuns = Number(process.env.BENCH_AIMS_RUNS) || 5,
  dockerCommands = CALLS,
} = {}) {
  const bed = bedFacts()
  const work = mkdtempSync(join(tmpdir(), 'aims-bench-'))
  try {
    // aims: its own home with the bed added and trusted (not timed).
    const aimsEnv = {
      ...process.env,
      HOME: join(work, 'aims-home'),
      AIMS_HOME: join(work, 'aims-home', '.aims'),
      NO_COLOR: '1',
    }
    delete aimsEnv.SSH_AUTH_SOCK
    await timed(
      process.execPath,
      [BIN, 'host', 'add', 'bench', `root@${bed.sshHost}:${bed.sshPort}`, '--identity', bed.identity],
      {env: aimsEnv},
    )
    await timed(process.execPath, [BIN, 'host', 'trust', 'bench', '--yes'], {env: aimsEnv})

    // docker CLI: ssh reads ~ from the password database, not $HOME, so a
    // wrapper first on PATH hands it a config (key, port, known_hosts).
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
        '  StrictHostKeyChecking yes',
        '  BatchMode yes',
        '',
      ].join('\n'),
    )
    writeFileSync(join(bin, 'ssh'), `#!/bin/sh\nexec /usr/bin/ssh -F '${sshConfig}' "$@"\n`)
    chmodSync(join(bin, 'ssh'), 0o755)
    const dockerEnv = {...process.env, HOME: join(work, 'docker-home'), PATH: `${bin}:${process.env.PATH}`}
    delete dockerEnv.SSH_AUTH_SOCK
    delete dockerEnv.DOCKER_HOST
    mkdirSync(dockerEnv.HOME)
    const dockerArgs = [
      '-H',
      `ssh://root@${bed.sshHost}:${bed.sshPort}`,
      'version',
      '--format',
      '{{.Server.APIVersion}}',
    ]
    await timed('docker', dockerArgs, {env: dockerEnv}) // warm-up (and a check that it works)
    await timed(process.execPath, [BIN, 'host', 'ping', 'bench', '--count', '5'], {env: aimsEnv})

    // Interleaved: aims runs are spread among the docker commands.
    const aimsTotals = []
    const aimsPerCall = []
    const dockerEach = []
    const every = Math.max(1, Math.floor(dockerCommands / aimsRuns))
    for (let index = 0; index < dockerCommands; index++) {
      if (index % every === 0 && aimsTotals.length < aimsRuns) {
        const run = await timed(process.execPath, [BIN, 'host', 'ping', 'bench', '--count', String(CALLS), '--json'], {
          env: aimsEnv,
        })
        const result = JSON.parse(run.stdout)
        if (result.calls !== CALLS || result.sshLogins !== 1)
          throw new Error(`aims made ${result.calls} calls over ${result.sshLogins} logins`)
        aimsTotals.push(run.ms)
        aimsPerCall.push(result.medianMs)
      }
      dockerEach.push((await timed('docker', dockerArgs, {env: dockerEnv})).ms)
    }
    const aimsTotal = median(aimsTotals)
    const dockerTotal = dockerEach.reduce((sum, ms) => sum + ms, 0) * (CALLS / dockerCommands)
    const speedup = dockerTotal / aimsTotal
    return [
      {
        bench: 'transport',
        subject: `aims host ping --count ${CALLS} (1 process, 1 SSH login)`,
        runs: aimsTotals.length,
        medianMs: round(aimsTotal),
        ratio: round(aimsTotal / dockerTotal, 3),
        budget: 'several times faster',
        ok: speedup >= 3,
        perCallMs: round(median(aimsPerCall)),
      },
      {
        bench: 'transport',
        subject: `${CALLS} x docker -H ssh://… version`,
        runs: dockerEach.length,
        medianMs: round(dockerTotal),
        ratio: 1,
        budget: '',
        ok: true,
        perCallMs: round(median(dockerEach)),
      },
      {
        bench: 'transport',
        subject: 'speed-up (docker total / aims total)',
        runs: '',
        medianMs: '',
        ratio: `${round(speedup, 1)}x`,
        budget: '>= 3x',
        ok: speedup >= 3,
      },
    ]
  } finally {
    rmSync(work, {recursive: true, force: true})
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.table(await benchTransport())
}
