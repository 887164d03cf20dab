import type { Prisma } from '@prisma/client';
import { isUniqueViolation, type TDb } from '../client.js';
import { parseProjectSettings } from '@pocketping/protocol';

// The AI fallback's rows: a project's settings, an organization's own provider key (sealed by the caller, never
// returned unsealed by anything here), the usage meter and the per-visitor-message claim.

/** The stored settings (validated by the caller with ZAiSettings of @pocketping/ai) and the budget alert month. */
export async function getProjectAiRow(
  db: TDb,
  organizationId: string,
  projectId: string,
): Promise<{ settings: unknown; budgetAlertedIn: string | null } | null> {
  const row = await db.projectAi.findUnique({
    where: { organizationId_projectId: { organizationId, projectId } },
    select: { settings: true, budgetAlertedIn: true },
  });
  return row;
}

/**
 * Whether the owner turned the project's AI on (the stored flag only; the worker validates the rest when it acts).
 * Realtime asks it, cached, after each visitor message: the AI timer is scheduled only for projects that use AI.
 */
export async function isProjectAiEnabled(db: TDb, organizationId: string, projectId: string): Promise<boolean> {
  const row = await db.projectAi.findUnique({
    where: { organizationId_projectId: { organizationId, projectId } },
    select: { settings: true },
  });
  const settings = row?.settings;
  return Boolean(settings && typeof settings === 'object' && !Array.isArray(settings) && settings['enabled'] === true);
}

/**
 * Whether a visitor message of this project needs the worker (`visitor.posted`): its AI is on, or its team wants an
 * email when a visitor waits (`waitNotifyMinutes` > 0, the default). Realtime asks it, cached, after each message.
 */
export async function wantsVisitorFollowUp(db: TDb, organizationId: string, projectId: string): Promise<boolean> {
  const project = await db.project.findUnique({
    where: { organizationId_id: { organizationId, id: projectId } },
    select: { settings: true },
  });
  if (project && parseProjectSettings(project.settings).waitNotifyMinutes > 0) return true;
  return isProjectAiEnabled(db, organizationId, projectId);
}

export async function saveProjectAiSettings(
  db: TDb,
  organizationId: string,
  projectId: string,
  settings: Prisma.InputJsonObject,
): Promise<void> {
  await db.projectAi.upsert({
    where: { organizationId_projectId: { organizationId, projectId } },
    create: { organizationId, projectId, settings },
    update: { settings },
  });
}

/**
 * Marks the owner as told that the budget ran out this month. Returns true only for the first caller of the month
 * (a conditional update), so two workers hitting the budget at once tell the owner once.
 */
export async function claimAiBudgetAlert(
  db: TDb,
  organizationId: string,
  projectId: string,
  month: string,
): Promise<boolean> {
  await db.projectAi.upsert({
    where: { organizationId_projectId: { organizationId, projectId } },
    create: { organizationId, projectId },
    update: {},
  });
  const r = await db.projectAi.updateMany({
    where: { organizationId, projectId, OR: [{ budgetAlertedIn: null }, { budgetAlertedIn: { not: month } }] },
    data: { budgetAlertedIn: month },
  });
  return r.count === 1;
}

/** Stores (or, with null, clears) the organization's own provider key, already sealed by the caller. */
export async function setOrganizationAiKey(
  db: TDb,
  organizationId: string,
  key: { sealed: string; hint: string } | null,
): Promise<void> {
  const data = { sealedApiKey: key?.sealed ?? null, apiKeyHint: key?.hint ?? null };
  await db.organizationAi.upsert({ where: { organizationId }, create: { organizationId, ...data }, update: data });
}

/** Whether a key is set and its last characters, for the settings page. */
export async function getOrganizationAiKeyHint(
  db: TDb,
  organizationId: string,
): Promise<{ isSet: boolean; hint: string | null }> {
  const row = await db.organizationAi.findUnique({
    where: { organizationId },
    select: { apiKeyHint: true, sealedApiKey: true },
  });
  return { isSet: Boolean(row?.sealedApiKey), hint: row?.sealedApiKey ? row.apiKeyHint : null };
}

/** The sealed key, for the worker only (it unseals it for the provider call). */
export async function getSealedOrganizationAiKey(db: TDb, organizationId: string): Promise<string | null> {
  const row = await db.organizationAi.findUnique({ where: { organizationId }, select: { sealedApiKey: true } });
  return row?.sealedApiKey ?? null;
}

export interface TRecordAiUsageInput {
  projectId?: string | null;
  conversationId?: string | null;
  kind: 'completion' | 'embedding';
  model: string;
  promptTokens: number;
  completionTokens: number;
  costMicroUsd: number;
  /** 1 for a completion whose answer reached the visitor (the monthly reply budget counts these). */
  replies?: number;
}

/** Every provider call is metered here (completions by the worker, embeddings by the knowledge indexer). */
export async function recordAiUsage(db: TDb, organizationId: string, input: TRecordAiUsageInput): Promise<void> {
  const int = (n: number) => Math.max(0, Math.min(2_147_483_647, Math.round(n)));
  await db.aiUsage.create({
    data: {
      organizationId,
      projectId: input.projectId ?? null,
      conversationId: input.conversationId ?? null,
      kind: input.kind,
      model: input.model.slice(0, 100),
      promptTokens: int(input.promptTokens),
      completionTokens: int(input.completionTokens),
      costMicroUsd: int(input.costMicroUsd),
      replies: int(input.replies ?? 0),
    },
  });
}

export interface TAiUsageTotals {
  replies: number;
  tokens: number;
  promptTokens: number;
  completionTokens: number;
  costMicroUsd: number;
  calls: number;
}

/** Usage since `since` (the start of the month), of one project or (projectId null) the whole organization. */
export async function getAiUsageSince(
  db: TDb,
  organizationId: string,
  input: { projectId: string | null; since: Date },
): Promise<TAiUsageTotals> {
  const agg = await db.aiUsage.aggregate({
    where: {
      organizationId,
      createdAt: { gte: input.since },
      ...(input.projectId ? { projectId: input.projectId } : {}),
    },
    _sum: { replies: true, promptTokens: true, completionTokens: true, costMicroUsd: true },
    _count: { _all: true },
  });
  const promptTokens = agg._sum.promptTokens ?? 0;
  const completionTokens = agg._sum.completionTokens ?? 0;
  return {
    replies: agg._sum.replies ?? 0,
    tokens: promptTokens + completionTokens,
    promptTokens,
    completionTokens,
    costMicroUsd: agg._sum.costMicroUsd ?? 0,
    calls: agg._count._all,
  };
}

export type TAiReplyStatus = 'claimed' | 'answered' | 'handoff' | 'failed' | 'skipped';

/**
 * Claims one visitor message for the AI. Exactly one caller ever gets `true` for a (conversation, visitor seq): the
 * row is unique, so a second worker or a retried job finds it taken and answers nothing.
 */
export async function claimAiReply(
  db: TDb,
  organizationId: string,
  conversationId: string,
  visitorSeq: number,
): Promise<boolean> {
  try {
    await db.aiReply.create({ data: { organizationId, conversationId, visitorSeq } });
    return true;
  } catch (err) {
    if (isUniqueViolation(err)) return false;
    throw err;
  }
}

/**
 * Takes over a claim whose worker died before finishing (still `claimed` and untouched for `staleMs`). One caller
 * wins (a conditional update); a live worker keeps its claim fresh well within `staleMs`.
 */
export async function reclaimStaleAiReply(
  db: TDb,
  organizationId: string,
  conversationId: string,
  visitorSeq: number,
  staleMs: number,
): Promise<boolean> {
  const r = await db.aiReply.updateMany({
    where: {
      organizationId,
      conversationId,
      visitorSeq,
      status: 'claimed',
      updatedAt: { lt: new Date(Date.now() - staleMs) },
    },
    data: { detail: 'reclaimed after a stalled attempt' },
  });
  return r.count === 1;
}

export async function finishAiReply(
  db: TDb,
  organizationId: string,
  conversationId: string,
  visitorSeq: number,
  input: { status: Exclude<TAiReplyStatus, 'claimed'>; replySeq?: number | null; detail?: string | null },
): Promise<void> {
  await db.aiReply.updateMany({
    where: { organizationId, conversationId, visitorSeq },
    data: { status: input.status, replySeq: input.replySeq ?? null, detail: input.detail?.slice(0, 500) ?? null },
  });
}

export async function listAiReplies(
  db: TDb,
  organizationId: string,
  conversationId: string,
): Promise<{ visitorSeq: number; status: string; replySeq: number | null }[]> {
  return db.aiReply.findMany({
    where: { organizationId, conversationId },
    orderBy: { visitorSeq: 'asc' },
    select: { visitorSeq: true, status: true, replySeq: true },
  });
}

export interface TAiTurnState {
  projectId: string;
  status: 'open' | 'closed';
  aiState: 'off' | 'standby' | 'active';
  /** The newest public visitor message, if any. */
  lastVisitor: { seq: number; createdAt: Date } | null;
  /** Whether an operator wrote a public message after that visitor message. */
  humanSince: boolean;
}

/** What the AI timer checks when it fires: is there a visitor message waiting, and did a human answer since? */
export async function getAiTurnState(
  db: TDb,
  organizationId: string,
  conversationId: string,
): Promise<TAiTurnState | null> {
  const c = await db.conversation.findUnique({
    where: { organizationId_id: { organizationId, id: conversationId } },
    select: { projectId: true, status: true, aiState: true },
  });
  if (!c) return null;
  const lastVisitor = await db.message.findFirst({
    where: { organizationId, conversationId, sender: 'visitor', visibility: 'public', deletedAt: null },
    orderBy: { seq: 'desc' },
    select: { seq: true, createdAt: true },
  });
  const human = lastVisitor
    ? await db.message.findFirst({
        where: {
          organizationId,
          conversationId,
          sender: 'operator',
          visibility: 'public',
          seq: { gt: lastVisitor.seq },
        },
        select: { id: true },
      })
    : null;
  return { projectId: c.projectId, status: c.status, aiState: c.aiState, lastVisitor, humanSince: Boolean(human) };
}

/**
 * What the widget says under a conversation the AI stepped back from, for a widget that (re)connects: `handoff` when
 * the AI's last turn handed it to the team (and the AI is still off there), `failed` when the provider could not
 * answer; null once a person replied after it, or when the AI answered. The live `ai:stream` end states, re-read.
 */
export async function getWidgetAiNotice(
  db: TDb,
  organizationId: string,
  conversationId: string,
): Promise<'handoff' | 'failed' | null> {
  const last = await db.aiReply.findFirst({
    where: { organizationId, conversationId, status: { notIn: ['claimed', 'skipped'] } },
    orderBy: { visitorSeq: 'desc' },
    select: { status: true, visitorSeq: true, conversation: { select: { aiState: true } } },
  });
  if (!last || (last.status !== 'handoff' && last.status !== 'failed')) return null;
  if (last.status === 'handoff' && last.conversation.aiState !== 'off') return null;
  const human = await db.message.findFirst({
    where: { organizationId, conversationId, sender: 'operator', visibility: 'public', seq: { gt: last.visitorSeq } },
    select: { id: true },
  });
  return human ? null : last.status;
}

/** The conversation for the prompt, oldest first (the prompt builder keeps the newest and drops internal notes). */
export async function listAiHistory(
  db: TDb,
  organizationId: string,
  conversationId: string,
  limit = 40,
): Promise<{ seq: number; sender: 'visitor' | 'operator' | 'ai' | 'system'; body: string; internal: boolean }[]> {
  const rows = await db.message.findMany({
    where: { organizationId, conversationId, deletedAt: null },
    orderBy: { seq: 'desc' },
    take: limit,
    select: { seq: true, sender: true, body: true, visibility: true },
  });
  return rows
    .reverse()
    .map((r) => ({ seq: r.seq, sender: r.sender, body: r.body, internal: r.visibility === 'internal' }));
}

/** Turns AI answers off (a human wrote, a handoff) or back on for one conversation. Returns whether it changed. */
export async function setConversationAi(
  db: TDb,
  organizationId: string,
  conversationId: string,
  aiState: 'off' | 'standby' | 'active',
): Promise<boolean> {
  const r = await db.conversation.updateMany({
    where: { organizationId, id: conversationId, aiState: { not: aiState } },
    data: { aiState },
  });
  return r.count > 0;
}
