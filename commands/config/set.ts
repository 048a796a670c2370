import {Args, Flags} from '@oclif/core'
import {AimsCommand} from '../../src/cli/base-command.js'
import {dryRunFlag} from '../../src/cli/flags.js'
import {checkPreferenceKey, getPreference, parsePreference, setPreference} from '../../src/core/preferences.js'

export default class ConfigSet extends AimsCommand {
  static override description =
    'Set (or --unset) a preference: default tenant, AI provider, tiers and limits, prices, network pool'
  static override examples = [
    '<%= config.bin %> config set default-tenant acme',
    '<%= config.bin %> config set ai.provider ollama',
    '<%= config.bin %> config set tenants.acme.tier starter',
    '<%= config.bin %> config set tenants.acme.spending-limit 50',
    '<%= config.bin %> config set ai.model --unset',
  ]
  static override args = {
    key: Args.string({description: 'dotted key (aims config get lists them)', required: true}),
    value: Args.string({description: 'the new value'}),
  }
  static override flags = {
    unset: Flags.boolean({description: 'remove the preference', default: false}),
    'dry-run': dryRunFlag,
  }

  async run() {
    const {args, flags} = await this.parse(ConfigSet)
    checkPreferenceKey(args.key)
    if (!flags.unset && args.value === undefined) this.error(`${args.key} needs a value (or --unset)`, {exit: 2})
    const value = flags.unset ? undefined : parsePreference(args.key, args.value!)
    const context = await this.context()
    const previous = getPreference((await context.config.read()).preferences, args.key)
    if (!flags['dry-run'])
      await context.config.update((config) =>
        setPreference(config.preferences as Record<string, unknown>, args.key, value),
      )
    const shownValue = Array.isArray(value) ? value.join(':') : value
    this.say(
      `${flags['dry-run'] ? 'Would set' : flags.unset ? 'Unset' : 'Set'} ${args.key}${flags.unset ? '' : ` = ${String(shownValue)}`}${previous === undefined ? '' : ` (was ${Array.isArray(previous) ? previous.join(':') : String(previous)})`}.`,
    )
    return {key: args.key, value: value ?? null, previous: previous ?? null, dryRun: flags['dry-run']}
  }
}
