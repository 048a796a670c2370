// Bundles @oclif/core (≈230 CommonJS modules) into one file at build time.
// Resolving and compiling hundreds of small files is most of a bare oclif
// CLI's start-up; one file loads about 40% faster. bin/run.js maps the
// '@oclif/core' specifier to this bundle for aims and its plugins alike, so
// there is still exactly one copy of oclif in the process.
import {build} from 'esbuild'
import {mkdirSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'

const require = createRequire(import.meta.url)
const out = new URL('../dist/vendor/', import.meta.url)
mkdirSync(out, {recursive: true})
await build({
  stdin: {contents: "module.exports = require('@oclif/core')", resolveDir: process.cwd(), loader: 'js'},
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  minifySyntax: true,
  outfile: new URL('oclif-core.cjs', out).pathname,
  logLevel: 'warning',
})
const names = Object.keys(require('@oclif/core')).filter((name) => name !== 'default' && /^[A-Za-z_$][\w$]*$/.test(name))
writeFileSync(
  new URL('oclif-core.mjs', out),
  [
    "import {createRequire} from 'node:module'",
    "const core = createRequire(import.meta.url)('./oclif-core.cjs')",
    'export default core',
    ...names.map((name) => `export const ${name} = core.${name}`),
    '',
  ].join('\n'),
)
