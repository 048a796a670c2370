import {AimsCommand} from '../../src/cli/base-command.js'
import {declared} from '../../src/cli/declared.js'
import {SITE_LS} from '../../src/core/commands/site.js'
import {checkResourceName} from '../../src/core/names.js'
import {renderSiteList} from '../../src/ui/present/site.js'

export default class SiteLs extends declared(SITE_LS, AimsCommand) {
  async run() {
    const {flags} = await this.input()
    const tenant = flags.tenant !== undefined ? checkResourceName('tenant', flags.tenant) : undefined
    const context = await this.context()
    const session = await context.session(await context.hostEntry(flags.host))
    const {siteList} = await import('../../src/services/site.js')
    const sites = await siteList({session}, tenant ? {tenant} : {})
    this.say(renderSiteList(sites, this.style))
    return {sites}
  }
}
