import {AimsCommand} from '../../src/cli/base-command.js'
import {declared} from '../../src/cli/declared.js'
import {CONFIG_GET} from '../../src/core/commands/config.js'
import {checkPreferenceKey, flattenPreferences, getPreference, PREFERENCE_KEYS} from '../../src/core/preferences.js'
import {renderTable} from '../../src/ui/present/table.js'

export default class ConfigGet extends declared(CONFIG_GET, AimsCommand) {
  async run() {
    const {args} = await this.input()
    const context = await this.context()
    const {preferences} = await context.config.read()
    if (args.key) {
      checkPreferenceKey(args.key)
      const value = getPreference(preferences, args.key)
      this.say(value === undefined ? `${args.key} is not set` : Array.isArray(value) ? value.join(':') : String(value))
      return {key: args.key, value: value ?? null}
    }
    const set = flattenPreferences(preferences)
    if (set.length > 0)
      this.say(
        renderTable(
          ['KEY', 'VALUE'],
          set.map(([key, value]) => [key, Array.isArray(value) ? value.join(':') : String(value)]),
        ),
      )
    else this.say('No preferences set.')
    const keyLine = (spec: (typeof PREFERENCE_KEYS)[number]) => {
      const key = spec.pattern.replace('*', spec.pattern.startsWith('tenants') ? 'TENANT' : 'TIER')
      return `  ${key.padEnd(32)} ${spec.description}`
    }
    this.say(`\nKeys:\n${PREFERENCE_KEYS.map(keyLine).join('\n')}`)
    return {
      preferences: Object.fromEntries(set),
      keys: PREFERENCE_KEYS.map((spec) => ({key: spec.pattern, description: spec.description})),
    }
  }
}
