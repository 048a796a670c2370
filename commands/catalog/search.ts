import {AimsCommand} from '../../src/cli/base-command.js'
import {declared} from '../../src/cli/declared.js'
import {CATALOG_SEARCH} from '../../src/core/commands/catalog.js'
import {searchCatalog} from '../../src/services/catalog.js'
import {renderSearchResults} from '../../src/ui/present/catalog.js'

export default class CatalogSearch extends declared(CATALOG_SEARCH, AimsCommand) {
  async run() {
    const {args, flags, argv} = await this.input()
    const context = await this.context()
    const query = argv.length > 1 ? argv.join(' ') : args.query
    const prices = await context.prices(flags.host)
    const result = await searchCatalog({catalog: context.catalog(), prices}, {query})
    this.say(renderSearchResults(result, this.io.columns(100)))
    return result
  }
}
