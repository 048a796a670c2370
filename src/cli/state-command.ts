/**
 * `plug start`, `plug stop` and `plug restart` differ only in the action and
 * their words; one factory makes the three command classes.
 */
import type {PLUG_RESTART, PLUG_START, PLUG_STOP} from '../core/commands/plug.js'
import {declared} from './declared.js'
import {renderStateChange} from '../ui/present/lifecycle.js'
import {LifecycleCommand} from './lifecycle-command.js'

export function stateCommand(spec: typeof PLUG_START | typeof PLUG_STOP | typeof PLUG_RESTART) {
  const action = spec.path.slice('plug '.length) as 'start' | 'stop' | 'restart'
  return class PlugState extends declared(spec, LifecycleCommand) {
    async run() {
      const {args, flags} = await this.input()
      const ref = await this.instanceRef(args.instance, flags.tenant)
      const {deps} = await this.lifecycle(flags)
      const {changeState} = await import('../services/plug-manage.js')
      const result = await changeState(deps, ref, action)
      this.view?.stop()
      this.say(renderStateChange(action, result, this.style))
      return result
    }
  }
}
