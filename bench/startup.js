// Start-up: `aims --version` and `aims --help` against `node -e 0`, interleaved
// (each round runs all three, in a rotating order, so drift hits them alike),
// medians of BENCH_RUNS rounds (default 25) after warm-up rounds.
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {BIN, median, round, timed} from './lib.js'

export const BUDGET = 2.2

export async function benchStartup({runs = Number(process.env.BENCH_RUNS) || 25, warmup = 3} = {}) {
  const home = mkdtempSync(join(tmpdir(), 'aims-bench-'))
  // aims writes nothing here for these commands except its help cache; keep the user's home out of it.
  const env = {...process.env, AIMS_HOME: join(home, '.aims')}
  const subjects = [
    {name: 'node -e 0', args: ['-e', '0']},
    {name: 'aims --version', args: [BIN, '--version']},
    {name: 'aims --help', args: [BIN, '--help']},
    // For the record, not budgeted: oclif loading and rendering every time.
    {name: 'aims --help, cache off', args: [BIN, '--help'], env: {AIMS_HELP_CACHE: 'off'}, informative: true},
  ]
  const samples = new Map(subjects.map((subject) => [subject.name, []]))
  try {
    for (let round_ = 0; round_ < warmup + runs; round_++) {
      for (let index = 0; index < subjects.length; index++) {
        const subject = subjects[(index + round_) % subjects.length]
        const {ms} = await timed(process.execPath, subject.args, {env: {...env, ...subject.env}})
        if (round_ >= warmup) samples.get(subject.name).push(ms)
      }
    }
  } finally {
    rmSync(home, {recursive: true, force: true})
  }
  const base = median(samples.get('node -e 0'))
  return subjects.map((subject) => {
    const value = median(samples.get(subject.name))
    const ratio = value / base
    return {
      bench: 'startup',
      subject: subject.name,
      runs,
      medianMs: round(value),
      ratio: round(ratio, 2),
      budget: subject.name === 'node -e 0' || subject.informative ? '' : `<= ${BUDGET}x`,
      ok: subject.name === 'node -e 0' || subject.informative || ratio <= BUDGET,
    }
  })
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await benchStartup()
  console.table(rows)
}
