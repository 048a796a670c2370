/**
 * aims' health specs as Docker Compose health checks. aims probes HTTP and
 * TCP from the host; Compose can only run a command inside the container, and
 * images differ in what they ship (busybox wget, curl, node, python3, bash),
 * so HTTP and TCP checks try those in turn and use the first the image has.
 * Pure: no I/O.
 */
import type {HealthSpec, Plug} from '../catalog/schema.js'

export interface ComposeHealthcheck {
  /** Compose `test`, unescaped: the renderer escapes `$` for Compose. */
  test: string[]
  intervalSeconds: number
  timeoutSeconds: number
  retries: number
  /** Failures during this window do not count (the time aims' deploy gate gives the app). */
  startPeriodSeconds: number
}

export type ServiceHealth =
  | {kind: 'check'; healthcheck: ComposeHealthcheck; description: string; spec: HealthSpec}
  /** `{type: docker}`: the image's own HEALTHCHECK stays in force. */
  | {kind: 'image'; description: string}
  | {kind: 'none'; description: string}

/** The HTTP clients an HTTP check tries, in order (documented in the bundle's README). */
export const HTTP_PROBE_TOOLS = ['wget', 'curl', 'node', 'python3', 'bash'] as const
/** The tools a TCP check tries, in order. */
export const TCP_PROBE_TOOLS = ['bash', 'python3', 'node', 'nc'] as const

/** A word for `sh -c`: single-quoted unless plain. */
function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`
}

const tryTool = (tool: string, command: string) => `if command -v ${tool} >/dev/null 2>&1; then exec ${command}; fi`

/**
 * GET http://127.0.0.1:PORT/PATH inside the container; healthy on 2xx/3xx
 * (wget, curl and python3 follow redirects and need the final answer to be
 * below 400, as aims' own probe does for the first answer).
 */
export function httpProbeScript(port: number, path: string): string {
  const url = shellQuote(`http://127.0.0.1:${port}${path}`)
  return [
    `u=${url}`,
    tryTool('wget', 'wget -q -O /dev/null "$u"'),
    tryTool('curl', 'curl -fsS -o /dev/null "$u"'),
    tryTool(
      'node',
      `node -e '${[
        'require("http").get(process.argv[1],(r)=>process.exit(r.statusCode<400?0:1))',
        '.on("error",()=>process.exit(1))',
      ].join('')}' "$u"`,
    ),
    tryTool('python3', `python3 -c 'import sys,urllib.request;urllib.request.urlopen(sys.argv[1],timeout=4)' "$u"`),
    tryTool(
      'bash',
      `bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1";printf "GET %s HTTP/1.0\\r\\nHost: 127.0.0.1\\r\\n\\r\\n" ` +
        `"$2" >&3;read -r _ c _ <&3;[ "$c" -ge 200 ]&&[ "$c" -lt 400 ]' probe ${port} ${shellQuote(path)}`,
    ),
    `echo 'health check: no HTTP client in the image (${HTTP_PROBE_TOOLS.join(', ')})' >&2`,
    'exit 1',
  ].join('; ')
}

/** Connects to 127.0.0.1:PORT inside the container. */
export function tcpProbeScript(port: number): string {
  return [
    tryTool('bash', `bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' probe ${port}`),
    tryTool(
      'python3',
      `python3 -c 'import socket,sys;socket.create_connection(("127.0.0.1",int(sys.argv[1])),4)' ${port}`,
    ),
    tryTool(
      'node',
      `node -e '${[
        'require("net").connect(+process.argv[1],"127.0.0.1",()=>process.exit(0))',
        '.on("error",()=>process.exit(1))',
      ].join('')}' ${port}`,
    ),
    tryTool('nc', `nc -z 127.0.0.1 ${port}`),
    `echo 'health check: no TCP client in the image (${TCP_PROBE_TOOLS.join(', ')})' >&2`,
    'exit 1',
  ].join('; ')
}

/** How often and how patiently Compose checks, from the plug's deploy gate. */
export function healthTiming(gate: Plug['health_gate']): Omit<ComposeHealthcheck, 'test'> {
  return {
    intervalSeconds: Math.max(1, Math.round(gate.interval_seconds)),
    timeoutSeconds: 5,
    retries: 3,
    startPeriodSeconds: Math.max(1, Math.ceil(gate.retries * gate.interval_seconds)),
  }
}

/** The Compose health check of one service; `entryPort` is the service's entry port when it has one. */
export function composeHealth(
  health: HealthSpec | undefined,
  entryPort: number | undefined,
  gate: Plug['health_gate'],
): ServiceHealth {
  if (!health) return {kind: 'none', description: 'none declared: a running container counts as healthy'}
  const timing = healthTiming(gate)
  switch (health.type) {
    case 'http': {
      const port = health.port ?? entryPort ?? 80
      return {
        kind: 'check',
        spec: health,
        healthcheck: {test: ['CMD-SHELL', httpProbeScript(port, health.path)], ...timing},
        description:
          `HTTP GET ${health.path} on port ${port} inside the container (2xx/3xx), with the first of ` +
          `${HTTP_PROBE_TOOLS.join(', ')} the image has`,
      }
    }
    case 'tcp': {
      const port = health.port ?? entryPort ?? 80
      return {
        kind: 'check',
        spec: health,
        healthcheck: {test: ['CMD-SHELL', tcpProbeScript(port)], ...timing},
        description:
          `TCP connect to port ${port} inside the container, with the first of ${TCP_PROBE_TOOLS.join(', ')} ` +
          `the image has`,
      }
    }
    case 'command':
      return {
        kind: 'check',
        spec: health,
        healthcheck: {test: ['CMD', ...health.command], ...timing},
        description: `runs ${health.command.join(' ')} in the container (exit 0 = healthy)`,
      }
    case 'docker':
      return {kind: 'image', description: "the image's own HEALTHCHECK"}
  }
}
