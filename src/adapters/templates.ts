/** Reads the templates shipped in the package's templates/ directory (nginx confs, export bundle files). */
import {readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {AimsError} from '../core/errors.js'
import {packageRoot} from './package-root.js'

/** The package's templates/ directory. */
export function templatesDir(): string {
  return join(packageRoot(), 'templates')
}

/** `name` is relative to templates/, e.g. PLUG_CONF_TEMPLATE ("nginx/plug.conf.tmpl"). */
export async function readTemplate(name: string): Promise<string> {
  if (!/^[a-z0-9][a-z0-9._/-]*$/.test(name) || name.split('/').includes('..'))
    throw new AimsError('internal', `invalid template name ${JSON.stringify(name)}`)
  const file = join(templatesDir(), name)
  try {
    return await readFile(file, 'utf8')
  } catch (error) {
    throw new AimsError(
      'internal',
      `cannot read the template ${name}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      {hint: 'reinstall aims: its templates/ directory is incomplete'},
    )
  }
}
