import type { TAttachmentRef } from '@pocketping/protocol';
import { parseAck, pickUploadAck } from './parse-payloads.js';
import type { TTransportResult } from './parse-payloads.js';

export interface TUploadOptions {
  realtimeUrl: string;
  projectKey: string;
  visitorToken: string | null;
  file: Blob & { name?: string };
  onProgress: (fraction: number) => void;
}

export interface TUploadHandle {
  done: Promise<TTransportResult<{ attachment: TAttachmentRef }>>;
  abort(): void;
}

/**
 * `POST {realtimeUrl}/widget/uploads` (multipart, field `file`). XHR rather than fetch: only XHR reports upload
 * progress. The realtime service checks the project key, the visitor token and the Origin like the handshake.
 */
export function uploadFile({ realtimeUrl, projectKey, visitorToken, file, onProgress }: TUploadOptions): TUploadHandle {
  const xhr = new XMLHttpRequest();
  const done = new Promise<TTransportResult<{ attachment: TAttachmentRef }>>((resolve) => {
    const fail = (code: string, message: string) => resolve({ ok: false, error: { code, message } });
    xhr.open('POST', `${realtimeUrl}/widget/uploads`);
    xhr.setRequestHeader('x-project-key', projectKey);
    if (visitorToken) xhr.setRequestHeader('x-visitor-token', visitorToken);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // not JSON (a proxy's error page): reported below by status
      }
      if (body === null)
        fail(xhr.status === 413 ? 'payload_too_large' : 'bad_response', `Upload failed (HTTP ${xhr.status})`);
      else resolve(parseAck(body, pickUploadAck));
    };
    xhr.onerror = () => fail('network', 'Upload failed: network error');
    xhr.onabort = () => fail('aborted', 'Upload cancelled');
    const form = new FormData();
    form.append('file', file, file.name ?? 'file');
    xhr.send(form);
  });
  return { done, abort: () => xhr.abort() };
}
