import { createAttachmentWithinQuota, type TAttachment } from '@pocketping/db';
import { findOrStartConversation } from './append-to-open-conversation.js';
import type { TVisitorPorts, TVisitorSession } from './visitor-ports.js';

export interface TAttachVisitorUploadInput {
  /** What the transport stored (bytes already in storage under `storageKey`, type sniffed, size counted). */
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  storageKey: string;
  /** The organization's storage quota (its plan's). */
  quotaBytes: number;
}

/**
 * A file the visitor uploaded becomes a pending attachment of their open conversation — opened here if there is none
 * yet, the same way a first message opens it (the plan's monthly quota included) — within the organization's
 * storage quota. Null when the quota is full: the caller deletes the bytes. The attachment joins a message when the
 * visitor sends one naming it (`postVisitorMessage`); unsent, the orphan sweep removes it.
 */
export async function attachVisitorUpload(
  ports: TVisitorPorts,
  session: TVisitorSession,
  input: TAttachVisitorUploadInput,
): Promise<{ conversationId: string; attachment: TAttachment } | null> {
  session.openConversationId ??= await findOrStartConversation(ports, session);
  const conversationId = session.openConversationId;
  const { quotaBytes, ...file } = input;
  const attachment = await createAttachmentWithinQuota(
    ports.db,
    session.organizationId,
    { conversationId, uploadedBy: 'visitor', ...file },
    quotaBytes,
  );
  return attachment ? { conversationId, attachment } : null;
}
