// aims' arguments, as bin/aims passes them: in the environment (AIMS_ARGC,
// AIMS_ARGV_1…), never on Node's command line, where Node itself would read
// --env-file (see bin/aims). They are removed from the environment here, so no
// process aims starts inherits them (they may hold --env KEY=VALUE secrets).
// `node bin/run.js ARGS` (tests, scripts) still works: without AIMS_ARGC,
// Node's own argv is used as given.
export function takeArgv(env = process.env, argv = process.argv) {
  const passed = {}
  for (const key of Object.keys(env)) {
    if (key !== 'AIMS_ARGC' && !/^AIMS_ARGV_\d+$/.test(key)) continue
    passed[key] = env[key]
    delete env[key]
  }
  const count = passed.AIMS_ARGC
  if (count === undefined || argv.length > 2 || !/^\d{1,6}$/.test(count)) return argv.slice(2)
  const args = []
  for (let index = 1; index <= Number(count); index++) args.push(passed[`AIMS_ARGV_${index}`] ?? '')
  return args
}
