import {AimsCommand} from '../src/cli/base-command.js'
import {declared} from '../src/cli/declared.js'
import {ASK} from '../src/core/commands/top.js'
import {usageError} from '../src/core/errors.js'

export default class Ask extends declared(ASK, AimsCommand) {
  async run() {
    const {args, argv, flags} = await this.input()
    const words = (argv as string[]).filter((word) => !word.startsWith('-') && word !== flags.audio)
    let text = (words.length > 1 ? words.join(' ') : (args.text ?? '')).trim()
    if (flags.audio !== undefined && text !== '')
      throw usageError('give the request as TEXT or as --audio FILE, not both', 'aims ask --audio request.wav')
    if (flags.audio === undefined && text === '')
      throw usageError('the request is empty', 'say what you want, e.g. aims ask "what\'s running?"')
    if (text.length > 2000)
      throw usageError(`the request is ${text.length} characters long`, 'keep a request under 2000 characters')
    const context = await this.context()
    const [{wireAgent}, {askDryRunOffline, askWithAgent}, {progressView}] = await Promise.all([
      import('../src/agent-context.js'),
      import('../src/services/agent/ask.js'),
      import('../src/ui/progress.js'),
    ])
    const wiring = await wireAgent(context, {...(flags.host ? {hostFlag: flags.host} : {})})
    const offline = wiring.provider.name === 'offline'
    let transcript: {text: string; engine: string; seconds: number} | undefined
    if (flags.audio !== undefined) {
      const {transcribeSpoken} = await import('../src/cli/voice-input.js')
      transcript = await transcribeSpoken(context, wiring, flags.audio)
      text = transcript.text
      if (!this.jsonEnabled()) this.io.stderr.write(`${this.errStyle.dim(`heard: "${text}" (${transcript.engine})`)}\n`)
    }
    const withTranscript = <T extends object>(result: T) => (transcript ? {...result, transcript} : result)

    if (flags['dry-run'] && offline) {
      // The parser alone: no host needed; a reachable one lends its instance names (3 s at most).
      const result = askDryRunOffline(text, await wiring.intentContext(undefined, {timeoutMs: 3000}))
      const effect = result.destructive ? 'destroys data' : 'changes the host'
      const note = result.mutates ? this.style.dim(` (${effect}: nothing was run)`) : ''
      this.say(`${this.style.bold(result.command ?? '')}\n  ${result.summary}${note}`)
      return withTranscript(result)
    }

    const [{Agent}, {AgentView, settlingProgress}] = await Promise.all([
      import('../src/services/agent/agent.js'),
      import('../src/ui/agent-view.js'),
    ])
    const progress = settlingProgress(
      progressView({json: this.jsonEnabled(), tty: this.io.stderrIsTTY, style: this.errStyle, stream: this.io.stderr}),
    )
    const prompter = context.prompter
    const view = new AgentView(
      {
        write: (text) => (progress.settle(), this.io.stdout.write(text)),
        // Only a person at a terminal is asked; without one, questions go unanswered (→ declined).
        readLine: async (prompt, options) => {
          if (!prompter.interactive) return undefined
          progress.settle()
          if (/\[yes\/no\] $/.test(prompt))
            return (await prompter.confirm(prompt.replace(/\s*\[yes\/no\] $/, ''), false)) ? 'yes' : 'no'
          return prompter.input(prompt.trim(), {...(options?.secret ? {secret: true} : {})})
        },
      },
      this.style,
      progress.progress,
      {quiet: this.jsonEnabled(), prices: wiring.runtime.prices},
    )
    const agent = new Agent({
      provider: wiring.provider,
      registry: wiring.registry,
      runtime: wiring.runtime,
      ui: view,
      mode: 'ask',
      yes: flags.yes,
      dryRun: flags['dry-run'],
      canAsk: prompter.interactive,
      intake: false,
      system: (focus) => wiring.system(focus),
    })
    const {result, exitCode, error} = await askWithAgent(agent, text, {
      provider: offline ? 'offline' : `${wiring.provider.name}`,
      offline,
      plans: view.plans,
      replyShown: !this.jsonEnabled(),
    })
    progress.settle()
    if (exitCode !== 0) {
      process.exitCode = exitCode
      if (error && !this.jsonEnabled()) this.io.stderr.write(`${this.errStyle.red('Error:')} ${error.line}\n`)
    }
    return withTranscript(this.jsonEnabled() ? {...result, ...(error ? {error: error.toJSON()} : {})} : result)
  }
}
