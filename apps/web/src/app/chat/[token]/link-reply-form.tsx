'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { api, ApiError } from '~/lib/api-client';

const LIMIT = 4_000;

/** The answer box of a reply email's page: posts as the visitor, then shows the thread again with the answer in it. */
export function LinkReplyForm({ token }: { token: string }) {
  const router = useRouter();
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // One id per message being written: a retried send of the same text is stored once.
  const [clientId, setClientId] = useState(() => crypto.randomUUID());

  async function send(e: React.FormEvent) {
    e.preventDefault();
    if (!text.trim() || text.length > LIMIT) return;
    setBusy(true);
    setError(null);
    try {
      await api(`/api/chat/${encodeURIComponent(token)}/messages`, { body: { body: text, clientId } });
      setText('');
      setClientId(crypto.randomUUID());
      router.refresh();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Could not send. Check your connection and try again.');
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="chat-link-form" onSubmit={(e) => void send(e)}>
      <label htmlFor="link-reply">Your answer</label>
      <textarea id="link-reply" value={text} onChange={(e) => setText(e.target.value)} rows={4} />
      {text.length > LIMIT ? (
        <p className="error" role="alert">
          Too long: {text.length.toLocaleString('en')} of {LIMIT.toLocaleString('en')} characters.
        </p>
      ) : null}
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      <button type="submit" disabled={busy || !text.trim() || text.length > LIMIT}>
        {busy ? 'Sending…' : 'Send'}
      </button>
    </form>
  );
}
