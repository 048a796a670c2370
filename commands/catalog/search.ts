import {Args} from '@oclif/core'
import {AimsCommand} from '../../src/cli/base-command.js'
import {DEFAULT_PRICES} from '../../src/core/catalog/cost.js'
import {searchCatalog} from '../../src/services/catalog.js'
import {renderSearchResults} from '../../src/ui/present/catalog.js'

export default class CatalogSearch extends AimsCommand {
  static override description = 'Search the catalog by id, name, tags and description (typos forgiven)'
  static override examples = [
    '<%= config.bin %> catalog search automation',
    '<%= config.bin %> catalog search "uptime kuma"',
    '<%= config.bin %> catalog search llm --json',
  ]
  static override args = {
    query: Args.string({description: 'words to look for', required: true}),
  }
  // Several words without quotes are one query.
  static override strict = false

  async run() {
    const {args, argv} = await this.parse(CatalogSearch)
    const context = await this.context()
    const query = (argv as string[]).length > 1 ? (argv as string[]).join(' ') : args.query
    const result = await searchCatalog({catalog: context.catalog(), prices: DEFAULT_PRICES}, {query})
    this.say(renderSearchResults(result, process.stdout.columns ?? 100))
    return result
  }
}
