import {AimsCommand} from '../../src/cli/base-command.js'
import {declared} from '../../src/cli/declared.js'
import {CATALOG_SEARCH} from '../../src/core/commands/catalog.js'
import {DEFAULT_PRICES} from '../../src/core/catalog/cost.js'
import {searchCatalog} from '../../src/services/catalog.js'
import {renderSearchResults} from '../../src/ui/present/catalog.js'

export default class CatalogSearch extends declared(CATALOG_SEARCH, AimsCommand) {
  async run() {
    const {args, argv} = await this.input()
    const context = await this.context()
    const query = (argv as string[]).length > 1 ? (argv as string[]).join(' ') : args.query
    const result = await searchCatalog({catalog: context.catalog(), prices: DEFAULT_PRICES}, {query})
    this.say(renderSearchResults(result, this.io.columns(100)))
    return result
  }
}
