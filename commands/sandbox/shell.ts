import {AimsCommand} from '../../src/cli/base-command.js'
import {declared} from '../../src/cli/declared.js'
import {SANDBOX_SHELL} from '../../src/core/commands/sandbox.js'
import {checkSandboxId, sandboxContainerName} from '../../src/core/sandbox/sandbox.js'

/** A shell in the sandbox: a terminal in raw mode when there is one, else the piped stdin as a script. */
export default class SandboxShell extends declared(SANDBOX_SHELL, AimsCommand) {
  async run() {
    const {args} = await this.input()
    const id = checkSandboxId(args.id)
    const context = await this.context()
    const session = await context.session(await context.hostEntry())
    const {requireSandbox} = await import('../../src/services/sandbox.js')
    const {engine} = await requireSandbox({session, clock: context.clock}, id)
    const stdin = this.io.stdin as NodeJS.ReadStream
    const tty = Boolean(stdin.isTTY && this.io.stdoutIsTTY)
    if (tty) stdin.setRawMode?.(true)
    try {
      const exitCode = await engine.execAttached(
        sandboxContainerName(id),
        ['/bin/sh', '-c', 'if command -v bash >/dev/null; then exec bash; else exec sh; fi'],
        {stdin, stdout: this.io.stdout, stderr: this.io.stderr, tty},
      )
      if (exitCode !== 0) this.exit(exitCode)
    } finally {
      if (tty) stdin.setRawMode?.(false)
      stdin.pause()
    }
  }
}
