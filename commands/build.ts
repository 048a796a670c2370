import {LifecycleCommand} from '../src/cli/lifecycle-command.js'
import {declared} from '../src/cli/declared.js'
import {BUILD} from '../src/core/commands/build.js'
import {AimsError} from '../src/core/errors.js'
import {buildRequest, nameFromWords} from '../src/core/build/request.js'
import {renderBuild, renderBuildFailure} from '../src/ui/present/build.js'
import {plugUpWarnings, renderUnhealthyLogs} from '../src/ui/present/lifecycle.js'

export default class Build extends declared(BUILD, LifecycleCommand) {
  async run() {
    const {args, flags} = await this.input()
    const context = await this.context()
    const tenant = flags.tenant ?? (await context.defaultTenant())
    const {basename, resolve} = await import('node:path')
    const {describeIntent} = await import('../src/core/build/describe.js')
    // Bad input fails here, before any connection is made.
    const request = buildRequest({
      source: args.source,
      tenant,
      name: flags.name,
      out: flags.out,
      noDeploy: flags['no-deploy'],
      defaultName: (source) =>
        source.kind === 'dir'
          ? nameFromWords(basename(resolve(source.path)))
          : source.kind === 'git'
            ? nameFromWords(basename(source.url.replace(/[#?].*$/, '').replace(/\/+$/, '')))
            : nameFromWords(describeIntent(source.text).title),
    })
    if (request.source.kind === 'dir') {
      const {openSourceDir} = await import('../src/adapters/source-dir.js')
      await openSourceDir(request.source.path)
    }
    const {buildApp} = await import('../src/services/build.js')
    const deps = await context.buildDeps((await this.lifecycle(flags)).deps)
    try {
      const result = await buildApp(deps, request)
      this.view?.stop()
      this.say(renderBuild(result, this.style))
      if (result.deploy) for (const warning of plugUpWarnings(result.deploy, this.errStyle)) this.note(warning)
      return result
    } catch (error) {
      this.view?.stop()
      if (error instanceof AimsError && !this.jsonEnabled()) {
        if (error.kind === 'build') this.io.stderr.write(renderBuildFailure(error.details))
        if (error.kind === 'unhealthy') this.io.stderr.write(renderUnhealthyLogs(error.details))
      }
      throw error
    }
  }
}
