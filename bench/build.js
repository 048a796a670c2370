// aims build: a rebuild after a one-line change against the first build of the same app, on the
// bed's engine over SSH (the context goes as a tar through the one connection). Each run starts from
// an app the engine has never seen (a fresh marker in package.json), so the first build misses the
// layer cache from the dependency step on; then one line of server.js changes and the app is built
// again. The dependency step stands in for `npm ci` (the bed has no registry for packages): it
// installs a vendored package and runs its build script (5 s of CPU: what `npm ci` of a small
// Express app takes on this 2-core machine, or a native addon or an asset build). Both are `aims build DIR --no-deploy --yes` (build + verification),
// timed as wall clock; medians. Budget: the rebuild ≤ 30 % of the first build. Needs the bed.
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {BIN, ROOT, median, round, timed} from './lib.js'

const RUNS = Number(process.env.BENCH_BUILD_RUNS) || 3
const TENANT = 'bench-build'

function writeApp(dir, marker) {
  const files = {
    Dockerfile: [
      'FROM node:22-slim',
      'WORKDIR /app',
      'ENV NODE_ENV=production',
      '# Dependencies first: a change to the code alone reuses these layers.',
      'COPY package.json ./',
      'COPY vendor ./vendor',
      'RUN npm install --offline --omit=dev --no-audit --no-fund && node node_modules/assets/build.js',
      'COPY . .',
      'USER node',
      'CMD ["node", "server.js"]',
      '',
    ].join('\n'),
    '.dockerignore': 'node_modules\n',
    'package.json': JSON.stringify({
      name: 'bench-app',
      version: '1.0.0',
      description: marker,
      dependencies: {assets: 'file:vendor/assets'},
    }),
    'vendor/assets/package.json': JSON.stringify({name: 'assets', version: '1.0.0'}),
    // A CPU-bound build step: hashing in a loop for five seconds.
    'vendor/assets/build.js': [
      "const {createHash} = require('node:crypto')",
      'let digest = Buffer.alloc(32)',
      'const until = Date.now() + 5000',
      "while (Date.now() < until) digest = createHash('sha256').update(digest).digest()",
      "require('node:fs').writeFileSync(__dirname + '/built.txt', digest.toString('hex'))",
      '',
    ].join('\n'),
    'server.js': "require('node:http').createServer((q, r) => r.end('bench v1\\n')).listen(process.env.PORT || 8080)\n",
  }
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), {recursive: true})
    writeFileSync(join(dir, path), content)
  }
}

export async function benchBuild({runs = RUNS} = {}) {
  const bed = JSON.parse(readFileSync(join(ROOT, '.bed', 'bed.json'), 'utf8'))
  const work = mkdtempSync(join(tmpdir(), 'aims-bench-build-'))
  const env = {...process.env, HOME: join(work, 'home'), AIMS_HOME: join(work, 'home', '.aims'), NO_COLOR: '1'}
  delete env.SSH_AUTH_SOCK
  delete env.DOCKER_HOST
  const aims = (args) => timed(process.execPath, [BIN, ...args], {env})
  await aims(['host', 'add', 'bed', `root@${bed.sshHost}:${bed.sshPort}`, '--identity', bed.identity, '--default'])
  await aims(['host', 'trust', 'bed', '--yes'])
  const first = []
  const rebuild = []
  const engineFirst = []
  const engineRebuild = []
  const images = []
  try {
    for (let run = 0; run < runs; run++) {
      const dir = join(work, `app-${run}`)
      writeApp(dir, `bench ${process.pid}-${Date.now()}-${run}`)
      const build = () =>
        aims(['build', dir, '--name', `app${run}`, '--tenant', TENANT, '--no-deploy', '--yes', '--json'])
      const one = await build()
      first.push(one.ms)
      engineFirst.push(JSON.parse(one.stdout).build.durationMs)
      images.push(JSON.parse(one.stdout).image)
      writeFileSync(join(dir, 'server.js'), readFileSync(join(dir, 'server.js'), 'utf8').replace('v1', 'v2'))
      const two = await build()
      rebuild.push(two.ms)
      engineRebuild.push(JSON.parse(two.stdout).build.durationMs)
      images.push(JSON.parse(two.stdout).image)
    }
  } finally {
    for (const image of images) await timed('docker', ['rmi', image], {allowFailure: true}).catch(() => undefined)
    rmSync(work, {recursive: true, force: true})
  }
  const firstMs = median(first)
  const rebuildMs = median(rebuild)
  const ratio = rebuildMs / firstMs
  return [
    {
      bench: 'build',
      subject: 'aims build DIR after a one-line change (ssh, cache reused)',
      runs,
      medianMs: round(rebuildMs),
      ratio: round(ratio, 2),
      perCallMs: `engine ${round(median(engineRebuild))}`,
      budget: '<= 0.3x',
      ok: ratio <= 0.3,
    },
    {
      bench: 'build',
      subject: 'aims build DIR, first build of the app (ssh)',
      runs,
      medianMs: round(firstMs),
      ratio: 1,
      perCallMs: `engine ${round(median(engineFirst))}`,
      budget: '',
      ok: true,
    },
  ]
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const {table} = await import('./lib.js')
  const rows = await benchBuild()
  console.log(
    table(
      ['bench', 'subject', 'runs', 'median ms', 'ratio', 'engine ms', 'budget'],
      rows.map((row) => [row.bench, row.subject, row.runs, row.medianMs, `${row.ratio}x`, row.perCallMs, row.budget]),
    ),
  )
}
