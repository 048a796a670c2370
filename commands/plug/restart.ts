import {stateCommand} from '../../src/cli/state-command.js'

export default stateCommand('restart', 'Restart an instance and wait until it is healthy')
