import {Args, Flags} from '@oclif/core'
import {AimsCommand} from '../src/cli/base-command.js'
import {tenantFlag} from '../src/cli/flags.js'
import {renderExportResult} from '../src/ui/present/export.js'

export default class Export extends AimsCommand {
  static override description =
    'Write a self-host bundle that runs a plug or an instance without aims\n\nThe bundle: docker-compose.yml, .env.example, setup.sh, healthcheck.sh, nginx.conf and README.md. An instance export carries its non-secret settings, never a secret value.'
  static override examples = [
    '<%= config.bin %> export n8n',
    '<%= config.bin %> export acme/n8n --out ./acme-n8n',
    '<%= config.bin %> export my-blog --tenant acme --force --json',
  ]
  static override args = {
    target: Args.string({
      description:
        'a plug id (aims catalog ls), or an instance: TENANT/NAME, or NAME with --tenant (a bare NAME that is no plug is looked up in the default tenant)',
      required: true,
    }),
  }
  static override flags = {
    out: Flags.string({char: 'o', description: 'directory to write (default: ./<plug-or-instance>-bundle)'}),
    force: Flags.boolean({
      description:
        'write into a non-empty directory: the bundle files are replaced, other files (such as .env) are kept',
      default: false,
    }),
    tenant: tenantFlag,
  }

  async run() {
    const {args, flags} = await this.parse(Export)
    const {exportBundle, validateExportOptions} = await import('../src/services/export.js')
    const options = {
      target: args.target,
      force: flags.force,
      ...(flags.out !== undefined ? {out: flags.out} : {}),
      ...(flags.tenant !== undefined ? {tenant: flags.tenant} : {}),
    }
    validateExportOptions(options)
    const context = await this.context()
    const result = await exportBundle(
      await context.exportDeps({...(flags.host ? {host: flags.host} : {}), aimsVersion: this.config.version}),
      options,
    )
    this.say(renderExportResult(result, this.style))
    return result
  }
}
