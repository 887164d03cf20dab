import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeOpenAi, type TFakeOpenAi } from './fake-openai.js';

// The fake against the official `openai` SDK (its baseURL option), and raw fetch for what the SDK would never send.
let fake: TFakeOpenAi;
let client: OpenAI;

beforeAll(async () => {
  fake = await startFakeOpenAi();
  client = new OpenAI({ apiKey: fake.apiKey, baseURL: fake.baseUrl, maxRetries: 0 });
});
afterAll(async () => {
  await fake?.close();
});
beforeEach(() => fake.reset());

const handoffTool = {
  type: 'function' as const,
  function: {
    name: 'handoff_to_human',
    description: 'Hand the conversation to a human.',
    parameters: {
      type: 'object',
      properties: { reason: { type: 'string' } },
      required: ['reason'],
      additionalProperties: false,
    },
  },
};

describe('fake OpenAI through the official SDK', () => {
  it('answers a plain completion with the real response shape and usage', async () => {
    fake.enqueue({ text: 'Our shop opens at 9am.', usage: { prompt_tokens: 42, completion_tokens: 7 } });
    const res = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'When do you open?' },
      ],
    });
    expect(res.object).toBe('chat.completion');
    expect(res.id).toMatch(/^chatcmpl-/);
    expect(res.model).toBe('gpt-4o-mini');
    expect(Math.abs(res.created - Date.now() / 1000)).toBeLessThan(60);
    expect(res.choices).toHaveLength(1);
    expect(res.choices[0]).toMatchObject({
      index: 0,
      finish_reason: 'stop',
      message: { role: 'assistant', content: 'Our shop opens at 9am.' },
    });
    expect(res.usage).toMatchObject({ prompt_tokens: 42, completion_tokens: 7, total_tokens: 49 });
    const [sent] = fake.completions();
    expect(sent!.messages.at(-1)).toEqual({ role: 'user', content: 'When do you open?' });
    expect(fake.calls.at(-1)).toMatchObject({
      method: 'POST',
      path: '/v1/chat/completions',
      apiKey: fake.apiKey,
      status: 200,
    });
  });

  it('estimates usage when the script gives none: more prompt means more prompt tokens', async () => {
    const short = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
    });
    const long = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi '.repeat(400) }],
    });
    expect(short.usage!.prompt_tokens).toBeGreaterThan(0);
    expect(long.usage!.prompt_tokens).toBeGreaterThan(short.usage!.prompt_tokens + 200);
    expect(long.usage!.total_tokens).toBe(long.usage!.prompt_tokens + long.usage!.completion_tokens);
  });

  it('answers deterministically from the last user message when nothing is scripted', async () => {
    const a = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Knowledge:\n[1] Prices' },
        { role: 'user', content: 'How much is it?' },
      ],
    });
    const b = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Knowledge:\n[1] Prices' },
        { role: 'user', content: 'How much is it?' },
      ],
    });
    expect(a.choices[0]!.message.content).toContain('How much is it?');
    expect(a.choices[0]!.message.content).toContain('[1]');
    expect(b.choices[0]!.message.content).toBe(a.choices[0]!.message.content);
    const asksHuman = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      tools: [handoffTool],
      tool_choice: 'auto',
      messages: [{ role: 'user', content: 'Can I talk to a human please?' }],
    });
    expect(asksHuman.choices[0]!.message.tool_calls?.[0]).toMatchObject({
      type: 'function',
      function: { name: 'handoff_to_human' },
    });
  });

  it('cuts a text at max_completion_tokens with finish_reason length', async () => {
    fake.enqueue({ text: 'x'.repeat(400) });
    const res = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      max_completion_tokens: 10,
      messages: [{ role: 'user', content: 'long please' }],
    });
    expect(res.choices[0]!.finish_reason).toBe('length');
    expect(res.choices[0]!.message.content!.length).toBe(40);
  });

  it('returns a scripted tool call and accepts the tool result round trip', async () => {
    fake.enqueue(
      { toolCall: { name: 'handoff_to_human', arguments: { reason: 'refund request' } } },
      { text: 'A teammate will take over.' },
    );
    const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: 'I want a refund' }];
    const first = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      tools: [handoffTool],
      tool_choice: 'auto',
      messages,
    });
    const choice = first.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBeNull();
    const call = choice.message.tool_calls![0]!;
    expect(call.type).toBe('function');
    if (call.type !== 'function') throw new Error('unreachable');
    expect(call.id).toMatch(/^call_/);
    expect(call.function.name).toBe('handoff_to_human');
    expect(JSON.parse(call.function.arguments)).toEqual({ reason: 'refund request' });
    const second = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      tools: [handoffTool],
      messages: [...messages, choice.message, { role: 'tool', tool_call_id: call.id, content: '{"ok":true}' }],
    });
    expect(second.choices[0]!.message.content).toBe('A teammate will take over.');
    expect(fake.completions()[0]!.tools![0]!.function.name).toBe('handoff_to_human');
    expect(fake.completions()[0]!.tool_choice).toBe('auto');
  });

  it('refuses a tool message that answers no tool call, and a tool call left unanswered (400)', async () => {
    await expect(
      client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [
          { role: 'user', content: 'x' },
          { role: 'tool', tool_call_id: 'call_nope', content: 'y' },
        ],
      }),
    ).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    await expect(
      client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [
          {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }],
          },
          { role: 'user', content: 'x' },
        ],
      }),
    ).rejects.toBeInstanceOf(OpenAI.BadRequestError);
  });

  it('surfaces a 429 with retry-after as RateLimitError', async () => {
    fake.failNext('chat.completions', { status: 429, retryAfter: 7 });
    const err = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    const e = err as InstanceType<typeof OpenAI.RateLimitError>;
    expect(e.status).toBe(429);
    expect(e.headers.get('retry-after')).toBe('7');
    expect(e.headers.get('retry-after-ms')).toBe('7000');
    expect(e.code).toBe('rate_limit_exceeded');
    expect(e.requestID).toMatch(/^req_/);
    // The failure is consumed: the next call succeeds.
    await expect(
      client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    ).resolves.toMatchObject({ object: 'chat.completion' });
  });

  it('lets the SDK retry a 429 itself after retry-after when retries are on', async () => {
    fake.failNext('chat.completions', { status: 429, retryAfter: 0.05 });
    const retrying = new OpenAI({ apiKey: fake.apiKey, baseURL: fake.baseUrl, maxRetries: 1 });
    const res = await retrying.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(res.object).toBe('chat.completion');
    expect(fake.calls.map((c) => c.status)).toEqual([429, 200]);
  });

  it('answers a wrong or missing key with 401 → AuthenticationError', async () => {
    const wrong = new OpenAI({ apiKey: 'sk-wrong-key-1234567890', baseURL: fake.baseUrl, maxRetries: 0 });
    const err = await wrong.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((err as InstanceType<typeof OpenAI.AuthenticationError>).code).toBe('invalid_api_key');
    // The wrong key is never echoed whole.
    expect((err as Error).message).not.toContain('sk-wrong-key-1234567890');
    const none = await fetch(`${fake.baseUrl}/chat/completions`, { method: 'POST', body: '{}' });
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ error: { type: 'invalid_request_error', code: null, param: null } });
    fake.addApiKey('sk-second');
    fake.revokeApiKey('sk-second');
    await expect(
      new OpenAI({ apiKey: 'sk-second', baseURL: fake.baseUrl, maxRetries: 0 }).models.list(),
    ).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it('answers an unknown model with 404 model_not_found → NotFoundError', async () => {
    const err = await client.chat.completions
      .create({ model: 'gpt-nope', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    expect((err as InstanceType<typeof OpenAI.NotFoundError>).code).toBe('model_not_found');
  });

  it('answers 5xx as InternalServerError, and a dropped connection as APIConnectionError', async () => {
    fake.failNext('chat.completions', { status: 500 });
    await expect(
      client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    ).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    fake.failNext('chat.completions', { status: 0 });
    await expect(
      client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    ).rejects.toBeInstanceOf(OpenAI.APIConnectionError);
  });

  it('validates the body like the real API: malformed JSON, unknown parameter, bad role, missing messages (400 with param)', async () => {
    const post = (body: string) =>
      fetch(`${fake.baseUrl}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${fake.apiKey}`, 'content-type': 'application/json' },
        body,
      });
    const malformed = await post('{"model":');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({
      error: { type: 'invalid_request_error', message: expect.stringContaining('could not parse the JSON') },
    });
    const unknown = await post(
      JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], temprature: 1 }),
    );
    expect(await unknown.json()).toMatchObject({ error: { code: 'unknown_parameter', param: 'temprature' } });
    const badRole = await post(JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'robot', content: 'x' }] }));
    expect(badRole.status).toBe(400);
    expect(await badRole.json()).toMatchObject({ error: { param: 'messages[0].role' } });
    const missing = await post(JSON.stringify({ model: 'gpt-4o-mini' }));
    expect(await missing.json()).toMatchObject({ error: { code: 'missing_required_parameter', param: 'messages' } });
    const badTemp = await client.chat.completions
      .create({ model: 'gpt-4o-mini', temperature: 5, messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(badTemp).toBeInstanceOf(OpenAI.BadRequestError);
    expect((badTemp as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('temperature');
    const choiceWithoutTools = await client.chat.completions
      .create({ model: 'gpt-4o-mini', tool_choice: 'auto', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(choiceWithoutTools).toBeInstanceOf(OpenAI.BadRequestError);
    // Nothing refused was counted as answered.
    expect(fake.completions()).toHaveLength(0);
  });

  it('streams text as chat.completion.chunk deltas, with usage last when asked', async () => {
    fake.enqueue({
      text: 'We open at nine every weekday.',
      chunkChars: 5,
      usage: { prompt_tokens: 11, completion_tokens: 6 },
    });
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'hours?' }],
    });
    const pieces: string[] = [];
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      expect(chunk.object).toBe('chat.completion.chunk');
      const c = chunk.choices[0];
      if (c?.delta.content) pieces.push(c.delta.content);
      if (c?.finish_reason) finish = c.finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(pieces.length).toBeGreaterThan(3);
    expect(pieces.join('')).toBe('We open at nine every weekday.');
    expect(finish).toBe('stop');
    expect(usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 6, total_tokens: 17 });
  });

  it('streams a tool call in deltas that the SDK stream helper assembles', async () => {
    fake.enqueue({
      toolCall: { name: 'handoff_to_human', arguments: { reason: 'wants to cancel the order' } },
      chunkChars: 4,
    });
    const stream = client.chat.completions.stream({
      model: 'gpt-4o-mini',
      tools: [handoffTool],
      tool_choice: 'auto',
      messages: [{ role: 'user', content: 'cancel my order' }],
    });
    const final = await stream.finalChatCompletion();
    const call = final.choices[0]!.message.tool_calls![0]!;
    expect(final.choices[0]!.finish_reason).toBe('tool_calls');
    if (call.type !== 'function') throw new Error('expected a function call');
    expect(call.function.name).toBe('handoff_to_human');
    expect(JSON.parse(call.function.arguments)).toEqual({ reason: 'wants to cancel the order' });
  });

  it('stops streaming when the client aborts', async () => {
    fake.enqueue({ text: 'x'.repeat(2000), chunkChars: 1, chunkDelayMs: 5 });
    const ac = new AbortController();
    const stream = await client.chat.completions.create(
      { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'long' }] },
      { signal: ac.signal },
    );
    let got = 0;
    // The SDK ends the iteration quietly on abort.
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content) got++;
      if (got === 3) ac.abort();
    }
    expect(got).toBeLessThan(2000);
    await expect.poll(() => fake.calls.at(-1)?.error).toBe('client went away');
  });

  it('lists and retrieves models', async () => {
    const ids: string[] = [];
    for await (const m of client.models.list()) ids.push(m.id);
    expect(ids).toEqual(fake.models);
    await expect(client.models.retrieve('gpt-4o-mini')).resolves.toMatchObject({
      id: 'gpt-4o-mini',
      object: 'model',
      owned_by: 'system',
    });
    await expect(client.models.retrieve('gpt-nope')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('honours the SDK timeout: a slow answer becomes APIConnectionTimeoutError and the fake stops waiting', async () => {
    fake.enqueue({ text: 'late', delayMs: 5_000 });
    const impatient = new OpenAI({ apiKey: fake.apiKey, baseURL: fake.baseUrl, maxRetries: 0, timeout: 100 });
    await expect(
      impatient.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    await expect.poll(() => fake.calls.at(-1)?.error).toBe('client went away');
    expect(fake.completions()).toHaveLength(0);
  });
});

describe('fake OpenAI embeddings through the official SDK', () => {
  const cosine = (a: number[], b: number[]) => a.reduce((n, x, i) => n + x * b[i]!, 0);

  it('answers floats (decoded by the SDK from base64, its default) with usage; similar texts are closer', async () => {
    const res = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input: ['shipping takes three days', 'how many days does shipping take', 'reset my password'],
    });
    expect(res.object).toBe('list');
    expect(res.model).toBe('text-embedding-3-small');
    expect(res.data.map((d) => d.index)).toEqual([0, 1, 2]);
    expect(res.data[0]!.embedding).toHaveLength(1536);
    expect(res.usage.prompt_tokens).toBeGreaterThan(0);
    const [ship, askShip, password] = res.data.map((d) => d.embedding);
    expect(Math.abs(cosine(ship!, ship!) - 1)).toBeLessThan(1e-5);
    expect(cosine(ship!, askShip!)).toBeGreaterThan(cosine(ship!, password!));
    expect((fake.calls.at(-1)!.body as { encoding_format?: string }).encoding_format).toBe('base64');
    const floats = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input: 'shipping takes three days',
      encoding_format: 'float',
      dimensions: 64,
    });
    expect(floats.data[0]!.embedding).toHaveLength(64);
  });

  it('refuses an empty input, a chat model and an unknown model; failNext works', async () => {
    await expect(client.embeddings.create({ model: 'text-embedding-3-small', input: '' })).rejects.toBeInstanceOf(
      OpenAI.BadRequestError,
    );
    await expect(client.embeddings.create({ model: 'gpt-4o-mini', input: 'x' })).rejects.toBeInstanceOf(
      OpenAI.BadRequestError,
    );
    await expect(client.embeddings.create({ model: 'embed-nope', input: 'x' })).rejects.toBeInstanceOf(
      OpenAI.NotFoundError,
    );
    fake.failNext('embeddings', { status: 429, retryAfter: 1 });
    await expect(client.embeddings.create({ model: 'text-embedding-3-small', input: 'x' })).rejects.toBeInstanceOf(
      OpenAI.RateLimitError,
    );
  });
});
