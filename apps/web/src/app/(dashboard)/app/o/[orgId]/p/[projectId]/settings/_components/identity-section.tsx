'use client';

import { useState } from 'react';
import type { TIdentityMode } from '@pocketping/protocol';
import { api, ApiError } from '~/lib/api-client';
import { useConfirm } from '~/components/confirm-dialog';
import { DateTime } from '~/components/date-time';
import { FieldError, fieldA11y } from '~/components/field-error';
import { CopyButton } from '../../install/_components/copy-button';

/**
 * Identity verification: the secret is generated on the server and shown here ONCE (it is stored encrypted and no
 * API returns it again); afterwards only "set on <date>". The mode decides what an unsigned identify() gets; it is
 * part of the settings form (saved with its one Save button), while the secret is generated or removed at once.
 */
export function IdentitySection({
  orgId,
  projectId,
  initial,
  mode,
  onModeChange,
  onSecretChange,
  errors,
}: {
  orgId: string;
  projectId: string;
  initial: { isSet: boolean; setAt: string | null };
  mode: TIdentityMode;
  onModeChange: (m: TIdentityMode) => void;
  onSecretChange: (isSet: boolean) => void;
  errors: Partial<Record<string, string>>;
}) {
  const [info, setInfo] = useState(initial);
  const [secret, setSecret] = useState<string | null>(null);
  const [working, setWorking] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [dialog, confirm] = useConfirm();

  async function generate() {
    if (
      info.isSet &&
      !(await confirm({
        title: 'Rotate the identity secret?',
        body: 'Hashes made with the current secret stop verifying as soon as you do: update your server right after.',
        confirmLabel: 'Rotate secret',
        destructive: true,
      }))
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
      onSecretChange(true);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Could not generate the secret.');
    } finally {
      setWorking(false);
    }
  }

  async function remove() {
    const ok = await confirm({
      title: 'Remove the identity secret?',
      body: 'identify() hashes will no longer be checked.',
      confirmLabel: 'Remove secret',
      destructive: true,
    });
    if (!ok) return;
    setWorking(true);
    setError(null);
    try {
      await api(`/api/app/orgs/${orgId}/projects/${projectId}/identity-secret`, { method: 'DELETE', body: {} });
      setSecret(null);
      setInfo({ isSet: false, setAt: null });
      onSecretChange(false);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Could not remove the secret.');
    } finally {
      setWorking(false);
    }
  }

  return (
    <div className="stack">
      {dialog}
      <p className="muted" style={{ margin: 0 }}>
        Your server signs the signed-in user’s id (HMAC-SHA256 with this secret) and passes it as{' '}
        <code className="code-inline">hash</code> to <code className="code-inline">PocketPing.identify()</code>, so
        nobody can pose as one of your users in the chat.
      </p>
      <div className="row">
        <strong>Secret:</strong>
        {info.isSet ? (
          <span data-testid="identity-secret-status">
            set
            {info.setAt ? (
              <>
                {' on '}
                <DateTime value={info.setAt} />
              </>
            ) : null}
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
      <div
        className="radio-row"
        role="radiogroup"
        aria-label="Identity verification"
        {...fieldA11y(errors, 'identity')}
      >
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
      <FieldError errors={errors} name="identity" />
    </div>
  );
}
