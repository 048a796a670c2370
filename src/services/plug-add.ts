/**
 * `aims plug add DIR|COMPOSE_FILE`: a custom plug in the user's catalog. A directory is built and
 * verified on the host (aims build --no-deploy); a Compose file is converted (core/build/compose.ts),
 * validated by the catalog's own schema and written. Either way `aims plug up ID` then deploys it.
 */
import {composeToPlug} from '../core/build/compose.js'
import {AimsError} from '../core/errors.js'
import type {Plan} from '../core/plan/plan.js'
import type {UserCatalog} from './build-ports.js'
import {passGate, type Approver} from './gate.js'

export interface PlugAddResult {
  status: 'added' | 'dry-run'
  id: string
  file: string
  services: string[]
  yaml: string
  plan: Plan
}

export async function addComposePlug(
  deps: {userCatalog: UserCatalog; approver: Approver; existing: (id: string) => Promise<string | undefined>},
  request: {id: string; name?: string; file: string; text: string},
): Promise<PlugAddResult> {
  const [{parse, stringify}, {parsePlug, CatalogValidationError, formatIssue}] = await Promise.all([
    import('yaml'),
    import('../core/catalog/validate.js'),
  ])
  let document: unknown
  try {
    document = parse(request.text)
  } catch (error) {
    throw new AimsError('validation', `${request.file} is not valid YAML: ${(error as Error).message.split('\n')[0]}`, {
      hint: 'fix the file (docker compose config checks it)',
    })
  }
  const plug = composeToPlug(document, {
    id: request.id,
    file: request.file,
    ...(request.name ? {name: request.name} : {}),
  })
  const from = request.file.split('/').pop()
  const header = `# Written by aims plug add from ${from}. Check it, then aims plug up ${request.id}.`
  const yaml = `${header}\n${stringify(plug)}`
  const target = `${deps.userCatalog.dir}/${request.id}.yaml`
  try {
    parsePlug(yaml, target, request.id)
  } catch (error) {
    if (error instanceof CatalogValidationError)
      throw new AimsError(
        'validation',
        `the plug made from ${request.file} is not valid: ${formatIssue(error.issues[0]!)}`,
        {
          hint: 'fix the Compose file (pinned image tags, one published port), then add it again',
        },
      )
    throw error
  }
  const builtin = await deps.existing(request.id)
  if (builtin)
    throw new AimsError('usage', `the catalog already has a plug ${request.id} (${builtin})`, {
      hint: 'pass --name with another id',
    })
  const services = Object.keys(plug.services as object)
  const plan: Plan = {
    action: 'plug-add',
    summary: `Add the plug ${request.id} (${services.length} services) to your catalog`,
    host: 'local',
    target: request.id,
    destructive: false,
    facts: [
      {label: 'from', value: request.file},
      {label: 'services', value: services.join(', ')},
    ],
    changes: [{action: 'write', kind: 'catalog-entry', name: target}],
    gates: [],
  }
  if ((await passGate(plan, deps.approver)) === 'dry-run')
    return {status: 'dry-run', id: request.id, file: target, services, yaml, plan}
  const file = await deps.userCatalog.write(request.id, yaml)
  return {status: 'added', id: request.id, file, services, yaml, plan}
}
