import type { Job } from 'bullmq';
import { getBridge } from '@pocketping/bridges';
import { listActiveThreadsOfConversation } from '@pocketping/db';
import { VISITOR_TYPING_EVERY_MS, ZVisitorTypingJob } from '@pocketping/jobs';
import { toBridgeTarget, type TWorkerContext } from '../context.js';

/**
 * visitor.typing — the visitor is writing: each active app that can show it (Telegram's chat action, Discord's
 * typing indicator; Slack has no such call for bots) shows "typing…" in the conversation's thread. Ephemeral and
 * best effort: a job that waited longer than one signal period is stale and dropped, failures are logged and
 * never retried, and nothing here counts toward a connection's health.
 */
export async function processVisitorTypingJob(
  ctx: TWorkerContext,
  job: Job,
): Promise<{ outcome: string; shown: number }> {
  const data = ZVisitorTypingJob.parse(job.data);
  if (Date.now() - job.timestamp > VISITOR_TYPING_EVERY_MS) return { outcome: 'stale', shown: 0 };
  const threads = await listActiveThreadsOfConversation(ctx.db, data.organizationId, data.conversationId);
  let shown = 0;
  await Promise.all(
    threads.map(async ({ thread, connection }) => {
      const bridge = getBridge(ctx.bridges, connection.kind);
      if (!bridge.showTyping) return;
      try {
        await bridge.showTyping(toBridgeTarget(ctx, connection), thread);
        shown += 1;
      } catch (err) {
        ctx.log.debug(
          {
            tenantId: data.organizationId,
            connectionId: connection.id,
            err: err instanceof Error ? err.message : String(err),
          },
          'typing signal failed',
        );
      }
    }),
  );
  return { outcome: shown > 0 ? 'shown' : 'nowhere to show', shown };
}
