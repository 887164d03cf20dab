'use client';

import { useEffect, useState, type FormEvent } from 'react';
import { useRouter } from 'next/navigation';
import type { TKnowledgeSource } from '@pocketping/db';
import { api, ApiError } from '~/lib/api-client';
import { DateTime } from '~/components/date-time';
import { useConfirm } from '~/components/confirm-dialog';

type TKind = 'site' | 'sitemap' | 'faq' | 'text' | 'file';

const KIND_LABELS: Record<TKind, string> = {
  site: 'Website',
  sitemap: 'Sitemap',
  faq: 'FAQ entry',
  text: 'Text',
  file: 'File',
};

const ADD_LABELS: Record<TKind, string> = {
  site: 'Add website',
  sitemap: 'Add sitemap',
  faq: 'Add FAQ entry',
  text: 'Add text',
  file: 'Upload file',
};

const STATUS_BADGE: Record<TKnowledgeSource['status'], string> = {
  pending: 'badge warn',
  indexing: 'badge warn',
  ready: 'badge ok',
  failed: 'badge bad',
};

/** Largest file the API takes (the server checks it too, counting bytes as they arrive). */
const FILE_MAX_BYTES = 2 * 1024 * 1024;

function AddSource({ orgId, projectId }: { orgId: string; projectId: string }) {
  const router = useRouter();
  const [kind, setKind] = useState<TKind>('site');
  const [url, setUrl] = useState('');
  const [title, setTitle] = useState('');
  const [content, setContent] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const base = `/api/app/orgs/${orgId}/projects/${projectId}/knowledge`;

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      if (kind === 'file') {
        if (!file) throw new ApiError(400, 'bad_request', 'Choose a file first.');
        if (file.size > FILE_MAX_BYTES) throw new ApiError(413, 'payload_too_large', 'Files can be up to 2 MB.');
        const res = await fetch(`${base}/files?name=${encodeURIComponent(file.name)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/octet-stream' },
          body: file,
          credentials: 'same-origin',
        });
        if (!res.ok) {
          const json = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
          throw new ApiError(res.status, 'http_error', json?.error?.message ?? `Upload failed (${res.status})`);
        }
      } else {
        const body =
          kind === 'site' || kind === 'sitemap'
            ? { kind, url }
            : kind === 'faq'
              ? { kind, question: title, answer: content }
              : { kind, title, content };
        await api(base, { body });
      }
      setDone(kind === 'site' || kind === 'sitemap' ? 'Added: crawling starts in a moment.' : 'Added: indexing now.');
      setUrl('');
      setTitle('');
      setContent('');
      setFile(null);
      router.refresh();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Could not add it. Try again.');
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card stack" aria-labelledby="add-knowledge">
      <h2 id="add-knowledge" style={{ marginTop: 0, fontSize: '1.1rem' }}>
        Add knowledge
      </h2>
      <div className="knowledge-kinds" role="group" aria-label="Kind of source">
        {(Object.keys(KIND_LABELS) as TKind[]).map((k) => (
          <button
            key={k}
            type="button"
            className="btn secondary"
            aria-pressed={kind === k}
            onClick={() => {
              setKind(k);
              setError(null);
            }}
          >
            {KIND_LABELS[k]}
          </button>
        ))}
      </div>
      <form className="stack" onSubmit={(e) => void submit(e)} aria-label={`Add ${KIND_LABELS[kind]}`}>
        {kind === 'site' || kind === 'sitemap' ? (
          <label className="field">
            <span>{kind === 'site' ? 'Start URL (pages of this site it links to are crawled)' : 'Sitemap URL'}</span>
            <input
              type="url"
              required
              maxLength={2048}
              value={url}
              onChange={(e) => setUrl(e.target.value)}
              placeholder={kind === 'site' ? 'https://help.example.com/' : 'https://example.com/sitemap.xml'}
            />
          </label>
        ) : null}
        {kind === 'faq' || kind === 'text' ? (
          <>
            <label className="field">
              <span>{kind === 'faq' ? 'Question' : 'Title'}</span>
              <input
                type="text"
                required
                maxLength={kind === 'faq' ? 500 : 200}
                value={title}
                onChange={(e) => setTitle(e.target.value)}
              />
            </label>
            <label className="field">
              <span>{kind === 'faq' ? 'Answer' : 'Text (Markdown headings split it into sections)'}</span>
              <textarea
                required
                rows={kind === 'faq' ? 4 : 10}
                maxLength={kind === 'faq' ? 10_000 : 50_000}
                value={content}
                onChange={(e) => setContent(e.target.value)}
              />
            </label>
          </>
        ) : null}
        {kind === 'file' ? (
          <label className="field">
            <span>File (.txt, .md, .html, .pdf — up to 2 MB)</span>
            <input
              type="file"
              accept=".txt,.md,.markdown,.html,.htm,.pdf,text/plain,text/markdown,text/html,application/pdf"
              onChange={(e) => setFile(e.target.files?.[0] ?? null)}
            />
          </label>
        ) : null}
        <div className="row">
          <button type="submit" className="btn" disabled={busy}>
            {busy ? 'Adding…' : ADD_LABELS[kind]}
          </button>
        </div>
      </form>
      {error ? (
        <p className="alert error" role="alert">
          {error}
        </p>
      ) : null}
      {done ? (
        <p className="alert success" role="status">
          {done}
        </p>
      ) : null}
    </section>
  );
}

function SourceActions({ orgId, projectId, source }: { orgId: string; projectId: string; source: TKnowledgeSource }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [dialog, confirm] = useConfirm();
  const base = `/api/app/orgs/${orgId}/projects/${projectId}/knowledge/${source.id}`;
  async function run(action: 'reindex' | 'delete') {
    if (
      action === 'delete' &&
      !(await confirm({
        title: 'Delete this source?',
        body: (
          <p style={{ margin: 0 }}>
            <strong>{source.title}</strong> is removed: the assistant stops answering from it.
          </p>
        ),
        confirmLabel: 'Delete source',
        destructive: true,
      }))
    )
      return;
    setBusy(true);
    setError(null);
    try {
      await api(action === 'delete' ? base : `${base}/reindex`, {
        method: action === 'delete' ? 'DELETE' : 'POST',
        body: {},
      });
      router.refresh();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'That did not work. Try again.');
    } finally {
      setBusy(false);
    }
  }
  return (
    <span className="row">
      {dialog}
      <button type="button" className="btn secondary" disabled={busy} onClick={() => void run('reindex')}>
        {source.kind === 'site' || source.kind === 'sitemap' ? 'Re-crawl' : 'Re-index'}
      </button>
      <button type="button" className="btn danger-outline" disabled={busy} onClick={() => void run('delete')}>
        Delete
      </button>
      {error ? (
        <span className="alert error" role="alert">
          {error}
        </span>
      ) : null}
    </span>
  );
}

export function KnowledgeManager({
  orgId,
  projectId,
  sources,
  canEdit,
}: {
  orgId: string;
  projectId: string;
  sources: TKnowledgeSource[];
  canEdit: boolean;
}) {
  const router = useRouter();
  const working = sources.some((s) => s.status === 'pending' || s.status === 'indexing');
  // While something is being crawled or indexed, the list re-reads itself.
  useEffect(() => {
    if (!working) return;
    const t = setInterval(() => router.refresh(), 2000);
    return () => clearInterval(t);
  }, [working, router]);

  return (
    <div className="stack">
      {canEdit ? (
        <AddSource orgId={orgId} projectId={projectId} />
      ) : (
        <p className="alert info">Only admins and owners can change the knowledge. You can try it in the Playground.</p>
      )}
      <section className="card" aria-labelledby="sources-title">
        <h2 id="sources-title" style={{ marginTop: 0, fontSize: '1.1rem' }}>
          Sources
        </h2>
        {sources.length === 0 ? (
          <p className="muted">Nothing yet: without knowledge the assistant can only offer to bring in your team.</p>
        ) : (
          <div style={{ overflowX: 'auto' }}>
            <table className="list stacked" data-testid="knowledge-sources">
              <thead>
                <tr>
                  <th>Source</th>
                  <th>Kind</th>
                  <th>Status</th>
                  <th>Pages</th>
                  <th>Passages</th>
                  <th>Last indexed</th>
                  {canEdit ? (
                    <th>
                      <span className="sr-only">Actions</span>
                    </th>
                  ) : null}
                </tr>
              </thead>
              <tbody>
                {sources.map((s) => (
                  <tr key={s.id} data-source-id={s.id}>
                    <td>
                      <div>{s.title}</div>
                      {s.url ? <div className="muted">{s.url}</div> : null}
                      {s.error ? (
                        <div className="alert error" role="note">
                          {s.error}
                        </div>
                      ) : null}
                      {s.warnings.length > 0 ? (
                        <details className="knowledge-warnings">
                          <summary>
                            {s.warnings.length} page{s.warnings.length === 1 ? '' : 's'} skipped or refused
                          </summary>
                          <ul>
                            {s.warnings.map((w, i) => (
                              <li key={i}>{w}</li>
                            ))}
                          </ul>
                        </details>
                      ) : null}
                    </td>
                    <td data-label="Kind">{KIND_LABELS[s.kind]}</td>
                    <td data-label="Status">
                      <span className={STATUS_BADGE[s.status]} data-testid="source-status">
                        {s.status}
                      </span>
                    </td>
                    <td data-label="Pages">{s.pageCount}</td>
                    <td data-label="Passages">{s.chunkCount}</td>
                    <td data-label="Last indexed">
                      {s.lastIndexedAt ? <DateTime value={s.lastIndexedAt} /> : <span className="muted">—</span>}
                    </td>
                    {canEdit ? (
                      <td className="actions">
                        <SourceActions orgId={orgId} projectId={projectId} source={s} />
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
