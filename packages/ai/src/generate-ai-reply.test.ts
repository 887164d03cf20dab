import { startFakeOpenAi, type TFakeOpenAi } from '@pocketping/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_AI_SETTINGS } from './ai-settings.js';
import { buildPrompt } from './build-prompt.js';
import { createOpenAiClient } from './create-openai-client.js';
import {
  extractSources,
  generateAiReply,
  HANDOFF_TOOL_NAME,
  streamAiReply,
  visiblePartialText,
} from './generate-ai-reply.js';

// Through the official openai SDK against the fake OpenAI server: nothing of the SDK is mocked.
let fake: TFakeOpenAi;
const settings = { ...DEFAULT_AI_SETTINGS, enabled: true };
const prompt = buildPrompt({
  settings,
  knowledge: [
    { title: 'Opening hours', url: 'https://shop.example/hours', text: 'We open 9am to 5pm.' },
    { title: 'Shipping', url: 'https://shop.example/shipping', text: 'Shipping takes 3 days.' },
    { title: 'Returns', url: null, text: 'Returns within 30 days.' },
  ],
  history: [{ sender: 'visitor', body: 'When do you open and how long is shipping?' }],
});

beforeAll(async () => {
  fake = await startFakeOpenAi();
});
afterAll(async () => {
  await fake?.close();
});
beforeEach(() => fake.reset());

const client = () => createOpenAiClient({ apiKey: fake.apiKey, baseURL: fake.baseUrl, timeoutMs: 5_000 });

describe('generateAiReply', () => {
  it('returns an answer with the cited sources (first cited first), markers removed, unknown markers dropped, usage', async () => {
    fake.enqueue({
      text: 'We ship in 3 days [2] and open at 9am [1][2]. See also [7].',
      usage: { prompt_tokens: 300, completion_tokens: 20 },
    });
    const reply = await generateAiReply({ client: client(), settings, prompt });
    expect(reply).toEqual({
      kind: 'answer',
      text: 'We ship in 3 days and open at 9am. See also.',
      sources: [
        { title: 'Shipping', url: 'https://shop.example/shipping' },
        { title: 'Opening hours', url: 'https://shop.example/hours' },
      ],
      usage: { promptTokens: 300, completionTokens: 20, totalTokens: 320, model: 'gpt-4o-mini' },
    });
    // What went over the wire: the prompt, the handoff tool, tool_choice auto, the output cap, the settings' model.
    const [sent] = fake.completions();
    expect(sent).toMatchObject({ model: 'gpt-4o-mini', tool_choice: 'auto', max_completion_tokens: 500 });
    expect(sent!.tools!.map((t) => t.function.name)).toEqual([HANDOFF_TOOL_NAME]);
    expect(sent!.messages).toEqual(prompt.messages);
  });

  it('hands off when the model calls handoff_to_human, even with text about humans alongside', async () => {
    fake.enqueue({
      toolCall: { name: 'handoff_to_human', arguments: { reason: '  Wants a   refund ' } },
      text: 'Let me get a human for you.',
    });
    const reply = await generateAiReply({ client: client(), settings, prompt });
    expect(reply).toMatchObject({ kind: 'handoff', reason: 'Wants a refund', usage: { model: 'gpt-4o-mini' } });
    expect(reply.kind === 'handoff' && reply.usage.totalTokens).toBeGreaterThan(0);
  });

  it('hands off with an unknown reason when the tool arguments are malformed or too long a reason is capped', async () => {
    fake.enqueue(
      { toolCall: { name: 'handoff_to_human', arguments: '{not json' } },
      { toolCall: { name: 'handoff_to_human', arguments: { reason: 'r'.repeat(1000) } } },
    );
    expect(await generateAiReply({ client: client(), settings, prompt })).toMatchObject({
      kind: 'handoff',
      reason: 'no reason given',
    });
    const long = await generateAiReply({ client: client(), settings, prompt });
    expect(long.kind === 'handoff' && long.reason.length).toBe(300);
  });

  it('a text that says "let me hand you over to a human" WITHOUT the tool call is an answer, not a handoff', async () => {
    fake.enqueue({ text: 'Let me hand you over to a human agent, one moment.' });
    const reply = await generateAiReply({ client: client(), settings, prompt });
    expect(reply).toMatchObject({
      kind: 'answer',
      text: 'Let me hand you over to a human agent, one moment.',
      sources: [],
    });
  });

  it('classifies a 429 as retryable, with the provider retry-after', async () => {
    fake.failNext('chat.completions', { status: 429, retryAfter: 12 });
    expect(await generateAiReply({ client: client(), settings, prompt })).toMatchObject({
      kind: 'error',
      retryable: true,
      status: 429,
      retryAfterMs: 12_000,
    });
    expect(fake.calls).toHaveLength(1); // the client leaves retries to the caller
  });

  it('classifies 5xx and a dropped connection as retryable', async () => {
    fake.failNext('chat.completions', { status: 503 });
    expect(await generateAiReply({ client: client(), settings, prompt })).toMatchObject({
      kind: 'error',
      retryable: true,
      status: 503,
    });
    fake.failNext('chat.completions', { status: 0 });
    const dropped = await generateAiReply({ client: client(), settings, prompt });
    expect(dropped).toMatchObject({ kind: 'error', retryable: true });
    expect(dropped).not.toHaveProperty('status');
  });

  it('classifies a timeout as retryable and an abort (a human wrote) as not', async () => {
    fake.enqueue({ text: 'slow', delayMs: 5_000 });
    const impatient = createOpenAiClient({ apiKey: fake.apiKey, baseURL: fake.baseUrl, timeoutMs: 100 });
    expect(await generateAiReply({ client: impatient, settings, prompt })).toMatchObject({
      kind: 'error',
      retryable: true,
    });
    fake.enqueue({ text: 'slow', delayMs: 5_000 });
    const ac = new AbortController();
    const pending = generateAiReply({ client: client(), settings, prompt, signal: ac.signal });
    await expect.poll(() => fake.calls.length).toBe(2);
    ac.abort();
    expect(await pending).toEqual({ kind: 'error', retryable: false, message: 'aborted' });
  });

  it('classifies 401 (bad key), 404 (unknown model) and 400 as not retryable, without echoing the key', async () => {
    const wrongKey = 'sk-wrong-0123456789abcdef';
    const bad = createOpenAiClient({ apiKey: wrongKey, baseURL: fake.baseUrl });
    const unauthorized = await generateAiReply({ client: bad, settings, prompt });
    expect(unauthorized).toMatchObject({ kind: 'error', retryable: false, status: 401 });
    expect(JSON.stringify(unauthorized)).not.toContain(wrongKey);
    expect(
      await generateAiReply({ client: client(), settings: { ...settings, model: 'gpt-unknown' }, prompt }),
    ).toMatchObject({ kind: 'error', retryable: false, status: 404 });
    const broken = {
      ...prompt,
      messages: [...prompt.messages, { role: 'tool' as const, tool_call_id: 'call_x', content: 'x' }],
    };
    expect(await generateAiReply({ client: client(), settings, prompt: broken })).toMatchObject({
      kind: 'error',
      retryable: false,
      status: 400,
    });
  });

  it('an empty answer is a retryable error, a filtered one is not; both report the billed usage', async () => {
    fake.enqueue({ text: '   ' }, { text: 'x', finishReason: 'content_filter' });
    expect(await generateAiReply({ client: client(), settings, prompt })).toMatchObject({
      kind: 'error',
      retryable: true,
      usage: { model: 'gpt-4o-mini' },
    });
    expect(await generateAiReply({ client: client(), settings, prompt })).toMatchObject({
      kind: 'error',
      retryable: false,
      message: 'the provider filtered the answer',
    });
  });

  it('caps the answer at the output token limit (the provider cuts it)', async () => {
    fake.enqueue({ text: 'word '.repeat(2000) });
    const reply = await generateAiReply({ client: client(), settings: { ...settings, maxOutputTokens: 50 }, prompt });
    expect(reply.kind).toBe('answer');
    expect(reply.kind === 'answer' && reply.text.length).toBeLessThanOrEqual(200);
  });

  it('works unscripted against the fake, as in the local demo (cites [1], hands off when asked for a person)', async () => {
    const answer = await generateAiReply({ client: client(), settings, prompt });
    expect(answer).toMatchObject({ kind: 'answer', sources: [{ title: 'Opening hours' }] });
    const asksHuman = buildPrompt({
      settings,
      knowledge: [],
      history: [{ sender: 'visitor', body: 'I want to talk to a person' }],
    });
    expect(await generateAiReply({ client: client(), settings, prompt: asksHuman })).toMatchObject({ kind: 'handoff' });
  });
});

describe('extractSources', () => {
  const sources = [
    { title: 'A', url: 'https://a' },
    { title: 'B', url: null },
  ];
  it('maps lists and repeats once each, drops out-of-range and zero markers', () => {
    expect(extractSources('x [2, 1] y [2] z [0] w [3].', sources)).toEqual({
      text: 'x y z w.',
      sources: [sources[1], sources[0]],
    });
  });
  it('leaves a text without markers alone', () => {
    expect(extractSources('Plain answer.', sources)).toEqual({ text: 'Plain answer.', sources: [] });
  });
});

describe('streamAiReply', () => {
  it('streams the visible text (markers out, a half-written marker held back) and ends with the same answer as generateAiReply', async () => {
    fake.enqueue({
      text: 'We ship in 3 days [2] and open at 9am [1].',
      chunkChars: 3,
      usage: { prompt_tokens: 50, completion_tokens: 12 },
    });
    const seen: string[] = [];
    const reply = await streamAiReply({ client: client(), settings, prompt, onText: (t) => seen.push(t) });
    expect(reply).toEqual({
      kind: 'answer',
      text: 'We ship in 3 days and open at 9am.',
      sources: [
        { title: 'Shipping', url: 'https://shop.example/shipping' },
        { title: 'Opening hours', url: 'https://shop.example/hours' },
      ],
      usage: { promptTokens: 50, completionTokens: 12, totalTokens: 62, model: 'gpt-4o-mini' },
    });
    expect(seen.length).toBeGreaterThan(3);
    expect(seen.at(-1)).toBe('We ship in 3 days and open at 9am.');
    for (const t of seen) expect(t).not.toMatch(/\[/);
    // Each update extends the previous one (one growing bubble).
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.startsWith(seen[i - 1]!.trimEnd())).toBe(true);
    expect(fake.completions()[0]).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
      tool_choice: 'auto',
    });
  });

  it('a streamed handoff_to_human tool call is a handoff', async () => {
    fake.enqueue({ toolCall: { name: 'handoff_to_human', arguments: { reason: 'billing dispute' } }, chunkChars: 2 });
    const seen: string[] = [];
    expect(await streamAiReply({ client: client(), settings, prompt, onText: (t) => seen.push(t) })).toMatchObject({
      kind: 'handoff',
      reason: 'billing dispute',
    });
    expect(seen).toEqual([]);
  });

  it('a streamed text about handing over, without the tool call, is an answer', async () => {
    fake.enqueue({ text: 'I will hand you over to a human now.' });
    expect(await streamAiReply({ client: client(), settings, prompt })).toMatchObject({
      kind: 'answer',
      text: 'I will hand you over to a human now.',
    });
  });

  it('an abort mid-stream (a human wrote) is "aborted", never the partial text as an answer', async () => {
    fake.enqueue({ text: 'y'.repeat(500), chunkChars: 1, chunkDelayMs: 5 });
    const ac = new AbortController();
    let updates = 0;
    const reply = await streamAiReply({
      client: client(),
      settings,
      prompt,
      signal: ac.signal,
      onText: () => {
        if (++updates === 3) ac.abort();
      },
    });
    expect(reply).toEqual({ kind: 'error', retryable: false, message: 'aborted' });
  });

  it('classifies errors before the stream like generateAiReply', async () => {
    fake.failNext('chat.completions', { status: 429, retryAfter: 3 });
    expect(await streamAiReply({ client: client(), settings, prompt })).toMatchObject({
      kind: 'error',
      retryable: true,
      status: 429,
      retryAfterMs: 3000,
    });
    const bad = createOpenAiClient({ apiKey: 'sk-wrong-0123456789', baseURL: fake.baseUrl });
    expect(await streamAiReply({ client: bad, settings, prompt })).toMatchObject({
      kind: 'error',
      retryable: false,
      status: 401,
    });
  });
});

describe('visiblePartialText', () => {
  it('holds back a marker still being written', () => {
    const sources = [{ title: 'A', url: null }];
    expect(visiblePartialText('Open at 9 [', sources)).toBe('Open at 9');
    expect(visiblePartialText('Open at 9 [1', sources)).toBe('Open at 9');
    expect(visiblePartialText('Open at 9 [1]', sources)).toBe('Open at 9');
    expect(visiblePartialText('Open at 9 [1] and', sources)).toBe('Open at 9 and');
  });
});
