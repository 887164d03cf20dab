import type { TBridge, TBridgeTarget, TThreadRef } from '@pocketping/bridges';
import type { TConnection } from '@pocketping/db';
import type { TMessage } from '@pocketping/protocol';
import type { TFileUrlSigner } from '@pocketping/storage';
import type { TWorkerContext } from '../context.js';

/** A job that will succeed later with nothing wrong now: retried with the usual backoff, logged quietly. */
export class RetryLaterError extends Error {
  override readonly name = 'RetryLaterError';
}

/** Everything a step of inbound processing needs about where the event came from. */
export interface TInboundScope {
  organizationId: string;
  connection: TConnection;
  bridge: TBridge;
  target: TBridgeTarget;
  thread: TThreadRef;
  conversationId: string;
  log: TWorkerContext['log'];
}

/** Attachment URLs in a pushed message are signed for the message's conversation (as realtime does for history). */
export function signMessageFiles(signer: TFileUrlSigner | null, organizationId: string, message: TMessage): TMessage {
  if (!signer || message.attachments.length === 0) return message;
  return {
    ...message,
    attachments: message.attachments.map((a) => ({
      ...a,
      url: signer.url({ organizationId, conversationId: message.conversationId, attachmentId: a.id }),
    })),
  };
}
