import {
  isBridgeError,
  type TBridge,
  type TBridgeTarget,
  type TOutgoingFile,
  type TOutgoingMessage,
  type TThreadRef,
} from '@pocketping/bridges';
import {
  listMessageAttachments,
  listMessageMappings,
  recordOutboundPart,
  type TPendingOutboxRow,
} from '@pocketping/db';
import type { TWorkerContext } from '../context.js';

/**
 * A message with files is several platform posts: its text (if any), then one upload per file. Each post is
 * recorded (BridgeMessage) right after the call, and a retry skips as many steps as are recorded, so every part
 * keeps the same exactly-once window as a plain message. The caller marks the outbox row done afterwards.
 *
 * Where the platform can be asked afterwards (Slack), each part is named in the pair's "posting" marker before its
 * call (`<outbox id>#<part>`, and for an upload the file id once the platform gave it), so the drain after a crash
 * looks for the interrupted part — the text by findPost, the file by findUpload — and records it instead of posting
 * it twice.
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
    /** The pair's key for the "posting" marker. */
    pairKey: string;
  },
): Promise<void> {
  const { organizationId, connectionId, bridge, target, row, message } = input;
  const messageId = row.messageId ?? '';
  const files = await listMessageAttachments(ctx.db, organizationId, messageId);
  type TPosted = { sent: { externalMessageId: string }; thread: TThreadRef };
  /** One post of the message; `find` looks for it after a crash (null: this platform cannot be asked). */
  type TStep = {
    post: (partId: string) => Promise<TPosted>;
    find: ((partId: string) => Promise<TPosted | null>) | null;
  };
  const steps: TStep[] = [];
  const { lock } = ctx;
  const pairKey = input.pairKey;
  const findPost = bridge.findPost?.bind(bridge);
  const findUpload = bridge.findUpload?.bind(bridge);
  const asked = <T>(what: string, fn: () => Promise<T | null>): Promise<T | null> =>
    fn().catch((err: unknown) => {
      // Busy or down: retry later (the marker stays). A refusal (missing scope…) must not stop delivery: post.
      if (isBridgeError(err) && (err.kind === 'rate_limited' || err.kind === 'transient')) throw err;
      ctx.log.warn(
        { bridge: bridge.kind, err: err instanceof Error ? err.message : String(err) },
        `could not look for the ${what} of an interrupted delivery; posting`,
      );
      return null;
    });
  const textStep = (body: string): TStep => ({
    post: async (partId) => {
      if (findPost) await lock.markPosting(pairKey, partId);
      return input.withThread((t) => bridge.send(target, t, { ...message, body }));
    },
    find: findPost
      ? async (partId) => {
          const since = await lock.postingSince(pairKey, partId);
          if (since === null) return null;
          return asked('post', async () => {
            const r = await input.withThread((t) => findPost(target, t, { ...message, body }, since));
            return r.sent ? { sent: r.sent, thread: r.thread } : null;
          });
        }
      : null,
  });
  const hasText = message.body.trim().length > 0;
  const fileList = files.map((f) => `📎 ${f.name} (${formatSize(f.size)})`).join('\n');
  if (hasText || !bridge.sendAttachment) {
    // Without file uploads on this platform the text says which files came with the message.
    steps.push(textStep(bridge.sendAttachment ? message.body : [message.body, fileList].filter(Boolean).join('\n')));
  }
  if (bridge.sendAttachment) {
    const sendAttachment = bridge.sendAttachment.bind(bridge);
    for (const f of files) {
      const missing = textStep(`📎 ${f.name} (${formatSize(f.size)}) — the file is no longer available`);
      steps.push({
        post: async (partId) => {
          const file = await loadFile(ctx, f);
          if (!file) return missing.post(partId);
          if (findUpload) await lock.markPosting(pairKey, partId);
          const hooks = findUpload ? { onPending: (ref: string) => lock.markPosting(pairKey, partId, ref) } : {};
          // The caption carries the sender label only: the text (if any) went out as its own post just before.
          return input.withThread((t) => sendAttachment(target, t, file, { ...message, body: '' }, hooks));
        },
        find: findUpload
          ? async (partId) => {
              const mark = await lock.postingMark(pairKey, partId);
              // No file id: the crash came before Slack issued one, so nothing was shared. (Were the file's bytes gone,
              // its note cannot be told from the message's text post, which carries the same id: posted again.)
              if (!mark?.ref) return null;
              const ref = mark.ref;
              return asked('upload', async () => {
                const r = await input.withThread((t) => findUpload(target, t, ref));
                return r.sent ? { sent: r.sent, thread: r.thread } : null;
              });
            }
          : null,
      });
    }
  }
  const already = (await listMessageMappings(ctx.db, organizationId, { messageId, connectionId })).filter(
    (m) => m.direction === 'outbound',
  ).length;
  for (let k = already; k < steps.length; k++) {
    const step = steps[k] as TStep;
    const partId = `${row.id}#${k}`;
    await input.beforeCall();
    // Only the first part this drain posts can have been in flight when a worker died.
    const found = k === already && step.find ? await step.find(partId) : null;
    if (found)
      ctx.log.warn(
        { bridge: bridge.kind, outboxId: row.id, part: k },
        'found the post of an interrupted delivery; recorded instead of posting again',
      );
    const { sent, thread } = found ?? (await step.post(partId));
    await recordOutboundPart(ctx.db, organizationId, {
      messageId,
      connectionId,
      externalChatId: thread.externalChatId,
      externalMessageId: sent.externalMessageId,
    });
  }
}

async function loadFile(
  ctx: TWorkerContext,
  f: { name: string; contentType: string; size: number; storageKey: string },
): Promise<TOutgoingFile | null> {
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
