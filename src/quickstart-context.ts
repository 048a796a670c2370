/** What `aims quickstart` adds to the lifecycle deps (beside the composition root, like agent-context.ts). */
import {join} from 'node:path'
import type {PlugUpDeps} from './services/plug-up.js'
import type {QuickstartDeps} from './services/quickstart.js'

export async function quickstartDeps(deps: PlugUpDeps): Promise<QuickstartDeps> {
  const [{DockerQuickstartImages}, {FileCatalog}, {packageRoot}] = await Promise.all([
    import('./adapters/quickstart-images.js'),
    import('./adapters/catalog-files.js'),
    import('./adapters/package-root.js'),
  ])
  return {
    ...deps,
    images: new DockerQuickstartImages(deps.session.host.dockerSocket),
    quickstartCatalog: new FileCatalog([{dir: join(packageRoot(), 'templates', 'quickstart'), source: 'extra'}]),
  }
}
