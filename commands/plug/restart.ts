import {stateCommand} from '../../src/cli/state-command.js'
import {PLUG_RESTART} from '../../src/core/commands/plug.js'

export default stateCommand(PLUG_RESTART)
