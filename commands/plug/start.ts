import {stateCommand} from '../../src/cli/state-command.js'

export default stateCommand('start', 'Start a stopped instance (dependencies first) and wait until it is healthy')
