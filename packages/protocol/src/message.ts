import { z } from 'zod';
import { LIMITS } from './limits.js';

export const ZSenderKind = z.enum(['visitor', 'operator', 'ai', 'system']);
export type TSenderKind = z.infer<typeof ZSenderKind>;

export const ZAttachmentRef = z.object({
  id: z.string(),
  name: z.string(),
  contentType: z.string(),
  size: z.number().int().nonnegative(),
  /** Signed, expiring URL scoped to the conversation; null when not yet available. */
  url: z.string().nullable(),
});
export type TAttachmentRef = z.infer<typeof ZAttachmentRef>;

/** A message as every client sees it. `seq` orders a conversation and drives gap-free resume. */
export const ZMessage = z.object({
  id: z.string(),
  conversationId: z.string(),
  seq: z.number().int().positive(),
  clientId: z.string().nullable(),
  sender: ZSenderKind,
  authorName: z.string().nullable(),
  body: z.string(),
  source: z.string(),
  createdAt: z.string(),
  editedAt: z.string().nullable(),
  deletedAt: z.string().nullable(),
  attachments: z.array(ZAttachmentRef).default([]),
});
export type TMessage = z.infer<typeof ZMessage>;

export const ZMessageBody = z
  .string()
  .transform((s) => s.replace(/\r\n/g, '\n').trim())
  .pipe(
    z
      .string()
      .min(1, 'message is empty')
      .max(LIMITS.messageBodyMax, `message is longer than ${LIMITS.messageBodyMax} characters`),
  );

/** Same normalisation as ZMessageBody but may be empty (a message that only carries attachments). */
export const ZMessageBodyOrEmpty = z
  .string()
  .transform((s) => s.replace(/\r\n/g, '\n').trim())
  .pipe(z.string().max(LIMITS.messageBodyMax, `message is longer than ${LIMITS.messageBodyMax} characters`));

export const ZClientId = z
  .string()
  .min(8)
  .max(LIMITS.clientIdMax)
  .regex(/^[A-Za-z0-9_-]+$/, 'clientId must be URL-safe');
