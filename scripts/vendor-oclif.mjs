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
const names = Object.keys(require('@oclif/core')).filter(
  (name) => name !== 'default' && /^[A-Za-z_$][\w$]*$/.test(name),
)
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

// dockerode loads @grpc/grpc-js and its proto loader at require time for
// BuildKit sessions, which aims never uses (it does not build images): about
// 100 ms of every engine command's start-up. The bundle stubs that module out
// and leaves ssh2 (loaded by aims anyway) external.
await build({
  stdin: {contents: "module.exports = require('dockerode')", resolveDir: process.cwd(), loader: 'js'},
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  minifySyntax: true,
  external: ['ssh2', 'cpu-features'],
  outfile: new URL('dockerode.cjs', out).pathname,
  logLevel: 'warning',
  plugins: [
    {
      name: 'no-buildkit-session',
      setup(builder) {
        builder.onResolve({filter: /^\.\/session$/}, (args) =>
          args.importer.includes('dockerode') ? {path: 'session', namespace: 'aims-stub'} : undefined,
        )
        // docker-modem's own SSH transport (one connection per call) is what aims replaces.
        builder.onResolve({filter: /^\.\/ssh$/}, (args) =>
          args.importer.includes('docker-modem') ? {path: 'ssh', namespace: 'aims-stub'} : undefined,
        )
        builder.onLoad({filter: /.*/, namespace: 'aims-stub'}, (args) => ({
          contents:
            args.path === 'ssh'
              ? "module.exports = function () { throw new Error('docker-modem SSH is not part of aims: aims brings its own transport') }"
              : "module.exports = function withSession() { throw new Error('BuildKit sessions are not part of aims') }",
          loader: 'js',
        }))
      },
    },
  ],
})
