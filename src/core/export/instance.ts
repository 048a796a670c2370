/**
 * An instance as the engine shows it (labels, inspected env), reduced to what
 * an export may carry: the plug's non-secret settings with their values, the
 * names of secret variables, images and limits. Secret values stop here: the
 * result holds none, and a setting whose value contains a secret's value is
 * withheld as well. Pure: no I/O.
 */
import type {Plug} from '../catalog/schema.js'
import {checkImageReference} from '../catalog/schema.js'
import {ENV_KEY} from '../names.js'
import {LABEL, type ContainerDetails} from '../engine-types.js'
import {secretKeysFromLabels, type InstanceView} from '../instances.js'
import {looksSecret} from '../plan/env.js'
import type {InstanceExport} from './model.js'

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g

/** Secret values shorter than this are too common to look for inside other values ("true", "1"). */
export const MIN_SECRET_MATCH = 4

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * The values of the variables a catalog env value references, read back from
 * what the container holds: `postgresql://u:${DB_PASSWORD}@db/x` against
 * `postgresql://u:s3cret@db/x` gives {DB_PASSWORD: "s3cret"}. Undefined when
 * the container's value does not have the template's shape (edited by hand).
 */
export function matchEnvTemplate(template: string, actual: string): Record<string, string> | undefined {
  const names: string[] = []
  let pattern = '^'
  let last = 0
  for (const match of template.matchAll(REFERENCE)) {
    pattern += escapeRegExp(template.slice(last, match.index))
    pattern += '([\\s\\S]*?)'
    names.push(match[1] ?? '')
    last = (match.index ?? 0) + match[0].length
  }
  pattern += `${escapeRegExp(template.slice(last))}$`
  const found = new RegExp(pattern).exec(actual)
  if (!found) return undefined
  const values: Record<string, string> = {}
  names.forEach((name, index) => {
    // A name used twice must read the same both times to count.
    const value = found[index + 1] ?? ''
    if (name in values && values[name] !== value) return
    values[name] = value
  })
  return values
}

export interface InstanceReading {
  plug: Plug
  view: InstanceView
  /** Inspect results, in the order of view.replicas (undefined: the container is gone). */
  details: Array<ContainerDetails | undefined>
  host: string
}

export interface InstanceExportWithGuard {
  export: InstanceExport
  /**
   * The instance's secret values, for one purpose only: the caller checks the
   * rendered bundle holds none of them before writing it. Never output.
   */
  secretValues: string[]
}

export function readInstanceExport(reading: InstanceReading): InstanceExportWithGuard {
  const {plug, view} = reading
  // One container per service: replica 1 where there are several.
  const perService = new Map<string, {replica: InstanceView['replicas'][number]; detail?: ContainerDetails}>()
  view.replicas.forEach((replica, index) => {
    const known = perService.get(replica.service)
    if (!known || replica.replica < known.replica.replica)
      perService.set(replica.service, {replica, ...(reading.details[index] ? {detail: reading.details[index]} : {})})
  })

  const secretKeys = new Set(view.secretKeys)
  for (const detail of reading.details) for (const key of secretKeysFromLabels(detail?.labels)) secretKeys.add(key)
  const isSecretKey = (key: string) => secretKeys.has(key) || looksSecret(key)

  const declared = new Set(Object.keys(plug.env))
  const catalogKeys = new Set(Object.values(plug.services).flatMap((service) => Object.keys(service.env)))
  const secretVariables = new Set<string>()
  const secretValues = new Set<string>()
  const exact = new Map<string, string>()
  const partial = new Map<string, string>()

  for (const [name, service] of Object.entries(plug.services)) {
    const env = perService.get(name)?.detail?.env ?? {}
    for (const [key, template] of Object.entries(service.env)) {
      const referencedNames = [...template.matchAll(REFERENCE)].map((match) => match[1] ?? '')
      const actual = env[key]
      if (isSecretKey(key)) {
        for (const variable of referencedNames) if (declared.has(variable)) secretVariables.add(variable)
        if (actual) secretValues.add(actual)
      }
      if (actual === undefined) continue
      const values = matchEnvTemplate(template, actual)
      if (!values) continue
      for (const [variable, value] of Object.entries(values)) {
        if (isSecretKey(key) && value) secretValues.add(value)
        if (template === `\${${variable}}`) exact.set(variable, value)
        else if (!partial.has(variable)) partial.set(variable, value)
      }
    }
  }
  // Undeclared secrets given at deploy (aims lists them in the secret-keys label).
  const extraSecretKeys = [...secretKeys]
    .filter((key) => ENV_KEY.test(key) && !catalogKeys.has(key) && !declared.has(key))
    .sort()
  for (const key of extraSecretKeys) {
    for (const {detail} of perService.values()) {
      const value = detail?.env[key]
      if (value) secretValues.add(value)
    }
  }

  const settings: Record<string, string> = {}
  const withheld: Record<string, string> = {}
  const guard = [...secretValues].filter((value) => value.length >= MIN_SECRET_MATCH)
  for (const [variable, spec] of Object.entries(plug.env)) {
    if (spec.secret || spec.generate || looksSecret(variable) || secretVariables.has(variable)) {
      const value = exact.get(variable) ?? partial.get(variable)
      if (value) secretValues.add(value)
      continue
    }
    const value = exact.get(variable) ?? partial.get(variable)
    if (value === undefined) continue
    if (guard.some((secret) => value.includes(secret))) {
      withheld[variable] = 'its value on the instance contains a secret value'
      continue
    }
    settings[variable] = value
  }

  const images: Record<string, string> = {}
  const resources: InstanceExport['resources'] = {}
  for (const [name, {replica, detail}] of perService) {
    if (!plug.services[name]) continue
    // A container created from an image id (untagged) gets the catalog's reference instead.
    if (!replica.image.startsWith('sha256:') && !checkImageReference(replica.image)) images[name] = replica.image
    resources[name] = {
      ...(detail?.nanoCpus ? {cpus: detail.nanoCpus / 1e9} : {}),
      ...(detail?.memoryBytes ? {memoryBytes: detail.memoryBytes} : {}),
    }
  }

  const entryDetail = [...perService.values()].find(({replica}) => replica.entry)?.detail
  const plugVersion = entryDetail?.labels[LABEL.plugVersion]
  const url = view.domainUrl ?? view.localUrl
  return {
    export: {
      tenant: view.tenant,
      instance: view.instance,
      host: reading.host,
      settings,
      secretVariables: [...secretVariables].sort(),
      withheld,
      extraSecretKeys,
      images,
      resources,
      ...(view.hostPort ? {hostPort: view.hostPort} : {}),
      ...(url ? {url: url.replace(/\/$/, '')} : {}),
      ...(plugVersion ? {plugVersion} : {}),
    },
    secretValues: [...secretValues].filter((value) => value.length > 0),
  }
}
