'use client';

import { useRef, useState, type ClipboardEvent, type ReactNode } from 'react';
import { formatSize } from '~/lib/format-size';
import { UPLOAD_LIMITS } from '@pocketping/protocol';

export interface TPendingFile {
  /** Set once uploaded; until then the file is on its way. */
  id: string | null;
  key: string;
  name: string;
  size: number;
  /** A local preview of an image (object URL), never sent anywhere. */
  preview: string | null;
  error: string | null;
}

const PASTED_NAMES: Record<string, string> = {
  'image/png': 'pasted-image.png',
  'image/jpeg': 'pasted-image.jpg',
  'image/gif': 'pasted-image.gif',
  'image/webp': 'pasted-image.webp',
};

/**
 * Files of the reply being written: chosen with "Attach" or pasted (an image from the clipboard). Each is uploaded at
 * once to the conversation (`…/attachments`, the same checks, storage and quota as a visitor's file) and sent with the
 * reply by id. A file refused by the server stays listed with the reason until removed.
 */
export function useReplyAttachments(uploadPath: string) {
  const [files, setFiles] = useState<TPendingFile[]>([]);
  const input = useRef<HTMLInputElement>(null);
  const seq = useRef(0);

  const update = (key: string, patch: Partial<TPendingFile>) =>
    setFiles((fs) => fs.map((f) => (f.key === key ? { ...f, ...patch } : f)));

  async function upload(file: File, name: string) {
    const key = `f${++seq.current}`;
    const preview = file.type.startsWith('image/') ? URL.createObjectURL(file) : null;
    setFiles((fs) => [...fs, { id: null, key, name, size: file.size, preview, error: null }]);
    if (file.size > UPLOAD_LIMITS.maxBytes) {
      update(key, { error: `Too large: files are limited to ${formatSize(UPLOAD_LIMITS.maxBytes)}.` });
      return;
    }
    try {
      const res = await fetch(`${uploadPath}?name=${encodeURIComponent(name)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        body: file,
        credentials: 'same-origin',
      });
      const json = (await res.json().catch(() => null)) as {
        attachment?: { id: string };
        error?: { message?: string };
      } | null;
      if (!res.ok || !json?.attachment) throw new Error(json?.error?.message ?? `Upload failed (${res.status}).`);
      update(key, { id: json.attachment.id });
    } catch (err) {
      update(key, { error: err instanceof Error ? err.message : 'Upload failed.' });
    }
  }

  function add(list: FileList | File[]) {
    const room = UPLOAD_LIMITS.perMessageMax - files.length;
    for (const f of Array.from(list).slice(0, Math.max(0, room)))
      void upload(f, f.name || PASTED_NAMES[f.type] || 'file');
  }

  function remove(key: string) {
    setFiles((fs) => {
      const f = fs.find((x) => x.key === key);
      if (f?.preview) URL.revokeObjectURL(f.preview);
      return fs.filter((x) => x.key !== key);
    });
  }

  function clear() {
    for (const f of files) if (f.preview) URL.revokeObjectURL(f.preview);
    setFiles([]);
  }

  /** A pasted image becomes an attachment; pasted text stays text. */
  function onPaste(e: ClipboardEvent<HTMLTextAreaElement>) {
    const pasted = Array.from(e.clipboardData.files);
    if (pasted.length === 0) return;
    e.preventDefault();
    add(pasted);
  }

  const uploading = files.some((f) => f.id === null && f.error === null);
  const ready = files.filter((f) => f.id !== null).map((f) => f.id as string);
  const failed = files.some((f) => f.error !== null);

  const button: ReactNode = (
    <>
      <input
        ref={input}
        id="composer-file"
        type="file"
        multiple
        className="sr-only"
        tabIndex={-1}
        aria-hidden="true"
        onChange={(e) => {
          if (e.target.files) add(e.target.files);
          e.target.value = '';
        }}
      />
      <button
        type="button"
        className="btn secondary composer-tool"
        title="Attach files (or paste an image)"
        disabled={files.length >= UPLOAD_LIMITS.perMessageMax}
        onClick={() => input.current?.click()}
      >
        <span aria-hidden="true">📎</span> Attach
      </button>
    </>
  );

  const list: ReactNode =
    files.length > 0 ? (
      <ul className="composer-files" aria-label="Attached files">
        {files.map((f) => (
          <li
            key={f.key}
            data-testid="composer-file"
            data-state={f.error ? 'error' : f.id ? 'ready' : 'uploading'}
            className={f.error ? 'error' : undefined}
          >
            {f.preview ? <img src={f.preview} alt="" /> : <span aria-hidden="true">📄</span>}
            <span className="name">{f.name}</span>{' '}
            <span className="muted">
              {f.error ? <span role="alert">{f.error}</span> : f.id ? formatSize(f.size) : 'uploading…'}
            </span>
            <button type="button" className="btn-link" aria-label={`Remove ${f.name}`} onClick={() => remove(f.key)}>
              ✕
            </button>
          </li>
        ))}
      </ul>
    ) : null;

  return { button, list, onPaste, clear, uploading, failed, ids: ready, count: files.length };
}
