/**
 * The fakes are only worth something if they speak the real wire formats. Here
 * the SDKs' own stream accumulators (which check event order and shapes) and
 * non-streaming parsers read them, independently of aims' adapters.
 */
import Anthropic from '@anthropic-ai/sdk'
import OpenAI from 'openai'
import {afterEach, describe, expect, it} from 'vitest'
import {startFakeAnthropic} from '../../../support/fake-anthropic.js'
import type {FakeLlmServer} from '../../../support/fake-llm-common.js'
import {startFakeOpenAI} from '../../../support/fake-openai.js'

let server: FakeLlmServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

const tool = {name: 'plug_ls', description: 'List', input_schema: {type: 'object' as const, properties: {}}}

describe('fake Anthropic server', () => {
  it('streams events the SDK’s MessageStream accumulates into the scripted message', async () => {
    server = await startFakeAnthropic({
      script: [
        {
          text: 'Two calls:',
          toolCalls: [
            {id: 'toolu_a', name: 'plug_ls', arguments: {tenant: 'acme'}},
            {id: 'toolu_b', name: 'plug_ls', arguments: {tenant: 'globex'}},
          ],
        },
      ],
    })
    const client = new Anthropic({apiKey: 'k', baseURL: server.url, maxRetries: 0})
    const message = await client.messages
      .stream({model: 'claude-test', max_tokens: 100, messages: [{role: 'user', content: 'hi'}], tools: [tool]})
      .finalMessage()
    expect(message.stop_reason).toBe('tool_use')
    expect(message.content).toEqual([
      expect.objectContaining({type: 'text', text: 'Two calls:'}),
      expect.objectContaining({type: 'tool_use', id: 'toolu_a', name: 'plug_ls', input: {tenant: 'acme'}}),
      expect.objectContaining({type: 'tool_use', id: 'toolu_b', name: 'plug_ls', input: {tenant: 'globex'}}),
    ])
  })

  it('answers non-streaming requests with one JSON message', async () => {
    server = await startFakeAnthropic({script: [{text: 'plain answer', usage: {input: 3, output: 2}}]})
    const client = new Anthropic({apiKey: 'k', baseURL: server.url, maxRetries: 0})
    const message = await client.messages.create({
      model: 'claude-test',
      max_tokens: 100,
      messages: [{role: 'user', content: 'hi'}],
    })
    expect(message).toMatchObject({
      type: 'message',
      role: 'assistant',
      stop_reason: 'end_turn',
      content: [{type: 'text', text: 'plain answer'}],
      usage: {input_tokens: 3, output_tokens: 2},
    })
  })

  it('fails loudly on an unscripted request and on a history the real API refuses', async () => {
    server = await startFakeAnthropic({script: []})
    const client = new Anthropic({apiKey: 'k', baseURL: server.url, maxRetries: 0})
    await expect(
      client.messages.create({model: 'm', max_tokens: 10, messages: [{role: 'user', content: 'hi'}]}),
    ).rejects.toMatchObject({status: 500})
    await expect(
      client.messages.create({
        model: 'm',
        max_tokens: 10,
        messages: [
          {role: 'user', content: 'hi'},
          {role: 'assistant', content: [{type: 'tool_use', id: 't1', name: 'plug_ls', input: {}}]},
        ],
      }),
    ).rejects.toMatchObject({status: 400})
    expect(server.unexpected).toEqual([
      expect.stringContaining('no scripted response left'),
      expect.stringContaining('`tool_use` ids were found without `tool_result` blocks'),
    ])
  })
})

describe('fake OpenAI server', () => {
  it('streams chunks the SDK’s ChatCompletionStream accumulates into the scripted tool calls', async () => {
    server = await startFakeOpenAI({
      script: [
        {
          toolCalls: [
            {id: 'call_a', name: 'plug_ls', arguments: {tenant: 'acme'}, argumentChunks: 4},
            {id: 'call_b', name: 'plug_ls', arguments: {tenant: 'globex'}},
          ],
        },
      ],
    })
    const client = new OpenAI({apiKey: 'k', baseURL: server.url, maxRetries: 0})
    const completion = await client.chat.completions
      .stream({
        model: 'gpt-test',
        messages: [{role: 'user', content: 'hi'}],
        tools: [{type: 'function', function: {name: 'plug_ls', parameters: {type: 'object', properties: {}}}}],
        stream_options: {include_usage: true},
      })
      .finalChatCompletion()
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls')
    expect(completion.choices[0]?.message.tool_calls).toEqual([
      expect.objectContaining({
        id: 'call_a',
        type: 'function',
        function: expect.objectContaining({name: 'plug_ls', arguments: '{"tenant":"acme"}'}),
      }),
      expect.objectContaining({
        id: 'call_b',
        type: 'function',
        function: expect.objectContaining({name: 'plug_ls', arguments: '{"tenant":"globex"}'}),
      }),
    ])
    expect(completion.usage).toMatchObject({prompt_tokens: 25, completion_tokens: 10})
  })

  it('answers non-streaming requests with one chat.completion', async () => {
    server = await startFakeOpenAI({script: [{text: 'plain answer'}]})
    const client = new OpenAI({apiKey: 'k', baseURL: server.url, maxRetries: 0})
    const completion = await client.chat.completions.create({
      model: 'gpt-test',
      messages: [{role: 'user', content: 'hi'}],
    })
    expect(completion.choices[0]).toMatchObject({
      finish_reason: 'stop',
      message: {role: 'assistant', content: 'plain answer'},
    })
  })

  it('fails loudly on a tool message that answers no call', async () => {
    server = await startFakeOpenAI({script: [{text: 'never served'}]})
    const client = new OpenAI({apiKey: 'k', baseURL: server.url, maxRetries: 0})
    await expect(
      client.chat.completions.create({
        model: 'm',
        messages: [
          {role: 'user', content: 'hi'},
          {role: 'tool', tool_call_id: 'nope', content: '{}'},
        ],
      }),
    ).rejects.toMatchObject({status: 400})
    expect(server.unexpected).toEqual([
      expect.stringContaining("messages with role 'tool' must be a response to a preceeding message with 'tool_calls'"),
    ])
    expect(server.remaining()).toBe(1)
  })
})
