import { conversationExists, createAttachmentWithinQuota, type TAttachment } from '@pocketping/db';
import { AppError } from '@pocketping/core';
import type { TConversationPorts } from './ports.js';

export interface TAttachOperatorUploadInput {
  conversationId: string;
  projectId: string;
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
