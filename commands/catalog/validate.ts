import {AimsCommand} from '../../src/cli/base-command.js'
import {declared} from '../../src/cli/declared.js'
import {CATALOG_VALIDATE} from '../../src/core/commands/catalog.js'
import {ExitCode} from '../../src/core/errors.js'
import {validateCatalog} from '../../src/services/catalog.js'
import {renderValidationIssues, validationSummary} from '../../src/ui/present/catalog.js'

export default class CatalogValidate extends declared(CATALOG_VALIDATE, AimsCommand) {
  async run() {
    const {args} = await this.input()
    const context = await this.context()
    const {localCatalogFiles} = await import('../../src/adapters/catalog-file-reader.js')
    const paths = args.path ? [args.path] : (await context.catalogDirs()).map(({dir}) => dir)
    const result = await validateCatalog(localCatalogFiles, {paths})
    if (!result.ok) {
      // Exit 2 still reports the result: a typed document under --json, one line per issue otherwise.
      if (this.jsonEnabled()) this.logJson(result)
      else {
        for (const line of renderValidationIssues(result)) this.say(line)
        this.note(this.errStyle.red(validationSummary(result)))
      }
      this.exit(ExitCode.badInput)
    }
    this.say(validationSummary(result))
    return result
  }
}
