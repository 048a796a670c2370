import {stateCommand} from '../../src/cli/state-command.js'
import {PLUG_STOP} from '../../src/core/commands/plug.js'

export default stateCommand(PLUG_STOP)
