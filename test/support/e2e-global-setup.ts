// e2e needs the built binary and the bed; scripts/test.sh provides both.
// Fail early and clearly when run without them.
import {existsSync} from 'node:fs'

export default function setup(): void {
  if (!existsSync(new URL('../../dist/vendor/oclif-core.cjs', import.meta.url))) {
    throw new Error('aims is not built: run npm run build (or ./scripts/test.sh)')
  }
  if (!existsSync(new URL('../../.bed/bed.json', import.meta.url))) {
    throw new Error('the test bed is not set up: run test/bed/setup.sh as root (or ./scripts/test.sh)')
  }
}
