import {LifecycleCommand} from '../../src/cli/lifecycle-command.js'
import {declared} from '../../src/cli/declared.js'
import {SITE_RM} from '../../src/core/commands/site.js'
import {renderSiteChange} from '../../src/ui/present/site.js'

export default class SiteRm extends declared(SITE_RM, LifecycleCommand) {
  async run() {
    const {args, flags} = await this.input()
    const ref = await this.instanceRef(args.site, flags.tenant)
    const {siteRemove} = await import('../../src/services/site.js')
    const {deps} = await this.lifecycle(flags)
    const result = await siteRemove(deps, ref)
    this.view?.stop()
    this.say(renderSiteChange('rm', result, this.style))
    return result
  }
}
