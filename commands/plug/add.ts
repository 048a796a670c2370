import {LifecycleCommand} from '../../src/cli/lifecycle-command.js'
import {declared} from '../../src/cli/declared.js'
import {PLUG_ADD} from '../../src/core/commands/build.js'
import {AimsError} from '../../src/core/errors.js'
import {buildRequest, nameFromWords} from '../../src/core/build/request.js'
import {checkResourceName} from '../../src/core/names.js'
import {renderBuild, renderBuildFailure} from '../../src/ui/present/build.js'
import {renderPlan} from '../../src/ui/present/plan.js'

export default class PlugAdd extends declared(PLUG_ADD, LifecycleCommand) {
  async run() {
    const {args, flags} = await this.input()
    const context = await this.context()
    const {stat, readFile} = await import('node:fs/promises')
    const {basename, dirname, resolve} = await import('node:path')
    const path = resolve(args.source)
    const info = await stat(path).catch(() => undefined)
    if (!info)
      throw new AimsError('usage', `${args.source}: no such file or directory`, {
        hint: 'pass a directory or a Compose file',
      })
    if (info.isDirectory()) {
      const request = buildRequest({
        source: path,
        tenant: flags.tenant ?? (await context.defaultTenant()),
        name: flags.name,
        noDeploy: true,
        defaultName: () => nameFromWords(basename(path)),
      })
      const {buildApp} = await import('../../src/services/build.js')
      const deps = await context.buildDeps((await this.lifecycle(flags)).deps)
      try {
        const result = await buildApp(deps, {...request, source: {kind: 'dir', path}})
        this.view?.stop()
        this.say(renderBuild(result, this.style))
        return result
      } catch (error) {
        this.view?.stop()
        if (error instanceof AimsError && error.kind === 'build' && !this.jsonEnabled())
          this.io.stderr.write(renderBuildFailure(error.details))
        throw error
      }
    }
    if (!/\.ya?ml$/.test(path))
      throw new AimsError('usage', `${args.source} is neither a directory nor a Compose file (.yml/.yaml)`, {
        hint: 'pass an app directory or a docker-compose.yml',
      })
    const id = checkResourceName('instance', flags.name ?? nameFromWords(basename(dirname(path))))
    const {addComposePlug} = await import('../../src/services/plug-add.js')
    const {cliApprover} = await import('../../src/services/gate.js')
    const {userCatalog} = await import('../../src/adapters/sources.js')
    const catalog = context.catalog()
    const result = await addComposePlug(
      {
        userCatalog: userCatalog(context.paths.plugsDir),
        approver: cliApprover({
          yes: Boolean(flags.yes),
          dryRun: Boolean(flags['dry-run']),
          prompter: context.prompter,
          show: (plan) => {
            this.shownPlan = plan
            this.say(renderPlan(plan, this.style))
          },
        }),
        existing: async (wanted) => {
          const entry = await catalog.find(wanted)
          return entry && entry.source === 'builtin' ? entry.file : undefined
        },
      },
      {id, file: path, text: await readFile(path, 'utf8')},
    )
    this.say(
      result.status === 'dry-run'
        ? result.yaml
        : `✓ added ${result.id} to your catalog: ${result.file}\n  aims plug up ${result.id}`,
    )
    return result
  }
}
