// Which platform message a stored message became (inbound) or was posted as (outbound), per connection.
import type { TMessage } from '@pocketping/protocol';
import type { TDb } from '../client.js';
import { toMessageDto } from '../dto.js';
import { newId } from './ids.js';

/** Records one platform message of a multi-part delivery (text + files) without finishing the outbox row. */
export async function recordOutboundPart(
  db: TDb,
  organizationId: string,
  input: { messageId: string; connectionId: string; externalChatId: string; externalMessageId: string },
): Promise<void> {
  await db.$executeRaw`
    INSERT INTO "BridgeMessage" (id, "organizationId", "messageId", "connectionId", direction, "externalChatId", "externalMessageId")
    VALUES (${newId()}, ${organizationId}, ${input.messageId}, ${input.connectionId}, 'outbound', ${input.externalChatId}, ${input.externalMessageId})
    ON CONFLICT DO NOTHING`;
}

/** The platform copies of a message on one connection (outbound), oldest first: edits/deletes target them. */
export async function listMessageMappings(
  db: TDb,
  organizationId: string,
  input: { messageId: string; connectionId: string },
): Promise<{ externalChatId: string; externalMessageId: string; direction: 'inbound' | 'outbound' }[]> {
  return db.bridgeMessage.findMany({
    where: { organizationId, messageId: input.messageId, connectionId: input.connectionId },
    orderBy: { createdAt: 'asc' },
    select: { externalChatId: true, externalMessageId: true, direction: true },
  });
}

/** The stored message a platform message became (inbound) or was posted as (outbound), on one connection. */
export async function findMessageByExternalId(
  db: TDb,
  organizationId: string,
  input: { connectionId: string; externalChatId: string; externalMessageId: string },
): Promise<{ message: TMessage; direction: 'inbound' | 'outbound'; visibility: 'public' | 'internal' } | null> {
  const bm = await db.bridgeMessage.findUnique({
    where: { organizationId_connectionId_externalChatId_externalMessageId: { organizationId, ...input } },
    include: { message: true },
  });
  if (!bm) return null;
  return { message: toMessageDto(bm.message), direction: bm.direction, visibility: bm.message.visibility };
}
