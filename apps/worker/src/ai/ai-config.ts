import { ZAiSettings, type TAiSettings, type TKnowledgeSnippet } from '@pocketping/ai';
import { getProjectAiRow, type TDb } from '@pocketping/db';
import { isWithinOfficeHours, type TProjectSettings } from '@pocketping/protocol';

/**
 * The owner's knowledge, retrieved for one question (best first). A port: the knowledge engine plugs in here; the
 * default finds nothing, and the model then says it does not know and offers a person.
 */
export type TRetrieveKnowledge = (input: {
  organizationId: string;
  projectId: string;
  question: string;
  limit: number;
}) => Promise<TKnowledgeSnippet[]>;

/** The plan's monthly AI allowance of an organization (null = the plan sets no limit; the project budget still does). */
export type TAiAllowance = (organizationId: string) => Promise<{ maxReplies: number | null; maxTokens: number | null }>;

export const noKnowledge: TRetrieveKnowledge = () => Promise.resolve([]);
export const unlimitedAllowance: TAiAllowance = () => Promise.resolve({ maxReplies: null, maxTokens: null });

/** The worker's AI fallback configuration (apps/worker/src/env.ts, ports wired by the runtime). */
export interface TAiConfig {
  /** OPENAI_BASE_URL: OpenAI or a compatible server. */
  baseURL: string;
  /** OPENAI_API_KEY: the platform key; an organization's own key wins. Without either the AI stays silent. */
  apiKey: string | null;
  /** OPENAI_MODEL: the model of a project whose settings name none. */
  defaultModel: string;
  /** At most one partial-text push to the widget per this many ms. */
  streamThrottleMs: number;
  /** Per provider request. */
  requestTimeoutMs: number;
  /** Provider attempts per answer (429/5xx/network), with backoff between them. */
  attempts: number;
  retrieveKnowledge: TRetrieveKnowledge;
  aiAllowance: TAiAllowance;
}

export const DEFAULT_AI_CONFIG: Omit<TAiConfig, 'baseURL' | 'apiKey'> = {
  defaultModel: 'gpt-4o-mini',
  streamThrottleMs: 50,
  requestTimeoutMs: 30_000,
  attempts: 3,
  retrieveKnowledge: noKnowledge,
  aiAllowance: unlimitedAllowance,
};

/**
 * A project's AI settings as stored, completed with the defaults (the model from OPENAI_MODEL when the owner chose
 * none). Stored settings that no longer validate (an older shape) count as "AI off" rather than guessing.
 */
export async function loadAiSettings(
  db: TDb,
  organizationId: string,
  projectId: string,
  defaultModel: string,
): Promise<TAiSettings> {
  const row = await getProjectAiRow(db, organizationId, projectId);
  const raw = row?.settings && typeof row.settings === 'object' ? (row.settings as Record<string, unknown>) : {};
  const parsed = ZAiSettings.safeParse({ model: defaultModel, ...raw });
  return parsed.success ? parsed.data : ZAiSettings.parse({ model: defaultModel, enabled: false });
}

/** How long a visitor message written at `at` waits for a human: the takeover delay, or 0 outside office hours. */
export function takeoverDelayMs(
  settings: Pick<TAiSettings, 'takeoverDelaySeconds' | 'answerAtOnceOutsideOfficeHours'>,
  projectSettings: Pick<TProjectSettings, 'officeHours'> | null,
  at: Date,
): number {
  if (
    settings.answerAtOnceOutsideOfficeHours &&
    projectSettings?.officeHours &&
    !isWithinOfficeHours(projectSettings.officeHours, at)
  )
    return 0;
  return settings.takeoverDelaySeconds * 1000;
}
