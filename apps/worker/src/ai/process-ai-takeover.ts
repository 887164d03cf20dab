import { DelayedError, type Job } from 'bullmq';
import {
  buildPrompt,
  checkBudget,
  createOpenAiClient,
  estimateCostMicroUsd,
  monthKeyUtc,
  startOfMonthUtc,
  streamAiReply,
  type TAiReply,
  type TAiUsage,
  type TPromptSource,
} from '@pocketping/ai';
import { decryptSecret } from '@pocketping/core';
import { changeConversationAi, postAiMessage, postAiNote } from '@pocketping/conversations';
import {
  claimAiBudgetAlert,
  claimAiReply,
  finishAiReply,
  getAiTurnState,
  getAiUsageSince,
  getSealedOrganizationAiKey,
  listAiHistory,
  reclaimStaleAiReply,
  recordAiUsage,
  setConversationAi,
} from '@pocketping/db';
import { aiAgainKey, aiCancelKey, ZAiTakeoverJob, type TAiTakeoverJob } from '@pocketping/jobs';
import { LIMITS, type TAiStreamEvent } from '@pocketping/protocol';
import type { TWorkerContext } from '../context.js';
import { loadAiSettings, takeoverDelayMs, type TAiConfig } from './ai-config.js';
import { loadProjectSettings } from '../project-settings.js';

/** A claim untouched this long belongs to a worker that died: another attempt may take it over. */
const STALE_CLAIM_MS = 180_000;
/** A timer that fires this early (clock skew, a moved job) is put back to wait, not answered early. */
const EARLY_TOLERANCE_MS = 250;

export type TAiOutcome =
  | 'project ai off'
  | 'conversation ai off'
  | 'gone'
  | 'closed'
  | 'nothing to answer'
  | 'a human answered'
  | 'already claimed'
  | 'no provider key'
  | 'budget'
  | 'answered'
  | 'handoff'
  | 'cancelled'
  | 'failed';

type TCtx = Pick<TWorkerContext, 'db' | 'redis' | 'keyRing' | 'conversations' | 'log' | 'aiTimer' | 'limits'> & {
  ai: TAiConfig;
  redisPrefix: string;
};

/**
 * The AI timer of one conversation fired. It answers the newest visitor message only if, re-read in Postgres now:
 * the project's and the conversation's AI are on, the conversation is open, no operator wrote after that message,
 * its delay has passed, and the month's budget allows. The message is claimed (one row per visitor message) before
 * the provider is called, so two workers or a retried job never answer it twice. The answer streams to the widget;
 * a human reply meanwhile stops it (cancel key, then a last check in Postgres before storing).
 */
export async function processAiTakeoverJob(ctx: TCtx, job: Job, token: string | undefined): Promise<TAiOutcome> {
  const data = ZAiTakeoverJob.parse(job.data);
  const outcome = await takeOver(ctx, data, job, token);
  // A visitor message that arrived while this ran found the job busy: run again for it (the timer moves to its time).
  const again = await ctx.redis.getdel(aiAgainKey(ctx.redisPrefix, data.conversationId));
  if (again !== null && outcome !== 'project ai off') {
    const state = await getAiTurnState(ctx.db, data.organizationId, data.conversationId);
    if (state?.lastVisitor && state.lastVisitor.seq > data.visitorSeq && state.aiState !== 'off') {
      await job.updateData({ ...data, visitorSeq: state.lastVisitor.seq });
      await job.moveToDelayed(Date.now(), token);
      throw new DelayedError();
    }
  }
  return outcome;
}

async function takeOver(ctx: TCtx, data: TAiTakeoverJob, job: Job, token: string | undefined): Promise<TAiOutcome> {
  const { organizationId, projectId, conversationId } = data;
  const log = ctx.log.child({ tenantId: organizationId, projectId, conversationId });
  const settings = await loadAiSettings(ctx.db, organizationId, projectId, ctx.ai.defaultModel);
  if (!settings.enabled) return 'project ai off';
  const state = await getAiTurnState(ctx.db, organizationId, conversationId);
  if (!state || state.projectId !== projectId) return 'gone';
  if (state.aiState === 'off') return 'conversation ai off';
  if (state.status !== 'open') return 'closed';
  if (!state.lastVisitor) return 'nothing to answer';
  if (state.humanSince) return 'a human answered';
  const visitorSeq = state.lastVisitor.seq;

  // The job is only a trigger: the wait is measured from the newest visitor message, whatever moved the job.
  const projectSettings = await loadProjectSettings(ctx.db, organizationId, projectId);
  const due =
    state.lastVisitor.createdAt.getTime() + takeoverDelayMs(settings, projectSettings, state.lastVisitor.createdAt);
  if (due - Date.now() > EARLY_TOLERANCE_MS) {
    await job.updateData({ ...data, visitorSeq });
    await job.moveToDelayed(due, token);
    throw new DelayedError();
  }

  if (!(await claimAiReply(ctx.db, organizationId, conversationId, visitorSeq))) {
    if (!(await reclaimStaleAiReply(ctx.db, organizationId, conversationId, visitorSeq, STALE_CLAIM_MS)))
      return 'already claimed';
  }
  const finish = (status: 'answered' | 'handoff' | 'failed' | 'skipped', detail?: string, replySeq?: number) =>
    finishAiReply(ctx.db, organizationId, conversationId, visitorSeq, { status, detail: detail ?? null, replySeq });
  const streamId = `${conversationId}-${visitorSeq}`;
  const push = (text: string, sources: TPromptSource[], s: TAiStreamEvent['state']) =>
    ctx.conversations.widget.aiStream?.({
      conversationId,
      streamId,
      authorName: settings.assistantName,
      text,
      sources,
      state: s,
    });
  const base = { conversationId, projectId, assistantName: settings.assistantName };

  // Budget: the project's monthly budget, within the plan's allowance for the whole organization.
  const now = new Date();
  const since = startOfMonthUtc(now);
  const projectUsage = await getAiUsageSince(ctx.db, organizationId, { projectId, since });
  let budget = checkBudget({ settings, usedThisMonth: projectUsage });
  const allowance = await ctx.ai.aiAllowance(organizationId);
  if (budget.allowed && (allowance.maxReplies !== null || allowance.maxTokens !== null)) {
    const orgUsage = await getAiUsageSince(ctx.db, organizationId, { projectId: null, since });
    budget = checkBudget({
      settings: {
        monthlyBudget: {
          maxReplies: allowance.maxReplies ?? Number.MAX_SAFE_INTEGER,
          maxTokens: allowance.maxTokens ?? Number.MAX_SAFE_INTEGER,
        },
      },
      usedThisMonth: orgUsage,
    });
  }
  if (!budget.allowed) {
    // Postgres first, the widget after: a widget (re)connecting meanwhile reads the same notice in its session.
    await setConversationAi(ctx.db, organizationId, conversationId, 'off');
    await postAiNote(ctx.conversations, organizationId, {
      ...base,
      body: '🙋 handoff: the monthly AI budget is used up — this conversation waits for a person.',
      key: `ai-handoff-${visitorSeq}`,
      handoff: { reason: 'budget_reached' },
    });
    if (await claimAiBudgetAlert(ctx.db, organizationId, projectId, monthKeyUtc(now)))
      await postAiNote(ctx.conversations, organizationId, {
        ...base,
        body: `⚠️ AI budget reached for this month (${budget.reason === 'replies_exhausted' ? 'replies' : 'tokens'}): the assistant stops answering until next month or a higher budget on the AI page.`,
        key: `ai-budget-${monthKeyUtc(now)}`,
      });
    await finish('handoff', budget.reason);
    push('', [], 'handoff');
    log.info({ reason: budget.reason }, 'AI budget reached: handed to the team');
    return 'budget';
  }

  const sealed = await getSealedOrganizationAiKey(ctx.db, organizationId);
  const apiKey = sealed ? decryptSecret(ctx.keyRing, sealed) : ctx.ai.apiKey;
  if (!apiKey) {
    await finish('skipped', 'no provider key');
    log.warn('AI is on but no provider key is set (OPENAI_API_KEY or the organization key)');
    return 'no provider key';
  }
  const client = createOpenAiClient({ apiKey, baseURL: ctx.ai.baseURL, timeoutMs: ctx.ai.requestTimeoutMs });

  const history = await listAiHistory(ctx.db, organizationId, conversationId);
  const question = history.filter((m) => m.sender === 'visitor' && !m.internal).at(-1)?.body ?? '';
  const knowledge = await ctx.ai
    .retrieveKnowledge({ organizationId, projectId, question, limit: 6 })
    .catch((err: unknown) => {
      log.warn(
        { err: err instanceof Error ? err.message : String(err) },
        'knowledge retrieval failed; answering without',
      );
      return [];
    });
  const prompt = buildPrompt({
    settings,
    knowledge,
    history: history.map((m) => ({ sender: m.sender, body: m.body, internal: m.internal })),
  });

  const cancelKey = aiCancelKey(ctx.redisPrefix, conversationId);
  const ac = new AbortController();
  let lastPush = 0;
  let pending: string | null = null;
  let checking = false;
  const onText = (text: string) => {
    pending = text;
    const t = Date.now();
    if (t - lastPush < ctx.ai.streamThrottleMs) return;
    lastPush = t;
    pending = null;
    push(text, prompt.sources, 'streaming');
    if (checking) return;
    checking = true;
    // A human wrote: stop between tokens (the cancel key is set by every human reply).
    void ctx.redis
      .exists(cancelKey)
      .then((n) => (n ? ac.abort() : undefined))
      .catch(() => undefined)
      .finally(() => (checking = false));
  };
  // Every call in the AI meter (AiUsage: the project budgets, the AI page) and in the plan's monthly counters (the
  // usage page and the plan's allowance).
  const record = async (usage: TAiUsage | undefined, replies: number) => {
    if (!usage) return;
    await recordAiUsage(ctx.db, organizationId, {
      projectId,
      conversationId,
      kind: 'completion',
      model: usage.model,
      promptTokens: usage.promptTokens,
      completionTokens: usage.completionTokens,
      costMicroUsd: estimateCostMicroUsd(usage.model, usage.promptTokens, usage.completionTokens),
      replies,
    });
    await ctx.limits.recordAiUsage(organizationId, {
      replies,
      tokens: usage.promptTokens + usage.completionTokens,
    });
  };

  let reply: TAiReply = { kind: 'error', retryable: true, message: 'not tried' };
  for (let attempt = 1; attempt <= ctx.ai.attempts; attempt++) {
    if (await ctx.redis.exists(cancelKey)) ac.abort();
    if (ac.signal.aborted) break;
    reply = await streamAiReply({
      client,
      settings: { model: settings.model, maxOutputTokens: settings.maxOutputTokens },
      prompt,
      signal: ac.signal,
      onText,
    });
    if (reply.kind !== 'error') break;
    await record(reply.usage, 0);
    if (!reply.retryable || attempt === ctx.ai.attempts) break;
    // Something may have been shown: the next attempt starts a fresh bubble.
    push('', [], 'cancelled');
    const waitMs = Math.min(20_000, reply.retryAfterMs ?? 1_000 * 2 ** (attempt - 1));
    log.warn({ attempt, status: reply.status, waitMs, err: reply.message }, 'AI provider failed; retrying');
    await sleepUnlessCancelled(ctx, cancelKey, waitMs, ac);
  }
  if (pending !== null && reply.kind === 'answer') push(pending, prompt.sources, 'streaming');

  if (reply.kind !== 'error') await record(reply.usage, reply.kind === 'answer' ? 1 : 0);
  if (ac.signal.aborted || (reply.kind === 'error' && reply.message === 'aborted')) {
    push('', [], 'cancelled');
    await finish('skipped', 'a human wrote');
    return 'cancelled';
  }

  if (reply.kind === 'error') {
    await postAiNote(ctx.conversations, organizationId, {
      ...base,
      body: `⚠️ The AI assistant could not answer (${reply.status ? `provider error ${reply.status}` : reply.message.slice(0, 120)}). This conversation waits for a person.`,
      key: `ai-failed-${visitorSeq}`,
    });
    await finish('failed', reply.message);
    push('', [], 'failed');
    log.warn({ status: reply.status, err: reply.message }, 'AI provider failed after retries; left to the team');
    return 'failed';
  }

  // Last check before anything is stored: a human may have answered while the provider wrote.
  const latest = await getAiTurnState(ctx.db, organizationId, conversationId);
  if (!latest || latest.humanSince || latest.aiState === 'off' || (await ctx.redis.exists(cancelKey))) {
    push('', [], 'cancelled');
    await finish('skipped', 'a human wrote');
    return 'cancelled';
  }

  if (reply.kind === 'handoff') {
    await changeConversationAi(ctx.conversations, organizationId, { conversationId, projectId, on: false });
    await postAiNote(ctx.conversations, organizationId, {
      ...base,
      body: `🙋 handoff: ${reply.reason}`,
      key: `ai-handoff-${visitorSeq}`,
      handoff: { reason: reply.reason },
    });
    await finish('handoff', reply.reason);
    push('', [], 'handoff');
    return 'handoff';
  }

  const body = withSources(reply.text, reply.sources);
  push(reply.text, reply.sources, 'done');
  const { message } = await postAiMessage(ctx.conversations, organizationId, { ...base, body, visitorSeq });
  await setConversationAi(ctx.db, organizationId, conversationId, 'active');
  await finish('answered', undefined, message.seq);
  return 'answered';
}

/** The stored answer: the text, then the sources it cites (titles and links), as every chat app and the inbox show. */
export function withSources(text: string, sources: readonly TPromptSource[]): string {
  if (sources.length === 0) return text;
  const list = sources.map((s) => `• ${s.title}${s.url ? ` — ${s.url}` : ''}`).join('\n');
  const full = `${text}\n\nSources:\n${list}`;
  return full.length <= LIMITS.messageBodyMax ? full : text.slice(0, LIMITS.messageBodyMax);
}

async function sleepUnlessCancelled(ctx: TCtx, cancelKey: string, ms: number, ac: AbortController): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await ctx.redis.exists(cancelKey)) {
      ac.abort();
      return;
    }
    await new Promise((r) => setTimeout(r, Math.min(250, end - Date.now())));
  }
}
