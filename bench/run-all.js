// npm run bench: every benchmark, one table of ratios measured in this run.
// Needs a build (npm run build) and, for the transport bench, the test bed.
// Exit 1 when a budget is missed.
import {existsSync} from 'node:fs'
import {BIN, table} from './lib.js'
import {benchStartup} from './startup.js'
import {benchTransport} from './transport.js'
import {benchPlugUp} from './plug-up.js'
import {benchDock} from './dock.js'
import {benchCluster} from './cluster.js'
import {benchBackup} from './backup.js'
import {benchBuild} from './build.js'
import {benchWarden} from './warden.js'

if (!existsSync(new URL('../dist/vendor/oclif-core.cjs', import.meta.url))) {
  console.error('aims is not built: run npm run build first')
  process.exit(1)
}

const only = process.argv.slice(2)
const benches = [
  ['startup', benchStartup],
  ['transport', benchTransport],
  ['plug-up', benchPlugUp],
  ['dock', benchDock],
  ['backup', benchBackup],
  ['build', benchBuild],
  ['warden', benchWarden],
  // Restarts the swarm bed (root): only when asked for by name (npm run bench -- cluster).
  ['cluster', benchCluster],
].filter(([name]) => (only.length === 0 && name !== 'cluster') || only.includes(name))

const rows = []
for (const [name, run] of benches) {
  process.stderr.write(`[bench] ${name}…\n`)
  rows.push(...(await run()))
}

console.log(`aims benchmarks — node ${process.version}, ${BIN}`)
console.log(
  table(
    ['bench', 'subject', 'runs', 'median ms', 'ratio', 'per call ms', 'budget', ''],
    rows.map((row) => [
      row.bench,
      row.subject,
      row.runs,
      row.medianMs,
      typeof row.ratio === 'number' ? `${row.ratio}x` : row.ratio,
      row.perCallMs ?? '',
      row.budget,
      row.ok ? 'ok' : 'OVER BUDGET',
    ]),
  ),
)
process.exitCode = rows.every((row) => row.ok) ? 0 : 1
