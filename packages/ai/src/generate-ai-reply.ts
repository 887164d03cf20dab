import OpenAI from 'openai';
import { z } from 'zod';
import { LIMITS } from '@pocketping/protocol';
import type { TAiSettings } from './ai-settings.js';
import type { TPrompt, TPromptSource } from './build-prompt.js';

export const HANDOFF_TOOL_NAME = 'handoff_to_human';

/** The one tool the model is offered: handing the conversation to a person. */
export const HANDOFF_TOOL: OpenAI.Chat.ChatCompletionFunctionTool = {
  type: 'function',
  function: {
    name: HANDOFF_TOOL_NAME,
    description:
      'Hand the conversation over to a human team member. Use it when the visitor asks for a person or the knowledge cannot answer.',
    parameters: {
      type: 'object',
      properties: {
        reason: { type: 'string', description: 'One short sentence for the team: why a human is needed.' },
      },
      required: ['reason'],
      additionalProperties: false,
    },
  },
};

export interface TAiUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  /** The model that answered, as the provider reports it. */
  model: string;
}

export type TAiReply =
  | { kind: 'answer'; text: string; sources: TPromptSource[]; usage: TAiUsage }
  | { kind: 'handoff'; reason: string; usage: TAiUsage }
  | {
      kind: 'error';
      retryable: boolean;
      message: string;
      /** HTTP status of the provider's answer; absent for network failures and aborts. */
      status?: number;
      /** The provider's retry-after, when it sent one (429/503). */
      retryAfterMs?: number;
      /** Usage of a completion that came back but could not be used (it is still billed). */
      usage?: TAiUsage;
    };

const REASON_MAX = 300;
const ERROR_MESSAGE_MAX = 300;
const ZHandoffArgs = z.object({ reason: z.string() });

/** `[1]`, `[2, 3]`, `[1][2]`: the citation markers the system prompt asks for. */
const MARKER = /\s?\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]/g;

/** Maps the model's [n] markers to the prompt's sources (first citation first), and takes the markers out of the text. */
export function extractSources(
  text: string,
  sources: readonly TPromptSource[],
): { text: string; sources: TPromptSource[] } {
  const cited: number[] = [];
  const stripped = text.replace(MARKER, (_m, list: string) => {
    for (const n of list.split(',').map((s) => Number(s.trim()))) {
      if (Number.isInteger(n) && n >= 1 && n <= sources.length && !cited.includes(n)) cited.push(n);
    }
    return '';
  });
  return {
    text: stripped
      .replace(/[ \t]+([.,;:!?])/g, '$1')
      .replace(/[ \t]{2,}/g, ' ')
      .trim(),
    sources: cited.map((n) => sources[n - 1]!),
  };
}

/** Usage as the provider reports it; a compatible server that reports none counts as 0 (budgets then count replies). */
function usageOf(u: OpenAI.CompletionUsage | null | undefined, model: string): TAiUsage {
  return {
    promptTokens: u?.prompt_tokens ?? 0,
    completionTokens: u?.completion_tokens ?? 0,
    totalTokens: u?.total_tokens ?? (u?.prompt_tokens ?? 0) + (u?.completion_tokens ?? 0),
    model,
  };
}

/** What came back, whether as one completion or assembled from a stream. */
interface TRawTurn {
  content: string;
  refusal: string | null;
  toolCalls: { name: string; arguments: string }[];
  finishReason: string | null;
  usage: TAiUsage;
}

/** The one place that turns a model turn into a reply: a handoff only by the tool call, sources from [n] markers. */
function interpret(turn: TRawTurn, prompt: TPrompt): TAiReply {
  const { usage } = turn;
  const handoff = turn.toolCalls.find((c) => c.name === HANDOFF_TOOL_NAME);
  if (handoff) {
    let reason = '';
    try {
      const args = ZHandoffArgs.safeParse(JSON.parse(handoff.arguments));
      if (args.success) reason = args.data.reason.replace(/\s+/g, ' ').trim();
    } catch {
      // Malformed arguments still mean the model chose to hand over; the reason is just unknown.
    }
    return { kind: 'handoff', reason: clip(reason || 'no reason given', REASON_MAX), usage };
  }
  if (turn.finishReason === 'content_filter')
    return { kind: 'error', retryable: false, message: 'the provider filtered the answer', usage };
  const { text, sources } = extractSources(turn.content.trim(), prompt.sources);
  if (!text)
    return {
      kind: 'error',
      retryable: true,
      message: turn.refusal ? 'the model refused to answer' : 'the model returned no text',
      usage,
    };
  return { kind: 'answer', text: clip(text, LIMITS.messageBodyMax), sources, usage };
}

/** The text of a partial answer as the visitor may see it: markers out, and a marker still being written held back. */
export function visiblePartialText(raw: string, sources: readonly TPromptSource[]): string {
  const held = raw.replace(/\s?\[[\d,\s]*$/, '');
  return extractSources(held, sources).text;
}

const requestOf = (settings: Pick<TAiSettings, 'model' | 'maxOutputTokens'>, prompt: TPrompt) => ({
  model: settings.model,
  messages: prompt.messages,
  tools: [HANDOFF_TOOL],
  tool_choice: 'auto' as const,
  max_completion_tokens: settings.maxOutputTokens,
});

const clip = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

function retryAfterMs(headers: Headers | undefined): number | undefined {
  const ms = Number(headers?.get('retry-after-ms'));
  if (Number.isFinite(ms) && ms > 0) return ms;
  const s = Number(headers?.get('retry-after'));
  if (Number.isFinite(s) && s > 0) return s * 1000;
  return undefined;
}

/** 429, 408, 409 and 5xx, and anything that never got an answer, may work later; the rest will not without a change. */
export function classifyAiError(err: unknown): Extract<TAiReply, { kind: 'error' }> {
  if (err instanceof OpenAI.APIUserAbortError) return { kind: 'error', retryable: false, message: 'aborted' };
  if (err instanceof OpenAI.APIConnectionError)
    return { kind: 'error', retryable: true, message: clip(`provider unreachable: ${err.message}`, ERROR_MESSAGE_MAX) };
  if (err instanceof OpenAI.APIError) {
    const status = typeof err.status === 'number' ? err.status : undefined;
    const retryable = status === undefined || status === 408 || status === 409 || status === 429 || status >= 500;
    const after = retryAfterMs(err.headers);
    return {
      kind: 'error',
      retryable,
      message: clip(err.message, ERROR_MESSAGE_MAX),
      ...(status !== undefined ? { status } : {}),
      ...(after !== undefined ? { retryAfterMs: after } : {}),
    };
  }
  return {
    kind: 'error',
    retryable: false,
    message: clip(err instanceof Error ? err.message : String(err), ERROR_MESSAGE_MAX),
  };
}

/**
 * One AI turn: a chat completion with the handoff tool offered (`tool_choice: 'auto'`). A handoff is decided ONLY by
 * the model calling that tool — a text that talks about humans is an answer like any other. Never throws.
 */
export async function generateAiReply({
  client,
  settings,
  prompt,
  signal,
}: {
  client: OpenAI;
  settings: Pick<TAiSettings, 'model' | 'maxOutputTokens'>;
  prompt: TPrompt;
  signal?: AbortSignal;
}): Promise<TAiReply> {
  let res: OpenAI.Chat.ChatCompletion;
  try {
    res = await client.chat.completions.create(requestOf(settings, prompt), signal ? { signal } : undefined);
  } catch (err) {
    return classifyAiError(err);
  }
  const usage = usageOf(res.usage, res.model);
  const choice = res.choices[0];
  if (!choice) return { kind: 'error', retryable: true, message: 'the provider returned no choice', usage };
  return interpret(
    {
      content: choice.message.content ?? '',
      refusal: choice.message.refusal,
      toolCalls: (choice.message.tool_calls ?? []).flatMap((c) =>
        c.type === 'function' ? [{ name: c.function.name, arguments: c.function.arguments }] : [],
      ),
      finishReason: choice.finish_reason,
      usage,
    },
    prompt,
  );
}

/**
 * The same turn, streamed: `onText` gets the visible answer so far (citation markers taken out) as the provider sends
 * it, for the widget's growing bubble. The result is what `generateAiReply` would return; when the model hands over,
 * text it wrote before the tool call may already have been shown, and the caller replaces it. An abort (a human
 * wrote) ends it with `aborted`, never with the partial text as an answer. Never throws (onText's own errors aside).
 */
export async function streamAiReply({
  client,
  settings,
  prompt,
  signal,
  onText,
}: {
  client: OpenAI;
  settings: Pick<TAiSettings, 'model' | 'maxOutputTokens'>;
  prompt: TPrompt;
  signal?: AbortSignal;
  onText?: (visibleText: string) => void;
}): Promise<TAiReply> {
  const aborted: TAiReply = { kind: 'error', retryable: false, message: 'aborted' };
  let content = '';
  let refusal: string | null = null;
  let finishReason: string | null = null;
  let model = settings.model;
  let reported: OpenAI.CompletionUsage | undefined;
  const toolCalls = new Map<number, { name: string; arguments: string }>();
  let shown = '';
  try {
    const stream = await client.chat.completions.create(
      { ...requestOf(settings, prompt), stream: true, stream_options: { include_usage: true } },
      signal ? { signal } : undefined,
    );
    for await (const chunk of stream) {
      if (chunk.model) model = chunk.model;
      if (chunk.usage) reported = chunk.usage;
      const choice = chunk.choices[0];
      if (!choice) continue;
      for (const tc of choice.delta.tool_calls ?? []) {
        const acc = toolCalls.get(tc.index) ?? { name: '', arguments: '' };
        acc.name += tc.function?.name ?? '';
        acc.arguments += tc.function?.arguments ?? '';
        toolCalls.set(tc.index, acc);
      }
      if (choice.delta.refusal) refusal = (refusal ?? '') + choice.delta.refusal;
      if (choice.finish_reason) finishReason = choice.finish_reason;
      if (choice.delta.content) {
        content += choice.delta.content;
        const visible = visiblePartialText(content, prompt.sources);
        if (onText && visible !== shown && toolCalls.size === 0) {
          shown = visible;
          onText(visible);
        }
      }
    }
  } catch (err) {
    return classifyAiError(err);
  }
  // The SDK ends the iteration quietly when the signal fires: what arrived so far is not an answer.
  if (signal?.aborted) return aborted;
  if (finishReason === null)
    return {
      kind: 'error',
      retryable: true,
      message: 'the stream ended before the answer was complete',
      usage: usageOf(reported, model),
    };
  return interpret(
    { content, refusal, toolCalls: [...toolCalls.values()], finishReason, usage: usageOf(reported, model) },
    prompt,
  );
}
