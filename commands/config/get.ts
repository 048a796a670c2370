import {AimsCommand} from '../../src/cli/base-command.js'
import {declared} from '../../src/cli/declared.js'
import {CONFIG_GET} from '../../src/core/commands/config.js'
import {checkPreferenceKey, flattenPreferences, getPreference, PREFERENCE_KEYS} from '../../src/core/preferences.js'
import {effectivePreferences, preferenceDefault, showPreference} from '../../src/core/config-defaults.js'
import {renderTable} from '../../src/ui/present/table.js'

export default class ConfigGet extends declared(CONFIG_GET, AimsCommand) {
  async run() {
    const {args} = await this.input()
    const context = await this.context()
    const {preferences} = await context.config.read()
    if (args.key) {
      checkPreferenceKey(args.key)
      const value = getPreference(preferences, args.key)
      if (value !== undefined) {
        this.say(showPreference(args.key, value))
        return {key: args.key, value, source: 'set'}
      }
      const fallback = preferenceDefault(args.key)
      if (fallback === undefined) {
        this.say(`${args.key} is not set`)
        return {key: args.key, value: null}
      }
      this.say(`${showPreference(args.key, fallback)} (default)`)
      return {key: args.key, value: fallback, source: 'default'}
    }
    const set = flattenPreferences(preferences)
    if (set.length === 0) this.say('No preferences set: aims uses these defaults.')
    const rows = effectivePreferences(preferences, set)
    this.say(
      renderTable(
        ['KEY', 'VALUE'],
        rows.map((row) => [
          row.key,
          `${showPreference(row.key, row.value)}${row.source === 'default' ? ' (default)' : ''}`,
        ]),
      ),
    )
    const keyLine = (spec: (typeof PREFERENCE_KEYS)[number]) => {
      const key = spec.pattern.replace('*', spec.pattern.startsWith('tenants') ? 'TENANT' : 'TIER')
      return `  ${key.padEnd(32)} ${spec.description}`
    }
    this.say(`\nKeys:\n${PREFERENCE_KEYS.map(keyLine).join('\n')}`)
    return {
      preferences: Object.fromEntries(set),
      defaults: Object.fromEntries(rows.filter((row) => row.source === 'default').map((row) => [row.key, row.value])),
      keys: PREFERENCE_KEYS.map((spec) => ({key: spec.pattern, description: spec.description})),
    }
  }
}
