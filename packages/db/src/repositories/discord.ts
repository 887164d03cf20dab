import type { TDb } from '../client.js';

export interface TDiscordThreadOwner {
  organizationId: string;
  connectionId: string;
}

/**
 * The Discord gateway's tenant lookup: one bot connection serves every tenant, so a dispatch names no tenant.
 * A thread belongs to a connection only when all three match — the guild (connection.targetScope), the parent
 * channel (connection.targetId and the thread's externalChatId) and the thread id — never by thread id alone
 * (docs/design.md §9). Like resolveConnectionForWebhook, this is the one read without a tenant id on
 * that transport; everything after it is scoped by the organizationId it returns.
 */
export async function findDiscordThreadOwners(
  db: TDb,
  input: { guildId: string; channelId: string; threadId: string },
): Promise<TDiscordThreadOwner[]> {
  return db.bridgeThread.findMany({
    where: {
      externalChatId: input.channelId,
      externalThreadId: input.threadId,
      connection: {
        kind: 'discord',
        targetScope: input.guildId,
        targetId: input.channelId,
        status: { not: 'disabled' },
      },
    },
    select: { organizationId: true, connectionId: true },
  });
}

export interface TDiscordBackfillThread {
  organizationId: string;
  connectionId: string;
  guildId: string;
  channelId: string;
  threadId: string;
}

/**
 * System scan for the gateway after a fresh IDENTIFY (the process restarted, or Discord refused to resume): the
 * threads of open conversations, most recent first, so messages written while no session existed can be fetched.
 */
export async function listDiscordThreadsForBackfill(
  db: TDb,
  input: { since: Date; limit: number; guildIds?: readonly string[] | undefined },
): Promise<TDiscordBackfillThread[]> {
  const rows = await db.bridgeThread.findMany({
    where: {
      connection: {
        kind: 'discord',
        status: { not: 'disabled' },
        // One gateway shard's guilds (the connection's targetScope is its guild).
        ...(input.guildIds ? { targetScope: { in: [...input.guildIds] } } : {}),
      },
      conversation: {
        status: 'open',
        OR: [{ lastMessageAt: { gte: input.since } }, { createdAt: { gte: input.since } }],
      },
    },
    orderBy: { createdAt: 'desc' },
    take: input.limit,
    select: {
      organizationId: true,
      connectionId: true,
      externalChatId: true,
      externalThreadId: true,
      connection: { select: { targetScope: true } },
    },
  });
  return rows.flatMap((r) =>
    r.connection.targetScope
      ? [
          {
            organizationId: r.organizationId,
            connectionId: r.connectionId,
            guildId: r.connection.targetScope,
            channelId: r.externalChatId,
            threadId: r.externalThreadId,
          },
        ]
      : [],
  );
}
