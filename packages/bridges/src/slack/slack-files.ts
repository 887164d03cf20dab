import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import { BridgeError } from '../bridge-error.js';
import type { TInboundFile, TOutgoingFile } from '../types.js';

type TCall = <T>(method: string, fn: () => Promise<T>, opts?: { threaded?: boolean }) => Promise<T>;

const UPLOAD_TIMEOUT_MS = 60_000;
const DOWNLOAD_TIMEOUT_MS = 30_000;

/**
 * One file into a thread the way Slack wants it since files.upload was retired: files.getUploadURLExternal
 * (name + exact length) → POST the bytes to the returned upload_url (pre-signed: no token goes there) →
 * files.completeUploadExternal shares it into the channel as a reply in the thread, with the caption as
 * initial_comment. Returns the file id: the share's message ts is not in the answer (Slack shares asynchronously),
 * and the id is what files.delete takes.
 */
export async function uploadSlackFile(input: {
  client: WebClient;
  call: TCall;
  channel: string;
  threadTs: string;
  file: TOutgoingFile;
  comment?: string;
  /** Told the file id before the share: a crash after it leaves an id that findSlackUpload can look up. */
  onPending?: (fileId: string) => Promise<void>;
}): Promise<string> {
  const { client, call, file } = input;
  const length = file.data.byteLength;
  const up = await call('files.getUploadURLExternal', () =>
    client.files.getUploadURLExternal({ filename: file.name, length }),
  );
  if (!up.upload_url || !up.file_id)
    throw new BridgeError({
      kind: 'transient',
      platform: 'slack',
      method: 'files.getUploadURLExternal',
      message: 'Slack answered without an upload URL',
    });
  await input.onPending?.(up.file_id);
  let res: Response;
  try {
    res = await fetch(up.upload_url, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(length) },
      // A copy in a plain ArrayBuffer: fetch's body types (DOM lib in apps/web) do not take a shared-buffer view.
      body: new Uint8Array(file.data).buffer,
      signal: AbortSignal.timeout(UPLOAD_TIMEOUT_MS),
    });
    await res.arrayBuffer();
  } catch (err) {
    throw new BridgeError({
      kind: 'transient',
      platform: 'slack',
      method: 'files.upload',
      message: `network error: ${err instanceof Error ? err.message : String(err)}`,
    });
  }
  if (!res.ok) {
    throw new BridgeError({
      kind: res.status >= 500 || res.status === 429 ? 'transient' : 'rejected',
      platform: 'slack',
      method: 'files.upload',
      platformCode: res.status,
      message: `upload failed (HTTP ${res.status})`,
    });
  }
  const done = await call(
    'files.completeUploadExternal',
    () =>
      client.files.completeUploadExternal({
        files: [{ id: up.file_id!, title: file.name }],
        channel_id: input.channel,
        thread_ts: input.threadTs,
        ...(input.comment ? { initial_comment: input.comment } : {}),
      }),
    { threaded: true },
  );
  return done.files?.[0]?.id ?? up.file_id;
}

const ZFileShares = z.object({
  file: z.object({
    id: z.string(),
    shares: z
      .object({
        public: z
          .record(z.string(), z.array(z.object({ ts: z.string(), thread_ts: z.string().optional() })))
          .optional(),
        private: z
          .record(z.string(), z.array(z.object({ ts: z.string(), thread_ts: z.string().optional() })))
          .optional(),
      })
      .optional(),
  }),
});

/**
 * Was this uploaded file shared into the thread (files.info → file.shares)? A file uploaded but never completed is
 * not shared (Slack discards it); a deleted or unknown file is not there either. Either way: upload again.
 */
export async function findSlackUpload(input: {
  client: WebClient;
  call: TCall;
  channel: string;
  threadTs: string;
  fileId: string;
}): Promise<boolean> {
  let res: unknown;
  try {
    res = await input.call('files.info', () => input.client.files.info({ file: input.fileId }));
  } catch (err) {
    if (err instanceof BridgeError && (err.platformCode === 'file_not_found' || err.platformCode === 'file_deleted'))
      return false;
    throw err;
  }
  const parsed = ZFileShares.safeParse(res);
  if (!parsed.success) return false;
  const shares = parsed.data.file.shares;
  const inChannel = [...(shares?.public?.[input.channel] ?? []), ...(shares?.private?.[input.channel] ?? [])];
  return inChannel.some((s) => s.thread_ts === input.threadTs);
}

/** Hosts that may receive the bot token with a file request: Slack's own file hosts, or the configured API host (tests, proxies). */
function isSlackFileUrl(url: URL, apiUrl: string): boolean {
  if (url.origin === new URL(apiUrl).origin) return true;
  return (
    url.protocol === 'https:' &&
    (url.hostname === 'files.slack.com' ||
      url.hostname.endsWith('.slack.com') ||
      url.hostname.endsWith('.slack-edge.com'))
  );
}

/**
 * Fetches an operator's file (url_private) with the bot token (needs files:read). Counted while streaming, so a
 * wrong or missing Content-Length cannot make us buffer more than `maxBytes`; the token is only ever sent to a
 * Slack host.
 */
export async function downloadSlackFile(input: {
  apiUrl: string;
  botToken: string;
  file: TInboundFile;
  maxBytes: number;
}): Promise<{ data: Uint8Array; name: string; contentType: string }> {
  const { file, maxBytes } = input;
  const rejected = (message: string, platformCode?: number) =>
    new BridgeError({
      kind: 'rejected',
      platform: 'slack',
      method: 'downloadFile',
      message,
      ...(platformCode !== undefined ? { platformCode } : {}),
    });
  const tooBig = () => rejected(`file "${file.name}" is larger than ${Math.round(maxBytes / 1024 / 1024)} MB`);
  if (file.size !== null && file.size > maxBytes) throw tooBig();
  let url: URL;
  try {
    url = new URL(file.ref);
  } catch {
    throw rejected('the file has no valid download URL');
  }
  if (!isSlackFileUrl(url, input.apiUrl)) throw rejected('the file is not hosted by Slack');
  let res: Response;
  try {
    res = await fetch(url, {
      headers: { authorization: `Bearer ${input.botToken}` },
      signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS),
    });
  } catch (err) {
    throw new BridgeError({
      kind: 'transient',
      platform: 'slack',
      method: 'downloadFile',
      message: `network error: ${err instanceof Error ? err.message : String(err)}`,
    });
  }
  if (!res.ok || !res.body) {
    if (res.status >= 500 || res.status === 429)
      throw new BridgeError({
        kind: 'transient',
        platform: 'slack',
        method: 'downloadFile',
        platformCode: res.status,
        message: `download failed (HTTP ${res.status})`,
      });
    throw rejected(`download failed (HTTP ${res.status})`, res.status);
  }
  // Without files:read Slack answers its sign-in page (HTML, 200) instead of the file.
  if ((res.headers.get('content-type') ?? '').startsWith('text/html') && file.contentType !== 'text/html') {
    await res.body.cancel();
    throw rejected('Slack did not hand the file over (the app may lack the files:read scope; reinstall it)');
  }
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body.cancel();
    throw tooBig();
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength;
    if (total > maxBytes) throw tooBig();
    chunks.push(chunk);
  }
  return { data: Buffer.concat(chunks, total), name: file.name, contentType: file.contentType };
}
