/** Reads the templates shipped in the package's templates/ directory (nginx confs, export bundle files). */
import {existsSync} from 'node:fs'
import {readFile} from 'node:fs/promises'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {AimsError} from '../core/errors.js'

/** The package's templates/ directory, found upward from this file (src/adapters in dev, dist/src/adapters when built). */
export function templatesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!(existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'templates')))) {
    const parent = dirname(dir)
    if (parent === dir) throw new AimsError('internal', 'cannot find the templates/ directory of aims', {hint: 'reinstall aims: its package is incomplete'})
    dir = parent
  }
  return join(dir, 'templates')
}

/** `name` is relative to templates/, e.g. PLUG_CONF_TEMPLATE ("nginx/plug.conf.tmpl"). */
export async function readTemplate(name: string): Promise<string> {
  if (!/^[a-z0-9][a-z0-9._/-]*$/.test(name) || name.split('/').includes('..')) throw new AimsError('internal', `invalid template name ${JSON.stringify(name)}`)
  const file = join(templatesDir(), name)
  try {
    return await readFile(file, 'utf8')
  } catch (error) {
    throw new AimsError('internal', `cannot read the template ${name}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {hint: 'reinstall aims: its templates/ directory is incomplete'})
  }
}
