'use client';

import { useState, type FormEvent } from 'react';
import { useRouter } from 'next/navigation';
import { api, ApiError } from '~/lib/api-client';
import { useConfirm } from '~/components/confirm-dialog';

function message(err: unknown): string {
  return err instanceof ApiError ? err.message : 'Something went wrong. Try again.';
}

/** Runs one API call at a time, shows its error, refreshes the server-rendered page when it succeeds. */
function useAction() {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function run(fn: () => Promise<unknown>, after?: () => void): Promise<boolean> {
    setBusy(true);
    setError(null);
    try {
      await fn();
      after?.();
      router.refresh();
      return true;
    } catch (err) {
      setError(message(err));
      return false;
    } finally {
      setBusy(false);
    }
  }
  return { busy, error, run };
}

export function InviteForm({ orgId }: { orgId: string }) {
  const { busy, error, run } = useAction();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<'agent' | 'admin'>('agent');
  const [sent, setSent] = useState<string | null>(null);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setSent(null);
    const to = email.trim();
    await run(
      () => api(`/api/app/orgs/${orgId}/invitations`, { body: { email: to, role } }),
      () => {
        setSent(to);
        setEmail('');
      },
    );
  }
  return (
    <form className="stack" onSubmit={(e) => void submit(e)} aria-label="Invite a teammate">
      <div className="row" style={{ alignItems: 'end' }}>
        <label className="field" style={{ flex: '1 1 16rem' }}>
          <span>Email</span>
          <input
            type="email"
            required
            autoComplete="off"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            placeholder="teammate@company.com"
          />
        </label>
        <label className="field" style={{ flex: '0 1 9rem' }}>
          <span>Role</span>
          <select value={role} onChange={(e) => setRole(e.target.value === 'admin' ? 'admin' : 'agent')}>
            <option value="agent">Agent</option>
            <option value="admin">Admin</option>
          </select>
        </label>
        <button type="submit" className="btn" disabled={busy}>
          {busy ? 'Sending…' : 'Send invitation'}
        </button>
      </div>
      {error ? (
        <p className="alert error" role="alert">
          {error}
        </p>
      ) : null}
      {sent ? (
        <p className="alert success" role="status">
          Invitation sent to {sent}.
        </p>
      ) : null}
    </form>
  );
}

export function InvitationActions({
  orgId,
  invitationId,
  email,
  role,
}: {
  orgId: string;
  invitationId: string;
  email: string;
  role: 'agent' | 'admin';
}) {
  const { busy, error, run } = useAction();
  const [dialog, confirm] = useConfirm();
  const [note, setNote] = useState<string | null>(null);
  return (
    <div className="row">
      {dialog}
      <button
        type="button"
        className="btn secondary"
        disabled={busy}
        onClick={() =>
          void run(
            () => api(`/api/app/orgs/${orgId}/invitations`, { body: { email, role } }),
            () => setNote('New link sent.'),
          )
        }
      >
        Resend
      </button>
      <button
        type="button"
        className="btn danger-outline"
        disabled={busy}
        onClick={async () => {
          const ok = await confirm({
            title: 'Revoke this invitation?',
            body: (
              <p style={{ margin: 0 }}>
                The invitation of <strong>{email}</strong> is withdrawn: its link stops working.
              </p>
            ),
            confirmLabel: 'Revoke invitation',
            destructive: true,
          });
          if (ok)
            void run(() => api(`/api/app/orgs/${orgId}/invitations/${invitationId}`, { method: 'DELETE', body: {} }));
        }}
      >
        Revoke
      </button>
      {note ? (
        <span className="muted" role="status">
          {note}
        </span>
      ) : null}
      {error ? (
        <span className="alert error" role="alert">
          {error}
        </span>
      ) : null}
    </div>
  );
}

interface TMemberActionsProps {
  orgId: string;
  memberId: string;
  label: string;
  isSelf: boolean;
  roleChoices: ('agent' | 'admin')[];
  canRemove: boolean;
  canTransfer: boolean;
  lastOwnerSelf: boolean;
  /** Active API keys this member created: they keep working after the member leaves (keys belong to the organization). */
  apiKeysCreated: number;
}

export function MemberActions({
  orgId,
  memberId,
  label,
  isSelf,
  roleChoices,
  canRemove,
  canTransfer,
  lastOwnerSelf,
  apiKeysCreated,
}: TMemberActionsProps) {
  const router = useRouter();
  const { busy, error, run } = useAction();
  const [dialog, confirm] = useConfirm();
  const base = `/api/app/orgs/${orgId}/members/${memberId}`;
  return (
    <div className="row">
      {dialog}
      {roleChoices.map((r) => (
        <button
          key={r}
          type="button"
          className="btn secondary"
          disabled={busy}
          onClick={() => void run(() => api(base, { method: 'PATCH', body: { role: r } }))}
        >
          {isSelf ? `Step down to ${r}` : r === 'admin' ? 'Make admin' : 'Make agent'}
        </button>
      ))}
      {canTransfer ? (
        <button
          type="button"
          className="btn secondary"
          disabled={busy}
          onClick={async () => {
            const ok = await confirm({
              title: `Make ${label} the owner?`,
              body: (
                <p style={{ margin: 0 }}>
                  They get every right over the organization, billing included; you become an admin.
                </p>
              ),
              confirmLabel: 'Transfer ownership',
            });
            if (ok) void run(() => api(`${base}/transfer-ownership`, { body: {} }));
          }}
        >
          Transfer ownership
        </button>
      ) : null}
      {canRemove ? (
        <button
          type="button"
          className="btn danger-outline"
          disabled={busy}
          onClick={async () => {
            const keys =
              apiKeysCreated > 0
                ? ` The ${apiKeysCreated === 1 ? 'API key' : `${apiKeysCreated} API keys`} ${isSelf ? 'you' : 'they'} created keep${apiKeysCreated === 1 ? 's' : ''} working: revoke ${apiKeysCreated === 1 ? 'it' : 'them'} on the API keys page if ${apiKeysCreated === 1 ? 'it' : 'they'} should stop.`
                : '';
            const ok = await confirm({
              title: isSelf ? 'Leave this organization?' : `Remove ${label} from the team?`,
              body: (
                <p style={{ margin: 0 }}>
                  {isSelf
                    ? 'You lose access to its conversations.'
                    : 'They lose access to its conversations; their pending invitations are withdrawn.'}
                  {keys}
                </p>
              ),
              confirmLabel: isSelf ? 'Leave organization' : `Remove ${label}`,
              destructive: true,
            });
            if (!ok) return;
            void run(() => api(base, { method: 'DELETE', body: {} }), isSelf ? () => router.push('/app') : undefined);
          }}
        >
          {isSelf ? 'Leave' : 'Remove'}
        </button>
      ) : null}
      {lastOwnerSelf ? <span className="muted">Transfer ownership to leave</span> : null}
      {error ? (
        <span className="alert error" role="alert">
          {error}
        </span>
      ) : null}
    </div>
  );
}
