import type { TMessage } from '@pocketping/protocol';
import type { TFileUrlSigner } from '@pocketping/storage';

/** Fills each attachment's URL with a fresh signed, expiring link scoped to the message's conversation. */
export function signMessage(signer: TFileUrlSigner, organizationId: string, message: TMessage): TMessage {
  if (message.attachments.length === 0) return message;
  return {
    ...message,
    attachments: message.attachments.map((a) => ({
      ...a,
      url: signer.url({ organizationId, conversationId: message.conversationId, attachmentId: a.id }),
    })),
  };
}
