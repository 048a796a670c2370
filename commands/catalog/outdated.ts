import {AimsCommand} from '../../src/cli/base-command.js'
import {declared} from '../../src/cli/declared.js'
import {CATALOG_OUTDATED} from '../../src/core/commands/upgrade.js'
import {renderOutdated} from '../../src/ui/present/upgrade.js'

export default class CatalogOutdated extends declared(CATALOG_OUTDATED, AimsCommand) {
  async run() {
    const {flags} = await this.input()
    const context = await this.context()
    if (flags.registry !== undefined) (await import('../../src/services/registry.js')).checkRegistryHost(flags.registry)
    const session = await context.session(await context.hostEntry(flags.host))
    const {catalogOutdated, checkRegistryHost} = await import('../../src/services/registry.js')
    const registry = flags.registry !== undefined ? checkRegistryHost(flags.registry) : undefined
    const result = await catalogOutdated(
      {catalog: await context.catalog(), ...(await context.registryDeps(session))},
      {major: Boolean(flags.major), ...(registry ? {registry} : {})},
    )
    this.say(renderOutdated(result, 'PLUG', this.style))
    return result
  }
}
