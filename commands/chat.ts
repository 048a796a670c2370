import {join} from 'node:path'
import {AimsCommand} from '../src/cli/base-command.js'
import {declared} from '../src/cli/declared.js'
import {CHAT} from '../src/core/commands/top.js'
import {usageError} from '../src/core/errors.js'

export default class Chat extends declared(CHAT, AimsCommand) {
  async run() {
    const {args, flags} = await this.input()
    if (args.id && !flags.resume)
      throw usageError(`to continue chat ${args.id}, pass --resume`, `aims chat --resume ${args.id}`)
    const context = await this.context()
    const [
      {wireAgent},
      {Agent},
      {runChat},
      {TranscriptWriter, loadTranscript},
      {FileTranscriptStore},
      {terminalChatIo},
      {AgentView, settlingProgress},
      {progressView},
      {newChatId, TRANSCRIPT_VERSION},
      {newId},
    ] = await Promise.all([
      import('../src/agent-context.js'),
      import('../src/services/agent/agent.js'),
      import('../src/services/agent/chat.js'),
      import('../src/services/agent/transcript-store.js'),
      import('../src/adapters/chat-transcripts.js'),
      import('../src/adapters/chat-io.js'),
      import('../src/ui/agent-view.js'),
      import('../src/ui/progress.js'),
      import('../src/core/agent/transcript.js'),
      import('../src/adapters/random.js'),
    ])
    const store = new FileTranscriptStore(join(context.paths.stateDir, 'chats'))
    const resumed = flags.resume ? await loadTranscript(store, args.id) : undefined
    let agent: InstanceType<typeof Agent> | undefined
    const wiring = await wireAgent(context, {...(flags.host ? {hostFlag: flags.host} : {}), focus: () => agent?.focus})
    const hostLabel = await context.hostEntry(flags.host).then(
      (entry) => entry.name,
      () => 'no host configured',
    )

    const io = terminalChatIo({
      input: this.io.stdin,
      output: this.io.stdout,
      interactive: Boolean(this.io.stdin.isTTY && this.io.stdout.isTTY),
    })
    const progress = settlingProgress(
      progressView({json: false, tty: this.io.stderrIsTTY, style: this.errStyle, stream: this.io.stderr}),
    )
    const view = new AgentView(
      {
        write: (text) => (progress.settle(), io.write(text)),
        readLine: (prompt, options) => (progress.settle(), io.readLine(this.style.bold(prompt), options)),
      },
      this.style,
      progress.progress,
      {prices: wiring.runtime.prices},
    )
    const id = resumed?.id ?? newChatId(new Date(), newId())
    const transcript = new TranscriptWriter(id, store, () => wiring.runtime.secrets)
    if (!resumed)
      transcript.write({
        type: 'meta',
        version: TRANSCRIPT_VERSION,
        id,
        createdAt: new Date().toISOString(),
        provider: wiring.provider.name,
        model: wiring.provider.model,
        host: hostLabel,
      })
    agent = new Agent({
      provider: wiring.provider,
      registry: wiring.registry,
      runtime: wiring.runtime,
      ui: view,
      mode: 'chat',
      canAsk: true,
      intake: true,
      system: (focus) => wiring.system(focus),
      ...(resumed ? {history: resumed.messages, ...(resumed.focus ? {focus: resumed.focus} : {})} : {}),
      onMessage: (message) => transcript.write({type: 'message', at: new Date().toISOString(), message}),
    })
    // What was confirmed or refused is part of the record of a chat.
    agent.log.onEvent((event) => {
      if (event.type === 'plan' || event.type === 'approval' || event.type === 'intake')
        transcript.write({type: 'event', at: new Date().toISOString(), event})
    })
    const provider =
      wiring.provider.name === 'offline'
        ? 'offline parser (no model configured)'
        : `${wiring.provider.name} ${wiring.provider.model}`
    const lastRequest = resumed?.messages.filter((message) => message.role === 'user').at(-1)
    const banner = [
      `ACHEEVY · ${provider} · host ${hostLabel} · chat ${id}`,
      resumed
        ? `Resumed: ${resumed.messages.length} messages` +
          (lastRequest ? `, last request "${lastRequest.content.slice(0, 80)}"` : '') +
          (resumed.focus ? `, about ${resumed.focus}` : '') +
          '.'
        : 'Type a request, /help for help, /exit to leave.',
    ].join('\n')
    try {
      await runChat({agent, io, transcript, banner, prompt: 'you › ', now: () => new Date()})
    } finally {
      progress.settle()
      io.close()
    }
  }
}
