import {LifecycleCommand} from '../../src/cli/lifecycle-command.js'
import {declared} from '../../src/cli/declared.js'
import {SITE_ROLLBACK} from '../../src/core/commands/site.js'
import {AimsError} from '../../src/core/errors.js'
import {RELEASE_ID} from '../../src/core/site/site.js'
import {renderSiteChange} from '../../src/ui/present/site.js'

export default class SiteRollback extends declared(SITE_ROLLBACK, LifecycleCommand) {
  async run() {
    const {args, flags} = await this.input()
    const ref = await this.instanceRef(args.site, flags.tenant)
    if (flags.to !== undefined && !RELEASE_ID.test(flags.to))
      throw new AimsError('usage', `invalid release ${JSON.stringify(flags.to)}`, {
        hint: 'aims site ls --json lists them',
      })
    const {siteRollback} = await import('../../src/services/site.js')
    const {deps} = await this.lifecycle(flags)
    const result = await siteRollback(deps, ref, flags.to)
    this.view?.stop()
    this.say(renderSiteChange('rollback', result, this.style))
    return result
  }
}
