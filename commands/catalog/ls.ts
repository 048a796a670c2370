import {AimsCommand} from '../../src/cli/base-command.js'
import {declared} from '../../src/cli/declared.js'
import {CATALOG_LS} from '../../src/core/commands/catalog.js'
import {listCatalog} from '../../src/services/catalog.js'
import {renderCatalogList, skippedFilesNote} from '../../src/ui/present/catalog.js'

export default class CatalogLs extends declared(CATALOG_LS, AimsCommand) {
  async run() {
    const {flags} = await this.input()
    const context = await this.context()
    // Prices come from the host's configuration once hosts carry them; until then the default VPS prices.
    const result = await listCatalog(
      {catalog: context.catalog(), prices: await context.prices(flags.host)},
      {category: flags.category},
    )
    this.say(renderCatalogList(result))
    const skipped = skippedFilesNote(result.skipped)
    if (skipped) this.note(this.errStyle.yellow(skipped))
    return result
  }
}
