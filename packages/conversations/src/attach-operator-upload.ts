import { conversationExists, createAttachmentWithinQuota, type TAttachment } from '@pocketping/db';
import { AppError } from '@pocketping/core';
import type { TAttachVisitorUploadInput } from './attach-visitor-upload.js';
import type { TConversationPorts } from './ports.js';

/** The stored file, as for a visitor's upload, and the conversation (of that project) it waits in. */
export interface TAttachOperatorUploadInput extends TAttachVisitorUploadInput {
  conversationId: string;
  projectId: string;
}

/**
 * A file a team member attached in the dashboard's reply box becomes a pending operator attachment of the
 * conversation, within the organization's storage quota — the same rule as a visitor's upload
 * (`attachVisitorUpload`) and a file posted in a chat app. Null when the quota is full: the caller deletes the bytes.
 * The reply that names it links it (`postOperatorMessage`); unsent, the orphan sweep removes it.
 */
export async function attachOperatorUpload(
  ports: Pick<TConversationPorts, 'db'>,
  organizationId: string,
  input: TAttachOperatorUploadInput,
): Promise<TAttachment | null> {
  const { quotaBytes, projectId, ...file } = input;
  if (!(await conversationExists(ports.db, { organizationId, projectId }, file.conversationId)))
    throw new AppError('not_found', 'Conversation not found.');
  return createAttachmentWithinQuota(ports.db, organizationId, { uploadedBy: 'operator', ...file }, quotaBytes);
}
