import {AimsCommand} from '../../src/cli/base-command.js'
import {declared} from '../../src/cli/declared.js'
import {CONFIG_SET} from '../../src/core/commands/config.js'
import {showPreference} from '../../src/core/config-defaults.js'
import {checkPreferenceKey, getPreference, parsePreference, setPreference} from '../../src/core/preferences.js'

export default class ConfigSet extends declared(CONFIG_SET, AimsCommand) {
  async run() {
    const {args, flags} = await this.input()
    checkPreferenceKey(args.key)
    if (!flags.unset && args.value === undefined) this.error(`${args.key} needs a value (or --unset)`, {exit: 2})
    const value = flags.unset ? undefined : parsePreference(args.key, args.value!)
    const context = await this.context()
    const previous = getPreference((await context.config.read()).preferences, args.key)
    if (!flags['dry-run'])
      await context.config.update((config) =>
        setPreference(config.preferences as Record<string, unknown>, args.key, value),
      )
    const shownValue = value === undefined ? undefined : showPreference(args.key, value)
    const verb = flags['dry-run'] ? 'Would set' : flags.unset ? 'Unset' : 'Set'
    const was = previous === undefined ? '' : ` (was ${showPreference(args.key, previous)})`
    this.say(`${verb} ${args.key}${flags.unset ? '' : ` = ${String(shownValue)}`}${was}.`)
    return {key: args.key, value: value ?? null, previous: previous ?? null, dryRun: flags['dry-run']}
  }
}
