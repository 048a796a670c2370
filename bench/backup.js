// Backup: `aims plug backup INSTANCE --out FILE` of a BENCH_BACKUP_MIB (1024) MiB volume of random
// bytes (incompressible: the worst case for the stream) against `ssh host tar c VOLUME | cat > FILE`
// (OpenSSH, the same bytes written to a file in the same directory, as a backup must) over the bed's
// sshd in the same run, alternating, BENCH_BACKUP_RUNS (2) each. Budget (DESIGN.md): the backup streams
// at >= 80 % of the baseline's throughput. `| cat > /dev/null` (nothing written) is reported beside it. The instance (tenant ug-bench, the upgrade
// fixture) is deployed and removed by the bench. Needs a build and the test bed.
import {execFile, spawn} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'
import {BIN, ROOT, median, round, timed} from './lib.js'

const run = promisify(execFile)
const TENANT = 'ug-bench'
const MIB = Number(process.env.BENCH_BACKUP_MIB) || 1024
const RUNS = Number(process.env.BENCH_BACKUP_RUNS) || 2
const CONTAINER = `aims-${TENANT}-ug-web-web`
const VOLUME_DIR = `/var/lib/docker/volumes/aims-${TENANT}-ug-web-data/_data`

export async function benchBackup() {
  const bed = JSON.parse(readFileSync(join(ROOT, '.bed', 'bed.json'), 'utf8'))
  const work = mkdtempSync(join(tmpdir(), 'aims-bench-backup-'))
  const env = {
    ...process.env,
    HOME: join(work, 'home'),
    AIMS_HOME: join(work, 'home', '.aims'),
    AIMS_CATALOG_PATH: join(ROOT, 'test', 'fixtures', 'upgrade-plugs'),
    NO_COLOR: '1',
    CI: 'true',
  }
  const aims = (args) => timed(process.execPath, [BIN, ...args], {env})
  const ssh = [
    '-o',
    'BatchMode=yes',
    '-o',
    'StrictHostKeyChecking=no',
    '-o',
    'UserKnownHostsFile=/dev/null',
    '-o',
    'LogLevel=ERROR',
    '-i',
    bed.identity,
    '-p',
    String(bed.sshPort),
    `root@${bed.sshHost}`,
  ]
  const baseline = (target) =>
    new Promise((resolve, reject) => {
      const started = performance.now()
      const child = spawn('sh', ['-c', `ssh "$@" tar c -C ${VOLUME_DIR} . | cat > ${target}`, 'sh', ...ssh], {
        stdio: ['ignore', 'ignore', 'pipe'],
      })
      child.on('error', reject)
      child.on('close', (code) =>
        code === 0 ? resolve(performance.now() - started) : reject(new Error(`ssh tar exited ${code}`)),
      )
    })
  const results = {aims: [], ssh: [], sshNull: []}
  try {
    await aims(['host', 'add', 'bench', `root@${bed.sshHost}:${bed.sshPort}`, '--identity', bed.identity, '--default'])
    await aims(['host', 'trust', 'bench', '--yes'])
    await aims(['plug', 'up', 'ug-web', '--tenant', TENANT, '--yes'])
    await run('docker', [
      'exec',
      CONTAINER,
      'sh',
      '-c',
      `dd if=/dev/urandom of=/data/blob bs=1M count=${MIB} 2>/dev/null`,
    ])
    for (let index = 0; index < RUNS; index++) {
      results.ssh.push(await baseline(join(work, 'baseline.tar')))
      rmSync(join(work, 'baseline.tar'), {force: true})
      results.sshNull.push(await baseline('/dev/null'))
      const out = join(work, `backup-${index}.tar`)
      results.aims.push((await aims(['plug', 'backup', `${TENANT}/ug-web`, '--out', out, '--yes'])).ms)
      rmSync(out, {force: true})
      rmSync(`${out}.sha256`, {force: true})
    }
  } finally {
    await aims(['plug', 'down', `${TENANT}/ug-web`, '--yes']).catch(() => undefined)
    rmSync(work, {recursive: true, force: true})
  }
  const aimsMs = median(results.aims)
  const sshMs = median(results.ssh)
  const sshNullMs = median(results.sshNull)
  // Throughput ratio: the baseline's time over the backup's (same bytes of volume).
  const ratio = sshMs / aimsMs
  return [
    {
      bench: 'backup',
      subject: `aims plug backup --out (${MIB} MiB random volume), throughput vs ssh tar c | cat > FILE`,
      runs: RUNS,
      medianMs: round(aimsMs),
      ratio: round(ratio, 2),
      budget: '>= 0.8x',
      ok: ratio >= 0.8,
    },
    {
      bench: 'backup',
      subject: 'ssh host tar c VOLUME | cat > FILE',
      runs: RUNS,
      medianMs: round(sshMs),
      ratio: 1,
      budget: '',
      ok: true,
    },
    {
      bench: 'backup',
      subject: 'ssh host tar c VOLUME | cat > /dev/null (nothing written; for reference)',
      runs: RUNS,
      medianMs: round(sshNullMs),
      ratio: round(sshNullMs / aimsMs, 2),
      budget: '',
      ok: true,
    },
  ]
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.table(await benchBackup())
}
