'use client';

import { useRouter } from 'next/navigation';
import { useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { api } from '~/lib/api-client';

function newClientId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `web_${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/**
 * Reply (to the visitor and every connected chat app) or internal note (team only). One clientId per message: a
 * retry after a network error stores it once. Ctrl/⌘+Enter sends.
 */
export function Composer({
  orgId,
  projectId,
  conversationId,
  closed,
}: {
  orgId: string;
  projectId: string;
  conversationId: string;
  closed: boolean;
}) {
  const router = useRouter();
  const [body, setBody] = useState('');
  const [mode, setMode] = useState<'public' | 'internal'>('public');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const clientId = useRef<string>(newClientId());

  async function send(e?: FormEvent) {
    e?.preventDefault();
    if (!body.trim() || busy) return;
    setBusy(true);
    setError(null);
    try {
      await api(`/api/app/orgs/${orgId}/projects/${projectId}/conversations/${conversationId}/messages`, {
        body: { body, visibility: mode, clientId: clientId.current },
      });
      setBody('');
      clientId.current = newClientId();
      router.refresh();
    } catch (err) {
      setError(err instanceof Error ? err.message : 'Could not send');
    } finally {
      setBusy(false);
    }
  }

  function onKey(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (e.key === 'Enter' && (e.metaKey || e.ctrlKey)) void send();
  }

  return (
    <form className={`composer ${mode}`} onSubmit={(e) => void send(e)}>
      <div className="composer-tabs" role="tablist" aria-label="Message type">
        <button
          type="button"
          role="tab"
          aria-selected={mode === 'public'}
          className={mode === 'public' ? 'active' : ''}
          onClick={() => setMode('public')}
        >
          Reply
        </button>
        <button
          type="button"
          role="tab"
          aria-selected={mode === 'internal'}
          className={mode === 'internal' ? 'active' : ''}
          onClick={() => setMode('internal')}
        >
          Internal note
        </button>
      </div>
      <label className="sr-only" htmlFor="composer-body">
        {mode === 'public' ? 'Reply to the visitor' : 'Internal note for your team'}
      </label>
      <textarea
        id="composer-body"
        value={body}
        onChange={(e) => setBody(e.target.value)}
        onKeyDown={onKey}
        maxLength={4000}
        placeholder={
          mode === 'public'
            ? closed
              ? 'Reply (the conversation is closed; the visitor still sees it)…'
              : 'Reply to the visitor…'
            : 'Note for your team — never shown to the visitor'
        }
      />
      {error ? <p className="alert error">{error}</p> : null}
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <small className="muted">
          {mode === 'public'
            ? 'Sent to the widget and your chat apps.'
            : 'Visible to your team here and in your chat apps.'}{' '}
          Ctrl+Enter to send.
        </small>
        <button type="submit" className="btn" disabled={busy || !body.trim()}>
          {busy ? 'Sending…' : mode === 'public' ? 'Send reply' : 'Add note'}
        </button>
      </div>
    </form>
  );
}
