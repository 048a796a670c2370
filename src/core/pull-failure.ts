/**
 * Why an image pull failed, from the engine's own message (recorded from real
 * engines: test/fixtures/recorded/docker/pull-errors.json), and what to do.
 * The engine's message is kept word for word (sanitized to one line); the
 * classification only adds the cause and the fix. Pure.
 */
import {AimsError} from './errors.js'
import {oneLine} from './text/sanitize.js'

export type PullCause =
  'dns' | 'auth' | 'not-found' | 'rate-limit' | 'timeout' | 'unreachable' | 'bad-reference' | 'unknown'

interface Rule {
  cause: PullCause
  test: RegExp
  what: (image: string, registry: string) => string
  fix: (image: string, registry: string) => string
}

/** The registry a reference names (Docker Hub when its first part has no dot, colon or "localhost"). */
export function registryOf(image: string): string {
  const first = image.split('/')[0] ?? ''
  return image.includes('/') && (/[.:]/.test(first) || first === 'localhost') ? first : 'docker.io'
}

const RULES: Rule[] = [
  {
    cause: 'rate-limit',
    test: /toomanyrequests|rate limit|too many requests/i,
    what: (_image, registry) => `${registry} refused: too many pulls (rate limit)`,
    fix: (_image, registry) =>
      `wait and retry, or log the host in to ${registry} (docker login on the host) for a higher limit`,
  },
  {
    cause: 'auth',
    test: /unauthorized|authentication required|no basic auth credentials|denied: requested access|access denied|pull access denied|\b401\b/i,
    what: (_image, registry) => `${registry} wants credentials the host does not have (or refused them)`,
    fix: (_image, registry) => `log the host in to ${registry} (docker login ${registry} on the host) and retry`,
  },
  {
    cause: 'not-found',
    test: /manifest unknown|not found|repository does not exist|name unknown/i,
    what: (image, registry) => `${registry} has no image ${image}`,
    fix: () => 'check the image name and tag (the catalog entry, or the tag you asked for)',
  },
  {
    cause: 'dns',
    test: /no such host|server misbehaving|temporary failure in name resolution|lookup .* on /i,
    what: (_image, registry) => `the host cannot resolve ${registry} (DNS)`,
    fix: (_image, registry) =>
      `check the host's DNS and internet access (nslookup ${registry} on the host), ` +
      'or use an image from a registry it can reach',
  },
  {
    cause: 'timeout',
    test: /timeout|timed out|deadline exceeded/i,
    what: (_image, registry) => `${registry} did not answer in time`,
    fix: () => "check the host's network (a firewall or proxy), then retry",
  },
  {
    cause: 'unreachable',
    test: /connection refused|no route to host|network is unreachable|connection reset/i,
    what: (_image, registry) => `the host cannot connect to ${registry}`,
    fix: (_image, registry) => `check that ${registry} is up and that the host may reach it (firewall, proxy)`,
  },
  {
    cause: 'bad-reference',
    test: /invalid reference format/i,
    what: (image) => `${image} is not a valid image reference`,
    fix: () => 'fix the image name in the catalog entry (lower-case repository, NAME:TAG)',
  },
]

export function classifyPullFailure(engineMessage: string): PullCause {
  return RULES.find((rule) => rule.test.test(engineMessage))?.cause ?? 'unknown'
}

/** The engine's words without dockerode's "(HTTP code 500) server error - " prefix. */
export function engineWords(message: string): string {
  return oneLine(message.replace(/^\(HTTP code \d+\)\s+[^-]*-\s*/, '')).trim()
}

export function pullFailure(image: string, host: string, engineMessage: string): AimsError {
  const engine = engineWords(engineMessage)
  const registry = registryOf(image)
  const rule = RULES.find((candidate) => candidate.test.test(engine))
  const cause = rule?.cause ?? 'unknown'
  return new AimsError(
    'pull',
    `cannot pull ${image} on ${host}: ` +
      `${rule ? `${rule.what(image, registry)}: ` : ''}${engine || 'the engine gave no reason'}`,
    {
      hint: rule?.fix(image, registry) ?? `check the image name and that ${host} can reach ${registry}`,
      cause,
      details: {image, registry, engine},
    },
  )
}
