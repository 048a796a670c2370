import {AimsCommand} from '../../src/cli/base-command.js'
import {declared} from '../../src/cli/declared.js'
import {CATALOG_SHOW} from '../../src/core/commands/catalog.js'
import {showCatalogPlug} from '../../src/services/catalog.js'
import {renderPlugDetails} from '../../src/ui/present/catalog.js'

export default class CatalogShow extends declared(CATALOG_SHOW, AimsCommand) {
  async run() {
    const {args, flags} = await this.input()
    const context = await this.context()
    const prices = await context.prices(flags.host)
    const result = await showCatalogPlug({catalog: context.catalog(), prices}, {id: args.plug})
    this.say(renderPlugDetails(result, prices, this.style))
    return result
  }
}
