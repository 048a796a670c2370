import {Args} from '@oclif/core'
import {AimsCommand} from '../../src/cli/base-command.js'
import {DEFAULT_PRICES} from '../../src/core/catalog/cost.js'
import {showCatalogPlug} from '../../src/services/catalog.js'
import {renderPlugDetails} from '../../src/ui/present/catalog.js'

export default class CatalogShow extends AimsCommand {
  static override description =
    'Show a plug: services, ports, volumes, health checks, the questions it asks, resources and estimated cost'
  static override examples = ['<%= config.bin %> catalog show n8n', '<%= config.bin %> catalog show ghost --json']
  static override args = {
    plug: Args.string({description: 'plug id (see aims catalog ls)', required: true}),
  }

  async run() {
    const {args} = await this.parse(CatalogShow)
    const context = await this.context()
    const prices = DEFAULT_PRICES
    const result = await showCatalogPlug({catalog: context.catalog(), prices}, {id: args.plug})
    this.say(renderPlugDetails(result, prices, this.style))
    return result
  }
}
