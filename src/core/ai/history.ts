/**
 * History repair shared by the providers. Both APIs refuse a request where an
 * assistant tool call has no result before the next turn, or where a result
 * answers no call; a session interrupted mid-tool (Ctrl-C, crash, resumed later)
 * would otherwise be stuck with a history the provider can never send again.
 */
import type {ChatMessage, ToolCall} from './types.js'

export const missingResultContent = JSON.stringify({
  error: 'no result was recorded for this tool call (the session was interrupted)',
})

/**
 * Returns the history with every tool call answered right after its assistant
 * message (a missing result becomes an error result) and results that answer
 * no pending call dropped. Well-formed histories come back unchanged.
 */
export function pairToolResults(messages: readonly ChatMessage[]): ChatMessage[] {
  const paired: ChatMessage[] = []
  let pending: ToolCall[] = []
  const answerPending = () => {
    for (const call of pending) {
      paired.push({role: 'tool', toolCallId: call.id, name: call.name, content: missingResultContent, isError: true})
    }
    pending = []
  }

  for (const message of messages) {
    if (message.role === 'tool') {
      const index = pending.findIndex((call) => call.id === message.toolCallId)
      if (index === -1) continue
      pending.splice(index, 1)
      paired.push(message)
      continue
    }
    answerPending()
    paired.push(message)
    if (message.role === 'assistant' && message.toolCalls?.length) pending = [...message.toolCalls]
  }
  answerPending()
  return paired
}
