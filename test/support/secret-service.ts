/**
 * A real Secret Service for one test: a private D-Bus session bus (its own
 * config: no service activation, so nothing else is started behind the
 * test's back) and gnome-keyring-daemon in the foreground on it, with a login
 * keyring unlocked by a password fed on stdin, all under a temporary HOME.
 * Both are children of the test and are killed by pid in `stop()`.
 *
 * Variants: `unlock: false` starts the keyring with no login keyring (a store
 * that refuses writes, like a locked desktop keyring over SSH);
 * `blackHole: true` puts a peer on the bus that owns org.freedesktop.secrets
 * and never answers (dbus-test-tool), the hang aims must bound.
 *
 * Needs gnome-keyring, libsecret-tools, dbus-daemon and dbus-tests (test/bed/setup.sh installs them).
 */
import {execFile, spawn, type ChildProcess} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'

const run = promisify(execFile)

export interface SecretServiceSession {
  /** DBUS_SESSION_BUS_ADDRESS of the private bus. */
  address: string
  /** The environment for aims and secret-tool: the bus, and the keyring's HOME. */
  env: Record<string, string>
  /** `secret-tool lookup ATTR VALUE…` on this bus: the secret, or undefined when there is none. */
  lookup(attributes: Record<string, string>): Promise<string | undefined>
  stop(): Promise<void>
}

const tools = ['dbus-daemon', 'gnome-keyring-daemon', 'secret-tool', 'dbus-send', 'dbus-test-tool']

export async function missingSecretServiceTools(): Promise<string[]> {
  const missing: string[] = []
  for (const tool of tools) {
    try {
      await run('sh', ['-c', `command -v ${tool}`])
    } catch {
      missing.push(tool)
    }
  }
  return missing
}

function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 2000)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    child.kill('SIGTERM')
  })
}

async function nameHasOwner(env: NodeJS.ProcessEnv, name: string): Promise<boolean> {
  try {
    const {stdout} = await run(
      'dbus-send',
      [
        '--session',
        '--print-reply',
        '--dest=org.freedesktop.DBus',
        '/org/freedesktop/DBus',
        'org.freedesktop.DBus.NameHasOwner',
        `string:${name}`,
      ],
      {env, timeout: 2000},
    )
    return /boolean true/.test(stdout)
  } catch {
    return false
  }
}

async function waitFor(what: string, condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

export async function startSecretService(
  options: {unlock?: boolean; blackHole?: boolean; password?: string} = {},
): Promise<SecretServiceSession> {
  const dir = mkdtempSync(join(tmpdir(), 'aims-secret-service-'))
  const home = join(dir, 'home')
  const runtime = join(dir, 'run')
  mkdirSync(home, {mode: 0o700})
  mkdirSync(runtime, {mode: 0o700})
  const socket = join(dir, 'bus')
  writeFileSync(
    join(dir, 'bus.conf'),
    `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=${socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`,
  )
  const address = `unix:path=${socket}`
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    XDG_RUNTIME_DIR: runtime,
    XDG_DATA_HOME: join(home, '.local', 'share'),
    DBUS_SESSION_BUS_ADDRESS: address,
    LANG: 'C.UTF-8',
  }
  const children: ChildProcess[] = []
  const stop = async () => {
    for (const child of children.reverse()) await stopChild(child)
    rmSync(dir, {recursive: true, force: true})
  }
  try {
    const bus = spawn('dbus-daemon', [`--config-file=${join(dir, 'bus.conf')}`, '--nofork', '--nopidfile'], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    children.push(bus)
    bus.stderr!.resume()
    await waitFor('the private D-Bus session', () => nameHasOwner(env, 'org.freedesktop.DBus'))

    if (options.blackHole) {
      const hole = spawn('dbus-test-tool', ['black-hole', '--session', '--name=org.freedesktop.secrets'], {
        env,
        stdio: ['ignore', 'ignore', 'pipe'],
      })
      children.push(hole)
      hole.stderr!.resume()
      await waitFor('the black hole owning org.freedesktop.secrets', () => nameHasOwner(env, 'org.freedesktop.secrets'))
    } else {
      const keyring = spawn(
        'gnome-keyring-daemon',
        ['--foreground', '--components=secrets', ...(options.unlock === false ? [] : ['--unlock'])],
        {env, stdio: ['pipe', 'ignore', 'pipe']},
      )
      children.push(keyring)
      keyring.stderr!.resume()
      // --unlock reads the login keyring's password from stdin (creating the keyring the first time).
      keyring.stdin!.end(options.unlock === false ? '' : (options.password ?? 'aims-test-keyring'))
      await waitFor('gnome-keyring on the private bus', () => nameHasOwner(env, 'org.freedesktop.secrets'))
    }
  } catch (error) {
    await stop()
    throw error
  }
  return {
    address,
    env,
    async lookup(attributes) {
      try {
        const {stdout} = await run('secret-tool', ['lookup', ...Object.entries(attributes).flat()], {
          env,
          timeout: 5000,
        })
        return stdout === '' ? undefined : stdout
      } catch {
        // secret-tool exits 1 when nothing matches.
        return undefined
      }
    },
    stop,
  }
}
