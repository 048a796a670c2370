/**
 * The plug catalog format: one YAML file per plug, validated here with
 * errors that name the file, the path inside it and the fix. Pure: callers
 * read files and pass text in.
 */
import {z} from 'zod'
import {RESOURCE_NAME} from '../names.js'

import {CATEGORIES, SIZE_CLASSES, TIERS} from './model.js'

export {CATEGORIES, SIZE_CLASSES, TIERS}
export type {SizeClass, Tier} from './model.js'

/**
 * An image reference pinned to a version tag or a digest: never `latest`,
 * never untagged, no whitespace. registry[:port]/path:tag[@sha256:…]
 */
const IMAGE =
  /^(?:[a-z0-9]+(?:[.-][a-z0-9]+)*(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?$/

export function checkImageReference(image: string): string | undefined {
  if (/\s/.test(image)) return 'has whitespace'
  const match = IMAGE.exec(image)
  if (!match) return 'is not a valid image reference (registry/name:tag)'
  const [, tag, digest] = match
  if (!tag && !digest) return 'has no tag: pin a version tag (e.g. :1.2.3) or a digest'
  if (tag === 'latest' && !digest) return 'uses the "latest" tag: pin a version tag or a digest'
  return undefined
}

const MEMORY = /^\d+(\.\d+)?\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)$/i
const resourceName = (what: string) => z.string().regex(RESOURCE_NAME, `${what} must be 1-32 of a-z, 0-9 and inner "-"`)
const envKey = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'environment variable names use letters, digits and "_"')
const port = z.number().int().min(1).max(65_535)
const containerPath = z
  .string()
  .regex(/^\/[^\s\0]*$/, 'must be an absolute path in the container without spaces')
  .refine((path) => !path.split('/').includes('..'), 'must not contain ".."')

const healthSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('http'),
      path: z.string().regex(/^\/[\x21-\x7e]*$/, 'an HTTP path starting with "/" and no spaces'),
      port: port.optional(),
    })
    .strict(),
  z.object({type: z.literal('tcp'), port: port.optional()}).strict(),
  /** The image's own HEALTHCHECK (Docker health status). */
  z.object({type: z.literal('docker')}).strict(),
  /** A command run inside the container as its Docker HEALTHCHECK (exit 0 = healthy). */
  z.object({type: z.literal('command'), command: z.array(z.string().min(1)).min(1)}).strict(),
])

const resourcesSchema = z
  .object({
    cpus: z.number().positive().max(64).optional(),
    memory: z.string().regex(MEMORY, 'a size such as 256m or 1g').optional(),
  })
  .strict()

const volumeSchema = z
  .object({
    name: resourceName('volume name'),
    path: containerPath,
    /** Estimated size, for capacity and cost. */
    size: z.string().regex(MEMORY, 'a size such as 1g').optional(),
  })
  .strict()

/** `completed`: the dependency is a one-shot job (`run: once`) that must exit 0 first (Compose's service_completed_successfully). */
const DEPENDENCY_CONDITIONS = ['started', 'healthy', 'completed'] as const
const dependsOnSchema = z.record(
  resourceName('service name'),
  z.union([z.enum(DEPENDENCY_CONDITIONS), z.object({condition: z.enum(DEPENDENCY_CONDITIONS)}).strict()]),
)

/** Longest file template: config files, not data. */
export const MAX_FILE_TEMPLATE = 64 * 1024

/**
 * A config file rendered from a template with the plug's variables before the
 * service starts, written on the host under the state dir and bind-mounted
 * read-only at `path` (v2: no more `sh -c printf` workarounds).
 */
const fileSchema = z
  .object({
    path: containerPath.refine((path) => !path.endsWith('/'), 'must name a file, not a directory'),
    /** The file's text; ${NAME} references are filled like env values, `$NAME` is left alone. */
    template: z.string().max(MAX_FILE_TEMPLATE, `at most ${MAX_FILE_TEMPLATE} characters`),
    /** Octal permission bits of the file, e.g. "0644" (default) or "0600" for a root-only secret file. */
    mode: z
      .string()
      .regex(/^0?[0-7]{3}$/, 'an octal mode such as "0644"')
      .default('0644'),
  })
  .strict()

/** An nginx location of the plug's host name sent to another service (v2): `/api/` → gateway:8001. */
const ROUTE_PATH = /^\/[A-Za-z0-9._~/-]*$/
const routeSchema = z
  .object({
    path: z
      .string()
      .regex(ROUTE_PATH, 'an URL path prefix such as /api/ (letters, digits, "._~-/" only)')
      .refine((path) => !path.split('/').includes('..'), 'must not contain ".."'),
    service: resourceName('service name'),
    port,
  })
  .strict()

const serviceSchema = z
  .object({
    image: z.string().superRefine((image, context) => {
      const problem = checkImageReference(image)
      if (problem) context.addIssue({code: 'custom', message: `image ${JSON.stringify(image)} ${problem}`})
    }),
    command: z.array(z.string()).optional(),
    entrypoint: z.array(z.string()).optional(),
    /** Values may reference the env spec and built-ins: ${NAME}, ${AIMS_URL}, ${AIMS_INSTANCE}… */
    env: z.record(envKey, z.union([z.string(), z.number(), z.boolean()]).transform(String)).default({}),
    /** The HTTP (or TCP) entrypoint: published on the host from 51000 up, proxied by nginx when HTTP. */
    entry: z
      .object({port, protocol: z.enum(['http', 'tcp']).default('http')})
      .strict()
      .optional(),
    /** Other container ports other services reach on the tenant network (never published). */
    ports: z.array(port).default([]),
    volumes: z.array(volumeSchema).default([]),
    depends_on: dependsOnSchema.default({}),
    health: healthSchema.optional(),
    resources: resourcesSchema.default({}),
    user: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+)?$/)
      .optional(),
    working_dir: containerPath.optional(),
    tmpfs: z.array(containerPath).optional(),
    /** Seconds between SIGTERM and SIGKILL on stop. */
    stop_grace_seconds: z.number().int().min(1).max(600).optional(),
    /**
     * `once`: a one-shot job (a migration, a chown) run to completion before the services that depend on it with
     * condition `completed`; exit 0 or the deploy fails. Its container is removed once it succeeded.
     */
    run: z.enum(['always', 'once']).default('always'),
    /** Config files rendered before start and mounted read-only (v2). */
    files: z.array(fileSchema).default([]),
  })
  .strict()

const charset = z.enum(['alnum', 'hex', 'base64url', 'alpha', 'numeric'])

const envSpecSchema = z
  .object({
    description: z.string().min(1),
    /** One line used when asking the user (chat intake, TTY prompt). */
    question: z.string().min(1).optional(),
    required: z.boolean().default(false),
    default: z.union([z.string(), z.number(), z.boolean()]).transform(String).optional(),
    /** Masked everywhere (plans, logs, --json, export). */
    secret: z.boolean().default(false),
    /** Generated when not given (implies secret). */
    generate: z
      .object({length: z.number().int().min(8).max(256), charset: charset.default('alnum')})
      .strict()
      .optional(),
    /** A value the user gives must match: RE2 syntax, matched in linear time (core/catalog/pattern.ts). */
    pattern: z.string().optional(),
    example: z.string().optional(),
  })
  .strict()

export const plugSchema = z
  .object({
    id: resourceName('id'),
    name: z.string().min(1).max(60),
    description: z.string().min(10).max(400),
    category: z.enum(CATEGORIES),
    tags: z.array(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'tags are lower-case words')).min(1),
    homepage: z.url({protocol: /^https?$/}),
    /** Where the facts (image, ports, env, volumes, health) were checked. */
    docs: z.url({protocol: /^https?$/}).optional(),
    license: z.string().min(2),
    /** Revision of this catalog entry (bumped when it changes). */
    version: z.number().int().min(1).default(1),
    tier: z.enum(TIERS).default('free'),
    size: z.enum(SIZE_CLASSES),
    services: z
      .record(resourceName('service name'), serviceSchema)
      .refine((services) => Object.keys(services).length > 0, 'a plug needs at least one service'),
    env: z.record(envKey, envSpecSchema).default({}),
    /**
     * Path routes (v2): locations of the instance's host name that nginx sends to another service instead of the
     * entry (which keeps `/`). Longest prefix wins, as in nginx.
     */
    routes: z.array(routeSchema).default([]),
    /** Health gate tuning: default 30 tries 2 s apart. */
    health_gate: z
      .object({
        retries: z.number().int().min(1).max(600).default(30),
        interval_seconds: z.number().min(0.2).max(60).default(2),
      })
      .strict()
      .default({retries: 30, interval_seconds: 2}),
    proxy: z
      .object({
        client_max_body_size: z
          .string()
          .regex(/^\d+[kmg]?$/i, 'an nginx size such as 50m')
          .default('10m'),
        read_timeout_seconds: z.number().int().min(1).max(3600).default(60),
        websockets: z.boolean().default(true),
      })
      .strict()
      .default({client_max_body_size: '10m', read_timeout_seconds: 60, websockets: true}),
    /** Things a user should know (first login, default credentials) printed after deploy. */
    notes: z.string().optional(),
    /**
     * How a backup of the volumes is made consistent: a hook run in a service's container first
     * (sqlite `.backup`, pg_dump into the volume), else the containers are paused while copying.
     */
    backup: z
      .object({
        hook: z
          .object({
            service: resourceName('service name'),
            command: z.array(z.string().min(1)).min(1),
            timeout_seconds: z.number().int().min(1).max(3600).default(300),
          })
          .strict()
          .optional(),
        /** Run in the service's container after a restore (put the dump back). */
        restore: z
          .object({
            service: resourceName('service name'),
            command: z.array(z.string().min(1)).min(1),
            timeout_seconds: z.number().int().min(1).max(3600).default(300),
          })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
  })
  .strict()

export type PlugInput = z.input<typeof plugSchema>
export type Plug = z.output<typeof plugSchema>
export type PlugService = Plug['services'][string]
export type EnvSpec = Plug['env'][string]
export type HealthSpec = NonNullable<PlugService['health']>
export type DependsOn = PlugService['depends_on']
export type PlugFile = PlugService['files'][number]
export type PlugRoute = Plug['routes'][number]
