#!/usr/bin/env node
// Entry point of the built CLI. Start-up time matters (budget: 2.2x `node -e 0`):
// - the compile cache lets later starts skip parsing modules again;
// - '@oclif/core' resolves to a one-file bundle built by scripts/vendor-oclif.mjs;
// - `--version` needs nothing but package.json.
import module from 'node:module'

module.enableCompileCache?.()
const argv = process.argv.slice(2)

if (argv[0] === '--version') {
  const {readFileSync} = await import('node:fs')
  const {version} = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  // The same text oclif prints (config.userAgent).
  process.stdout.write(`aims/${version} ${process.platform}-${process.arch} node-${process.version}\n`)
} else {
  const vendor = new URL('../dist/vendor/', import.meta.url).href
  module.registerHooks?.({
    resolve(specifier, context, next) {
      if (specifier === '@oclif/core') {
        const esm = context.conditions?.includes('import')
        return {url: `${vendor}oclif-core.${esm ? 'mjs' : 'cjs'}`, format: esm ? 'module' : 'commonjs', shortCircuit: true}
      }
      return next(specifier, context)
    },
  })
  const {execute} = await import('@oclif/core')
  await execute({dir: import.meta.url})
}
