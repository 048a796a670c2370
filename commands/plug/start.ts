import {stateCommand} from '../../src/cli/state-command.js'
import {PLUG_START} from '../../src/core/commands/plug.js'

export default stateCommand(PLUG_START)
