import { z } from 'zod';
import { buildPrompt, estimateCostMicroUsd, generateAiReply, type TAiSettings } from '@pocketping/ai';
import { recordAiUsage } from '@pocketping/db';
import type { TRetrievedSnippet } from '@pocketping/knowledge';
import type { TWebContext } from '../context';
import { knowledgeServices } from './knowledge-services';

export const ZPlaygroundInput = z.strictObject({
  question: z.string().trim().min(1).max(1000),
});

export type TPlaygroundAnswer =
  | { kind: 'answer'; text: string; sources: { title: string; url: string | null }[] }
  | { kind: 'handoff'; reason: string }
  | { kind: 'error'; message: string }
  | { kind: 'unavailable'; message: string };

export interface TPlaygroundResult {
  passages: Pick<TRetrievedSnippet, 'chunkId' | 'sourceId' | 'title' | 'url' | 'text' | 'score' | 'ranks'>[];
  mode: 'full-text' | 'hybrid';
  answer: TPlaygroundAnswer;
}

/** Passages retrieved per question: what the AI fallback gives the model too. */
export const PLAYGROUND_PASSAGES = 5;

/**
 * "Ask your assistant": the passages the AI would get for this question, with their scores, and the answer the model
 * gives from them with the project's saved settings (name, instructions, model, length) — without a conversation, a
 * visitor or any message stored. The completion is metered like the AI fallback's (AI usage and the plan's monthly
 * tokens; no reply counted).
 */
export async function runPlayground(
  app: TWebContext,
  scope: { organizationId: string; projectId: string },
  question: string,
  settings: Pick<TAiSettings, 'assistantName' | 'instructions' | 'model' | 'maxOutputTokens'>,
): Promise<TPlaygroundResult> {
  const services = knowledgeServices(app);
  const passages = await services.retrieve({ ...scope, question, limit: PLAYGROUND_PASSAGES });
  const result: Omit<TPlaygroundResult, 'answer'> = {
    passages: passages.map((p) => ({
      chunkId: p.chunkId,
      sourceId: p.sourceId,
      title: p.title,
      url: p.url ?? null,
      text: p.text,
      score: p.score,
      ranks: p.ranks,
    })),
    mode: services.embeddings ? 'hybrid' : 'full-text',
  };
  if (!services.ai)
    return {
      ...result,
      answer: {
        kind: 'unavailable',
        message: 'No provider key is configured (OPENAI_API_KEY), so only the passages are shown.',
      },
    };
  const prompt = buildPrompt({ settings, knowledge: passages, history: [{ sender: 'visitor', body: question }] });
  const reply = await generateAiReply({ client: services.ai, settings, prompt });
  if (reply.usage) {
    const { model, promptTokens, completionTokens } = reply.usage;
    await recordAiUsage(app.db, scope.organizationId, {
      projectId: scope.projectId,
      kind: 'completion',
      model,
      promptTokens,
      completionTokens,
      costMicroUsd: estimateCostMicroUsd(model, promptTokens, completionTokens),
      replies: 0,
    });
    await app.limits.recordAiUsage(scope.organizationId, { replies: 0, tokens: promptTokens + completionTokens });
  }
  app.log.info(
    {
      tenantId: scope.organizationId,
      projectId: scope.projectId,
      kind: reply.kind,
      ...(reply.kind !== 'error' ? { usage: reply.usage } : {}),
    },
    'ai playground answer',
  );
  const answer: TPlaygroundAnswer =
    reply.kind === 'answer'
      ? { kind: 'answer', text: reply.text, sources: reply.sources.map((s) => ({ title: s.title, url: s.url })) }
      : reply.kind === 'handoff'
        ? { kind: 'handoff', reason: reply.reason }
        : { kind: 'error', message: `The provider did not answer: ${reply.message}` };
  return { ...result, answer };
}
