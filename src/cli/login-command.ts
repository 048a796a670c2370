/**
 * The wiring of `aims login` and `aims logout`: the context's store, the key
 * read from a hidden prompt or stdin, the audit log; the use cases are in
 * services/login.ts and the words in ui/present/login.ts. Kept out of the
 * command classes so they stay declarations.
 */
import type {AimsContext} from '../context.js'
import type {LoginTarget} from '../core/secrets.js'
import {maskCommandLine} from '../core/commands/argv.js'
import {keySourceOf, loadAiSettings} from '../services/ai-settings.js'
import {login, loginStatus, logout, type LoginResult, type LoginStatus, type LogoutResult} from '../services/login.js'
import type {StorePreference} from '../services/secret-store.js'
import {describeAcheevy, renderLogin, renderLoginStatus, renderLogout} from '../ui/present/login.js'
import type {Style} from '../ui/style.js'

export interface Rendered<T> {
  result: T
  text: string
}

async function baseDeps(context: AimsContext) {
  const [store, auditLog, {newId}] = await Promise.all([
    context.secrets(),
    context.audit(),
    import('../adapters/random.js'),
  ])
  return {
    store,
    env: context.env,
    audit: auditLog,
    actor: context.actor,
    now: () => context.clock.now(),
    newId,
    command: maskCommandLine(process.argv.slice(2)),
  }
}

async function acheevyLine(context: AimsContext, target: LoginTarget): Promise<string | undefined> {
  try {
    const [{preferences}, store] = await Promise.all([context.config.read(), context.secrets()])
    const settings = await loadAiSettings({store, env: context.env, preferences})
    const source = await keySourceOf(settings, store)
    if (source.kind === 'stored' && source.name === target.name) return 'ACHEEVY uses it now: aims chat'
    if (source.kind === 'env' && settings.provider === target.provider) return undefined
    if (target.provider === 'openai-compatible')
      return (
        `${describeAcheevy(settings, source)} To use this server: aims config set ai.provider ` +
        `openai-compatible, then aims config set ai.base-url ${target.baseUrl}`
      )
    return `${describeAcheevy(settings, source)} To use this key: aims config set ai.provider ${target.provider}`
  } catch {
    // A config this command did not touch must not fail the login it just did.
    return undefined
  }
}

/** What the hidden prompt asks for: a provider's key, or a compatible server's. */
const keyLabel = (target: LoginTarget) =>
  target.provider === 'openai-compatible' ? `API key for ${target.baseUrl}` : `${target.label} API key`

export const loginCommand = {
  async login(
    context: AimsContext,
    style: Style,
    request: {target: LoginTarget; store?: StorePreference; fromStdin: boolean; dryRun: boolean},
  ): Promise<Rendered<LoginResult>> {
    const {readSecret} = await import('../adapters/secrets/key-input.js')
    const deps = {
      ...(await baseDeps(context)),
      readKey: (target: LoginTarget) =>
        readSecret({
          fromStdin: request.fromStdin,
          stdin: process.stdin,
          prompter: context.prompter,
          prompt: `${keyLabel(target)} (hidden):`,
          command: `aims login ${target.argv.join(' ')}`,
        }),
    }
    const result = await login(deps, {
      target: request.target,
      ...(request.store ? {store: request.store} : {}),
      dryRun: request.dryRun,
    })
    const uses = await acheevyLine(context, request.target)
    return {
      result,
      text: renderLogin(result, style, {
        passphrase: Boolean(context.env.AIMS_SECRETS_PASSPHRASE),
        ...(uses ? {uses} : {}),
      }),
    }
  },

  async logout(
    context: AimsContext,
    style: Style,
    request: {target: LoginTarget; dryRun: boolean},
  ): Promise<Rendered<LogoutResult>> {
    const result = await logout(await baseDeps(context), request)
    return {result, text: renderLogout(result, style)}
  },

  async status(
    context: AimsContext,
    style: Style,
    request: {store?: StorePreference},
  ): Promise<Rendered<LoginStatus & {acheevy?: string}>> {
    const store = await context.secrets()
    const status = await loginStatus({store, env: context.env}, request.store ? {store: request.store} : {})
    let acheevy: string | undefined
    try {
      const {preferences} = await context.config.read()
      const settings = await loadAiSettings({store, env: context.env, preferences})
      acheevy = describeAcheevy(settings, await keySourceOf(settings, store))
    } catch (error) {
      acheevy = `ACHEEVY's settings are wrong: ${error instanceof Error ? error.message : String(error)}`
    }
    return {result: {...status, acheevy}, text: renderLoginStatus(status, style, acheevy)}
  },
}
