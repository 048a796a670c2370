import {Flags} from '@oclif/core'
import {AimsCommand} from '../../src/cli/base-command.js'
import {DEFAULT_PRICES} from '../../src/core/catalog/cost.js'
import {CATEGORIES} from '../../src/core/catalog/model.js'
import {listCatalog} from '../../src/services/catalog.js'
import {renderCatalogList, skippedFilesNote} from '../../src/ui/present/catalog.js'

export default class CatalogLs extends AimsCommand {
  static override description =
    'List the plugs you can deploy, with their size, minimum tier and estimated monthly cost'
  static override aliases = ['catalog:list']
  static override examples = [
    '<%= config.bin %> catalog ls',
    '<%= config.bin %> catalog ls --category ai',
    '<%= config.bin %> catalog ls --json',
  ]
  static override flags = {
    category: Flags.string({char: 'c', description: `only plugs of this category (${CATEGORIES.join(', ')})`}),
  }

  async run() {
    const {flags} = await this.parse(CatalogLs)
    const context = await this.context()
    // Prices come from the host's configuration once hosts carry them; until then the default VPS prices.
    const result = await listCatalog({catalog: context.catalog(), prices: DEFAULT_PRICES}, {category: flags.category})
    this.say(renderCatalogList(result))
    const skipped = skippedFilesNote(result.skipped)
    if (skipped) this.note(this.errStyle.yellow(skipped))
    return result
  }
}
