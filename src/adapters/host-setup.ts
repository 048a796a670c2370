/** Runs scripts/host-setup.sh (shipped with the package): Docker, nginx and busybox-static on a Debian machine. */
import {spawn} from 'node:child_process'
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {AimsError} from '../core/errors.js'
import {packageRoot} from './package-root.js'

export const hostSetupScript = () => join(packageRoot(), 'scripts', 'host-setup.sh')

/** Whether this machine is one the script sets up: Debian (or a derivative), and we are root. */
export function canSetUpHost(): {ok: boolean; why?: string} {
  if (!existsSync('/etc/debian_version')) return {ok: false, why: 'this is not a Debian machine'}
  if (process.getuid?.() !== 0) return {ok: false, why: 'it needs root'}
  return {ok: true}
}

/** Runs the script with its output on `out` (line by line, as it goes); fails with its exit code. */
export function runHostSetup(args: string[], out: NodeJS.WritableStream): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [hostSetupScript(), ...args], {stdio: ['ignore', 'pipe', 'pipe']})
    child.stdout.on('data', (chunk: Buffer) => out.write(chunk))
    child.stderr.on('data', (chunk: Buffer) => out.write(chunk))
    child.on('error', (error) => reject(new AimsError('internal', `cannot run ${hostSetupScript()}: ${error.message}`)))
    child.on('close', (code) => resolve(code ?? 1))
  })
}
