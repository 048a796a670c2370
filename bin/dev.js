// Runs aims from the TypeScript sources (development only): start it with bin/dev,
// which keeps aims' arguments off Node's command line (see bin/aims).
import {execute} from '@oclif/core'
import {takeArgv} from './argv.js'

process.argv.splice(2, Infinity, ...takeArgv())
await execute({development: true, dir: import.meta.url})
