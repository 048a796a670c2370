import {stateCommand} from '../../src/cli/state-command.js'

export default stateCommand('stop', 'Stop an instance gracefully (its containers, volumes and port stay)')
