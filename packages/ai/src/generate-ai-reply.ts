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
    description: 'Hand the conversation over to a human team member. Use it when the visitor asks for a person or the knowledge cannot answer.',
    parameters: {
      type: 'object',
      properties: { reason: { type: 'string', description: 'One short sentence for the team: why a human is needed.' } },
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
export function extractSources(text: string, sources: readonly TPromptSource[]): { text: string; sources: TPromptSource[] } {
  const cited: number[] = [];
  const stripped = text.replace(MARKER, (_m, list: string) => {
    for (const n of list.split(',').map((s) => Number(s.trim()))) {
      if (Number.isInteger(n) && n >= 1 && n <= sources.length && !cited.includes(n)) cited.push(n);
    }
    return '';
  });
  return { text: stripped.replace(/[ \t]+([.,;:!?])/g, '$1').replace(/[ \t]{2,}/g, ' ').trim(), sources: cited.map((n) => sources[n - 1]!) };
}

function usageOf(res: OpenAI.Chat.ChatCompletion): TAiUsage {
  const u = res.usage;
  return {
    promptTokens: u?.prompt_tokens ?? 0,
    completionTokens: u?.completion_tokens ?? 0,
    totalTokens: u?.total_tokens ?? (u?.prompt_tokens ?? 0) + (u?.completion_tokens ?? 0),
    model: res.model,
  };
}

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
  if (err instanceof OpenAI.APIConnectionError) return { kind: 'error', retryable: true, message: clip(`provider unreachable: ${err.message}`, ERROR_MESSAGE_MAX) };
  if (err instanceof OpenAI.APIError) {
    const status = typeof err.status === 'number' ? err.status : undefined;
    const retryable = status === undefined || status === 408 || status === 409 || status === 429 || status >= 500;
    const after = retryAfterMs(err.headers);
    return { kind: 'error', retryable, message: clip(err.message, ERROR_MESSAGE_MAX), ...(status !== undefined ? { status } : {}), ...(after !== undefined ? { retryAfterMs: after } : {}) };
  }
  return { kind: 'error', retryable: false, message: clip(err instanceof Error ? err.message : String(err), ERROR_MESSAGE_MAX) };
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
    res = await client.chat.completions.create(
      {
        model: settings.model,
        messages: prompt.messages,
        tools: [HANDOFF_TOOL],
        tool_choice: 'auto',
        max_completion_tokens: settings.maxOutputTokens,
      },
      signal ? { signal } : undefined,
    );
  } catch (err) {
    return classifyAiError(err);
  }
  const usage = usageOf(res);
  const choice = res.choices[0];
  if (!choice) return { kind: 'error', retryable: true, message: 'the provider returned no choice', usage };

  const handoff = choice.message.tool_calls?.find((c) => c.type === 'function' && c.function.name === HANDOFF_TOOL_NAME);
  if (handoff && handoff.type === 'function') {
    let reason = '';
    try {
      const args = ZHandoffArgs.safeParse(JSON.parse(handoff.function.arguments));
      if (args.success) reason = args.data.reason.replace(/\s+/g, ' ').trim();
    } catch {
      // Malformed arguments still mean the model chose to hand over; the reason is just unknown.
    }
    return { kind: 'handoff', reason: clip(reason || 'no reason given', REASON_MAX), usage };
  }

  if (choice.finish_reason === 'content_filter') return { kind: 'error', retryable: false, message: 'the provider filtered the answer', usage };
  const raw = choice.message.content?.trim() ?? '';
  const { text, sources } = extractSources(raw, prompt.sources);
  if (!text) return { kind: 'error', retryable: true, message: choice.message.refusal ? 'the model refused to answer' : 'the model returned no text', usage };
  return { kind: 'answer', text: clip(text, LIMITS.messageBodyMax), sources, usage };
}
