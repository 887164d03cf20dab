'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { api } from '~/lib/api-client';

/**
 * The visitor's data rights, for owners and admins: download everything stored about them (JSON), or erase them —
 * every conversation, message and file, and the bot's posts in the chat apps — after typing ERASE to confirm.
 */
export function VisitorRights({
  orgId,
  projectId,
  visitorId,
}: {
  orgId: string;
  projectId: string;
  visitorId: string;
}) {
  const router = useRouter();
  const [confirming, setConfirming] = useState(false);
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const base = `/api/app/orgs/${orgId}/projects/${projectId}/visitors/${visitorId}`;
  async function erase() {
    setBusy(true);
    setError(null);
    try {
      await api(base, { method: 'DELETE', body: {} });
      router.push(`/app/o/${orgId}/p/${projectId}/inbox?erased=1`);
    } catch (err) {
      setError(err instanceof Error ? err.message : 'Failed');
      setBusy(false);
    }
  }
  return (
    <section className="stack" style={{ gap: '0.4rem' }} data-testid="visitor-rights">
      <h3>Data rights</h3>
      <a className="btn secondary" href={`${base}/export`} download data-testid="visitor-export">
        Export visitor data (JSON)
      </a>
      {confirming ? (
        <div className="stack" style={{ gap: '0.4rem' }}>
          <p className="alert error" style={{ margin: 0 }}>
            This deletes the visitor, all their conversations, messages and files, and the bot&apos;s posts about them
            in your chat apps. It cannot be undone. Type ERASE to confirm.
          </p>
          <input
            aria-label="Type ERASE to confirm"
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            data-testid="visitor-erase-confirm"
          />
          <span className="row">
            <button
              type="button"
              className="btn danger"
              disabled={busy || typed !== 'ERASE'}
              onClick={() => void erase()}
              data-testid="visitor-erase-submit"
            >
              Erase visitor
            </button>
            <button type="button" className="btn secondary" disabled={busy} onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </span>
        </div>
      ) : (
        <button type="button" className="btn secondary" onClick={() => setConfirming(true)} data-testid="visitor-erase">
          Erase visitor…
        </button>
      )}
      {error ? <span className="alert error">{error}</span> : null}
    </section>
  );
}
