import type { TBridge, TBridgeTarget, TOutgoingFile, TOutgoingMessage, TThreadRef } from '@pocketping/bridges';
import { listMessageAttachments, listMessageMappings, recordOutboundPart, type TPendingOutboxRow } from '@pocketping/db';
import type { TWorkerContext } from '../context.js';

/**
 * A message with files is several platform posts: its text (if any), then one upload per file. Each post is
 * recorded (BridgeMessage) right after the call, and a retry skips as many steps as are recorded, so every part
 * keeps the same exactly-once window as a plain message. The caller marks the outbox row done afterwards.
 */
export async function deliverWithAttachments(
  ctx: TWorkerContext,
  input: {
    organizationId: string;
    connectionId: string;
    bridge: TBridge;
    target: TBridgeTarget;
    row: TPendingOutboxRow;
    message: TOutgoingMessage;
    withThread: <T>(fn: (thread: TThreadRef) => Promise<T>) => Promise<{ sent: T; thread: TThreadRef }>;
    beforeCall: () => Promise<void>;
  },
): Promise<void> {
  const { organizationId, connectionId, bridge, target, row, message } = input;
  const messageId = row.messageId ?? '';
  const files = await listMessageAttachments(ctx.db, organizationId, messageId);
  type TPosted = { sent: { externalMessageId: string }; thread: TThreadRef };
  const steps: (() => Promise<TPosted>)[] = [];
  const hasText = message.body.trim().length > 0;
  const fileList = files.map((f) => `📎 ${f.name} (${formatSize(f.size)})`).join('\n');
  if (hasText || !bridge.sendAttachment) {
    // Without file uploads on this platform the text says which files came with the message.
    const body = bridge.sendAttachment ? message.body : [message.body, fileList].filter(Boolean).join('\n');
    steps.push(() => input.withThread((t) => bridge.send(target, t, { ...message, body })));
  }
  if (bridge.sendAttachment) {
    const sendAttachment = bridge.sendAttachment.bind(bridge);
    for (const f of files) {
      steps.push(async () => {
        const file = await loadFile(ctx, f);
        if (!file) return input.withThread((t) => bridge.send(target, t, { ...message, body: `📎 ${f.name} (${formatSize(f.size)}) — the file is no longer available` }));
        // The caption carries the sender label only: the text (if any) went out as its own post just before.
        return input.withThread((t) => sendAttachment(target, t, file, { ...message, body: '' }));
      });
    }
  }
  const already = (await listMessageMappings(ctx.db, organizationId, { messageId, connectionId })).filter((m) => m.direction === 'outbound').length;
  for (const step of steps.slice(already)) {
    await input.beforeCall();
    const { sent, thread } = await step();
    await recordOutboundPart(ctx.db, organizationId, { messageId, connectionId, externalChatId: thread.externalChatId, externalMessageId: sent.externalMessageId });
  }
}

async function loadFile(ctx: TWorkerContext, f: { name: string; contentType: string; size: number; storageKey: string }): Promise<TOutgoingFile | null> {
  if (!ctx.storage || f.size > ctx.maxAttachmentBytes) return null;
  const obj = await ctx.storage.get(f.storageKey);
  if (!obj) return null;
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of obj.body as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > ctx.maxAttachmentBytes) {
      obj.body.destroy();
      return null;
    }
    chunks.push(chunk);
  }
  return { name: f.name, contentType: f.contentType, size: total, data: Buffer.concat(chunks, total) };
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
