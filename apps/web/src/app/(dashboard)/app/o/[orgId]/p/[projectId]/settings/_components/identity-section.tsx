'use client';

import { useState } from 'react';
import type { TIdentityMode } from '@pocketping/protocol';
import { api, ApiError } from '~/lib/api-client';
import { CopyButton } from '../../install/_components/copy-button';

/**
 * Identity verification: the secret is generated on the server and shown here ONCE (it is stored encrypted and no
 * API returns it again); afterwards only "set on <date>". The mode decides what an unsigned identify() gets.
 */
export function IdentitySection({
  orgId,
  projectId,
  initial,
  mode,
  savedMode,
  onModeChange,
  onSaveMode,
  busy,
}: {
  orgId: string;
  projectId: string;
  initial: { isSet: boolean; setAt: string | null };
  mode: TIdentityMode;
  savedMode: TIdentityMode;
  onModeChange: (m: TIdentityMode) => void;
  onSaveMode: () => void;
  busy: boolean;
}) {
  const [info, setInfo] = useState(initial);
  const [secret, setSecret] = useState<string | null>(null);
  const [working, setWorking] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function generate() {
    if (
      info.isSet &&
      !window.confirm(
        'Rotate the secret? Hashes made with the current secret stop verifying as soon as you do: update your server right after.',
      )
    )
      return;
    setWorking(true);
    setError(null);
    try {
      const res = await api<{ secret: string; setAt: string }>(
        `/api/app/orgs/${orgId}/projects/${projectId}/identity-secret`,
        { method: 'POST', body: {} },
      );
      setSecret(res.secret);
      setInfo({ isSet: true, setAt: res.setAt });
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Could not generate the secret.');
    } finally {
      setWorking(false);
    }
  }

  async function remove() {
    if (!window.confirm('Remove the identity secret? identify() hashes will no longer be checked.')) return;
    setWorking(true);
    setError(null);
    try {
      await api(`/api/app/orgs/${orgId}/projects/${projectId}/identity-secret`, { method: 'DELETE', body: {} });
      setSecret(null);
      setInfo({ isSet: false, setAt: null });
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Could not remove the secret.');
    } finally {
      setWorking(false);
    }
  }

  return (
    <div className="stack">
      <p className="muted" style={{ margin: 0 }}>
        Your server signs the signed-in user’s id (HMAC-SHA256 with this secret) and passes it as{' '}
        <code className="code-inline">hash</code> to <code className="code-inline">PocketPing.identify()</code>, so
        nobody can pose as one of your users in the chat.
      </p>
      <div className="row">
        <strong>Secret:</strong>
        {info.isSet ? (
          <span data-testid="identity-secret-status">
            set{info.setAt ? ` on ${new Date(info.setAt).toLocaleString()}` : ''}
          </span>
        ) : (
          <span className="muted" data-testid="identity-secret-status">
            not set
          </span>
        )}
        <button type="button" className="btn secondary" disabled={working} onClick={() => void generate()}>
          {info.isSet ? 'Rotate secret' : 'Generate secret'}
        </button>
        {info.isSet ? (
          <button type="button" className="btn-link" disabled={working} onClick={() => void remove()}>
            Remove
          </button>
        ) : null}
      </div>
      {secret ? (
        <div className="stack" data-testid="identity-secret-once">
          <div className="alert info">
            Copy it now and store it on your server (e.g. POCKETPING_IDENTITY_SECRET). You will not see it again.
          </div>
          <div className="secret-box">{secret}</div>
          <div className="row">
            <CopyButton text={secret} label="Copy secret" />
            <button type="button" className="btn-link" onClick={() => setSecret(null)}>
              I stored it, hide it
            </button>
          </div>
        </div>
      ) : null}
      {error ? <div className="alert error">{error}</div> : null}
      <div className="radio-row" role="radiogroup" aria-label="Identity verification">
        {(
          [
            ['off', 'Off — identify() is trusted as is'],
            ['optional', 'Optional — a hash, when given, must be valid'],
            ['enforce', 'Enforce — the chat only works after a verified identify()'],
          ] as const
        ).map(([m, label]) => (
          <label key={m}>
            <input
              type="radio"
              name="identity-mode"
              checked={mode === m}
              disabled={m === 'enforce' && !info.isSet}
              onChange={() => onModeChange(m)}
            />
            {label}
          </label>
        ))}
      </div>
      {mode === 'enforce' && !info.isSet ? (
        <span className="field-error">Generate a secret before enforcing.</span>
      ) : null}
      <div className="savebar">
        <button type="button" className="btn" disabled={busy || mode === savedMode} onClick={onSaveMode}>
          Save mode
        </button>
      </div>
    </div>
  );
}
