import {LifecycleCommand} from '../src/cli/lifecycle-command.js'
import {declared} from '../src/cli/declared.js'
import {SANDBOX} from '../src/core/commands/sandbox.js'
import {checkResourceName, parseCpus, parseMemorySize} from '../src/core/names.js'
import {checkSandboxImage, DEFAULT_SANDBOX_IMAGE, parseTtl} from '../src/core/sandbox/sandbox.js'
import {renderSandboxCreate} from '../src/ui/present/sandbox.js'

export default class Sandbox extends declared(SANDBOX, LifecycleCommand) {
  async run() {
    const {flags} = await this.input()
    const context = await this.context()
    // Bad input fails here, before any connection is made.
    const tenant = checkResourceName('tenant', flags.tenant ?? (await context.defaultTenant()))
    const image = checkSandboxImage(flags.image ?? DEFAULT_SANDBOX_IMAGE)
    const ttlSeconds = parseTtl(flags.ttl)
    const nanoCpus = Math.round(parseCpus(flags.cpus) * 1e9)
    const memoryBytes = parseMemorySize(flags.memory)
    const {createSandbox} = await import('../src/services/sandbox.js')
    const {deps} = await this.lifecycle(flags)
    const id = `sb-${deps
      .newId()
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '')
      .slice(0, 8)
      .padEnd(8, '0')}`
    const result = await createSandbox(deps, {id, tenant, image, ttlSeconds, nanoCpus, memoryBytes, pidsLimit: 256})
    this.view?.stop()
    this.say(renderSandboxCreate(result, this.style))
    return result
  }
}
