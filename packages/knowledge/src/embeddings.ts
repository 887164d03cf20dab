import type OpenAI from 'openai';

/** What embedding costs, reported per organization (the AI usage meter records it). */
export interface TEmbeddingUsage {
  organizationId: string;
  model: string;
  tokensIn: number;
  kind: 'embedding';
}
export type TOnEmbeddingUsage = (usage: TEmbeddingUsage) => void | Promise<void>;

export interface TEmbedder {
  model: string;
  /** One vector per text, in order. Throws on a provider failure (callers decide what that costs). */
  embed(texts: readonly string[], organizationId: string): Promise<number[][]>;
}

/** Inputs per request: far under the API's 2048, so one request stays small and a failure retries little. */
const BATCH = 64;
/** Characters per input: the API refuses inputs over 8192 tokens; passages are much shorter anyway. */
const INPUT_MAX_CHARS = 8000;

/** Embeddings through the official SDK (OPENAI_BASE_URL: OpenAI or a compatible server); usage goes to `onUsage`. */
export function createOpenAiEmbedder({
  client,
  model,
  onUsage,
}: {
  client: OpenAI;
  model: string;
  onUsage?: TOnEmbeddingUsage;
}): TEmbedder {
  return {
    model,
    async embed(texts, organizationId) {
      const out: number[][] = [];
      for (let at = 0; at < texts.length; at += BATCH) {
        const input = texts.slice(at, at + BATCH).map((t) => t.slice(0, INPUT_MAX_CHARS) || ' ');
        const res = await client.embeddings.create({ model, input });
        const byIndex = [...res.data].sort((a, b) => a.index - b.index);
        if (byIndex.length !== input.length)
          throw new Error(`The provider returned ${byIndex.length} embeddings for ${input.length} inputs`);
        for (const d of byIndex) out.push(d.embedding);
        await onUsage?.({ organizationId, model, tokensIn: res.usage?.prompt_tokens ?? 0, kind: 'embedding' });
      }
      return out;
    },
  };
}
