import {AimsCommand} from '../../src/cli/base-command.js'
import {declared} from '../../src/cli/declared.js'
import {SANDBOX_EXEC} from '../../src/core/commands/sandbox.js'
import {AimsError} from '../../src/core/errors.js'
import {checkSandboxId, sandboxContainerName} from '../../src/core/sandbox/sandbox.js'

/**
 * Not a gated change: the sandbox was the approved change, and what runs inside it is the user's
 * own playground (no host ports, no mounts, removed at its TTL).
 */
export default class SandboxExec extends declared(SANDBOX_EXEC, AimsCommand) {
  async run() {
    const {args, argv} = await this.input()
    const id = checkSandboxId(args.id)
    const command = argv.slice(argv.indexOf(args.id) + 1)
    if (command.length === 0)
      throw new AimsError('usage', 'no command to run', {hint: `write aims sandbox exec ${id} -- CMD [ARGS…]`})
    const context = await this.context()
    const session = await context.session(await context.hostEntry())
    const {requireSandbox} = await import('../../src/services/sandbox.js')
    const {engine} = await requireSandbox({session, clock: context.clock}, id)
    if (this.jsonEnabled()) {
      const result = await engine.execInContainer(sandboxContainerName(id), command)
      return {id, command, exitCode: result.exitCode, output: result.output}
    }
    const {Readable} = await import('node:stream')
    const stdin = this.io.stdin.isTTY ? Readable.from([]) : this.io.stdin
    const exitCode = await engine.execAttached(sandboxContainerName(id), command, {
      stdin,
      stdout: this.io.stdout,
      stderr: this.io.stderr,
      tty: false,
    })
    if (exitCode !== 0) this.exit(exitCode)
    return {id, command, exitCode}
  }
}
