import {accessSync, constants, existsSync} from 'node:fs'
import {homedir} from 'node:os'
import {join} from 'node:path'
import {AimsCommand} from '../src/cli/base-command.js'
import {declared} from '../src/cli/declared.js'
import {INIT} from '../src/core/commands/top.js'
import {AimsError, usageError} from '../src/core/errors.js'
import {parsePreference, setPreference} from '../src/core/preferences.js'
import {runDoctor} from '../src/services/doctor.js'
import {addHost, trustHost} from '../src/services/hosts.js'
import {renderDoctorReport} from '../src/ui/present/doctor.js'

const readable = (path: string) => {
  try {
    accessSync(path, constants.R_OK)
    return true
  } catch {
    return false
  }
}

export default class Init extends declared(INIT, AimsCommand) {
  async run() {
    const {flags} = await this.input()
    const context = await this.context()
    const prompter = context.prompter
    const ask = async (question: string, given: string | undefined, fallback?: string): Promise<string | undefined> => {
      if (given !== undefined) return given
      if (!prompter.interactive) return fallback
      const answer = (await prompter.input(question, fallback === undefined ? {} : {defaultValue: fallback})).trim()
      return answer === '' ? fallback : answer
    }
    if (!prompter.interactive && flags.target === undefined) {
      throw usageError(
        'aims init needs a terminal to ask, or the answers as flags',
        'run it in a terminal, or pass --target (and --identity, --domain, --tenant, --ai-provider) with --yes',
      )
    }

    const target = await ask('SSH target of your VPS (user@host[:port], or "local" for this machine):', flags.target)
    if (!target) throw usageError('no host target given', 'pass --target user@host')
    const defaultKey = ['id_ed25519', 'id_ecdsa', 'id_rsa']
      .map((name) => join(this.io.env.HOME || homedir(), '.ssh', name))
      .find((file) => existsSync(file))
    const identity =
      target === 'local'
        ? undefined
        : await ask('Private key to log in with (empty: ssh-agent / ~/.ssh/config):', flags.identity, defaultKey)
    const domain = await ask('Domain for your apps (empty: none; apps are then reached on the host):', flags.domain)
    const added = await addHost(
      {
        config: context.config,
        now: () => new Date(),
        cwd: process.cwd(),
        fileReadable: (path) => existsSync(path) && readable(path),
      },
      {
        name: flags.name,
        target,
        makeDefault: true,
        force: true,
        ...(identity ? {identity} : {}),
        ...(domain ? {domain} : {}),
      },
    )
    this.say(`${this.style.green('✓')} host ${added.host.name} (${target}) is the default host`)

    if (target !== 'local') {
      const host = await context.resolveHost(added.host)
      const trusted = await trustHost(
        {
          knownHosts: context.knownHosts,
          scanner: await context.hostKeyScanner(),
          prompter,
          show: (line) => this.note(line),
        },
        host,
        {yes: flags.yes, dryRun: false},
      )
      this.say(
        `${this.style.green('✓')} host key ${trusted.fingerprint} ${trusted.recorded ? 'recorded' : 'already trusted'}`,
      )
    }

    const tenant = await ask('Default tenant (your own apps, or a client name):', flags.tenant, 'default')
    const provider = await ask(
      'AI provider for ACHEEVY (offline, anthropic, openai, ollama, openai-compatible):',
      flags['ai-provider'],
      'offline',
    )
    const baseUrl =
      provider && ['openai-compatible', 'vllm', 'llama.cpp', 'lmstudio'].includes(provider)
        ? await ask('Base URL of the model server:', flags['ai-base-url'])
        : flags['ai-base-url']
    const settings: Array<[string, string]> = [
      ['default-tenant', tenant ?? 'default'],
      ['ai.provider', provider ?? 'offline'],
      ...(baseUrl ? [['ai.base-url', baseUrl] as [string, string]] : []),
    ]
    const parsed = settings.map(([key, value]) => [key, parsePreference(key, value)] as const)
    await context.config.update((config) => {
      for (const [key, value] of parsed) setPreference(config.preferences as Record<string, unknown>, key, value)
    })
    this.say(
      `${this.style.green('✓')} default tenant ${tenant}, ACHEEVY provider ` +
        `${provider}${baseUrl ? ` at ${baseUrl}` : ''}`,
    )
    const keyEnv = provider === 'anthropic' ? 'ANTHROPIC_API_KEY' : provider === 'openai' ? 'OPENAI_API_KEY' : undefined
    if (keyEnv && !this.io.env[keyEnv])
      this.say(`  Store its API key in your keychain with aims login ${provider} (or export ${keyEnv}=…).`)

    let doctorOk: boolean | undefined
    if (!flags['skip-doctor']) {
      const session = await context.session(added.host)
      const {report} = await runDoctor({session, now: () => Date.now()})
      doctorOk = report.ok
      this.say(renderDoctorReport(report, this.style))
    }
    this.say(
      `\nNext: aims catalog ls, then aims plug up ` +
        `PLUG${doctorOk === false ? ' (after fixing what doctor reports)' : ''}. Or ask ACHEEVY: aims chat`,
    )
    if (doctorOk === false && !this.jsonEnabled())
      throw new AimsError('engine', `the host ${added.host.name} is not ready yet`, {
        hint: 'fix what aims doctor reports above, then run aims doctor again',
      })
    return {
      host: added.host.name,
      target,
      tenant,
      ai: {provider, ...(baseUrl ? {baseUrl} : {})},
      doctorOk: doctorOk ?? null,
    }
  }
}
