/**
 * Runs ONE keychain operation in a child process of aims, so that a keychain
 * that hangs (a D-Bus peer that never answers, an unlock prompt nobody sees)
 * can be bounded by killing this process, which no in-process native call
 * allows. Request: one JSON object on stdin; answer: one JSON line on stdout.
 * The secret travels only through these pipes, never argv or the environment.
 *
 * Self-contained on purpose (only node: builtins and the binding): it is
 * started by file path, from dist/ or from the TypeScript source in tests.
 */
import {createRequire} from 'node:module'

interface Request {
  op: 'probe' | 'get' | 'set' | 'delete' | 'has'
  service: string
  account?: string
  accounts?: string[]
  value?: string
}

interface Binding {
  Entry: new (
    service: string,
    account: string,
    options?: {linux?: {store?: 'secret-service' | 'keyutils'}},
  ) => {
    getPassword(): string | null
    setPassword(value: string): void
    deleteCredential(): boolean
  }
}

function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = ''
    process.stdin.setEncoding('utf8')
    process.stdin.on('data', (chunk: string) => (text += chunk))
    process.stdin.on('end', () => resolve(text))
    process.stdin.on('error', reject)
  })
}

function answer(body: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(body)}\n`)
}

async function main(): Promise<void> {
  const request = JSON.parse(await readStdin()) as Request
  const require = createRequire(import.meta.url)
  const {Entry} = require('@napi-rs/keyring') as Binding
  // On Linux the binding silently falls back to the kernel keyring (in memory,
  // gone at reboot) when there is no Secret Service: pin the Secret Service so
  // that case is an error and aims uses its encrypted file instead.
  const options = process.platform === 'linux' ? {linux: {store: 'secret-service' as const}} : undefined
  const entry = (account: string) => new Entry(request.service, account, options)
  switch (request.op) {
    case 'probe':
      entry('aims-probe').getPassword()
      return answer({ok: true})
    case 'get': {
      const value = entry(request.account!).getPassword()
      return answer(value === null ? {ok: true, found: false} : {ok: true, found: true, value})
    }
    case 'set':
      entry(request.account!).setPassword(request.value!)
      return answer({ok: true})
    case 'delete':
      return answer({ok: true, found: entry(request.account!).deleteCredential()})
    case 'has':
      return answer({ok: true, found: (request.accounts ?? []).map((account) => entry(account).getPassword() !== null)})
  }
}

main().catch((error: unknown) => {
  const err = error as {message?: unknown; code?: unknown}
  answer({ok: false, error: typeof err?.message === 'string' ? err.message : String(error), code: err?.code})
})
