'use client';

import { useState, type FormEvent } from 'react';
import { useRouter } from 'next/navigation';
import { api, ApiError } from '~/lib/api-client';
import { useConfirm } from '~/components/confirm-dialog';
import { CopyButton } from '../install/_components/copy-button';

const base = (orgId: string, projectId: string) => `/api/app/orgs/${orgId}/projects/${projectId}/webhooks`;

/** The secret of a new or rotated endpoint: shown once, never again. */
function SecretOnce({ secret, onDone }: { secret: string; onDone(): void }) {
  return (
    <div className="alert success stack" role="status" data-testid="webhook-secret">
      <strong>Your signing secret. Copy it now: it will not be shown again.</strong>
      <div className="row">
        <code
          style={{ wordBreak: 'break-all', flex: '1 1 16rem', background: '#fff', padding: '0.4rem', borderRadius: 6 }}
        >
          {secret}
        </code>
        <CopyButton text={secret} />
        <button type="button" className="btn secondary" onClick={onDone}>
          Done
        </button>
      </div>
    </div>
  );
}

export function CreateWebhookEndpoint({
  orgId,
  projectId,
  eventTypes,
}: {
  orgId: string;
  projectId: string;
  eventTypes: string[];
}) {
  const router = useRouter();
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [events, setEvents] = useState<string[]>(['conversation.created', 'message.created']);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const res = await api<{ secret: string }>(base(orgId, projectId), { body: { url, description, events } });
      setSecret(res.secret);
      setUrl('');
      setDescription('');
      router.refresh();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Could not add the endpoint. Try again.');
    } finally {
      setBusy(false);
    }
  }
  const toggle = (t: string) => setEvents((cur) => (cur.includes(t) ? cur.filter((x) => x !== t) : [...cur, t]));
  return (
    <div className="stack">
      <form className="stack" onSubmit={(e) => void submit(e)} aria-label="Add a webhook endpoint">
        <label className="field">
          <span>Endpoint URL</span>
          <input
            type="url"
            required
            maxLength={2048}
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            placeholder="https://example.com/pocketping/webhooks"
          />
        </label>
        <label className="field">
          <span>Description (optional)</span>
          <input type="text" maxLength={200} value={description} onChange={(e) => setDescription(e.target.value)} />
        </label>
        <fieldset className="stack" style={{ border: 0, padding: 0 }}>
          <legend>Events</legend>
          <div className="row" style={{ flexWrap: 'wrap' }}>
            {eventTypes.map((t) => (
              <label key={t} className="row" style={{ gap: '0.3rem' }}>
                <input type="checkbox" checked={events.includes(t)} onChange={() => toggle(t)} />
                <code>{t}</code>
              </label>
            ))}
          </div>
        </fieldset>
        <div>
          <button type="submit" className="btn" disabled={busy || events.length === 0}>
            {busy ? 'Adding…' : 'Add endpoint'}
          </button>
        </div>
      </form>
      {error ? (
        <p className="alert error" role="alert">
          {error}
        </p>
      ) : null}
      {secret ? <SecretOnce secret={secret} onDone={() => setSecret(null)} /> : null}
    </div>
  );
}

export function EndpointActions({
  orgId,
  projectId,
  endpointId,
  enabled,
}: {
  orgId: string;
  projectId: string;
  endpointId: string;
  enabled: boolean;
}) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const [dialog, confirm] = useConfirm();
  const url = `${base(orgId, projectId)}/${endpointId}`;
  async function run(fn: () => Promise<void>) {
    setBusy(true);
    setError(null);
    setNote(null);
    try {
      await fn();
      router.refresh();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'That did not work. Try again.');
    } finally {
      setBusy(false);
    }
  }
  return (
    <div className="stack" style={{ alignItems: 'end' }}>
      {dialog}
      <div className="row">
        <button
          type="button"
          className="btn secondary"
          disabled={busy}
          onClick={() =>
            void run(async () => {
              await api(`${url}/test`, { body: {} });
              setNote('Test event queued: it appears below in a moment.');
            })
          }
        >
          Send test event
        </button>
        <button
          type="button"
          className="btn secondary"
          disabled={busy}
          onClick={async () => {
            const ok = await confirm({
              title: 'Rotate the signing secret?',
              body: <p style={{ margin: 0 }}>A new secret is shown once; the old one keeps working for 24 hours.</p>,
              confirmLabel: 'Rotate secret',
            });
            if (!ok) return;
            void run(async () => {
              setSecret((await api<{ secret: string }>(`${url}/rotate`, { body: {} })).secret);
            });
          }}
        >
          Rotate secret
        </button>
        <button
          type="button"
          className="btn secondary"
          disabled={busy}
          onClick={() =>
            void run(async () => {
              await api(url, { method: 'PATCH', body: { status: enabled ? 'disabled' : 'enabled' } });
            })
          }
        >
          {enabled ? 'Disable' : 'Enable'}
        </button>
        <button
          type="button"
          className="btn danger-outline"
          disabled={busy}
          onClick={async () => {
            const ok = await confirm({
              title: 'Delete this endpoint?',
              body: <p style={{ margin: 0 }}>No more events are sent to it, and its delivery log is deleted.</p>,
              confirmLabel: 'Delete endpoint',
              destructive: true,
            });
            if (!ok) return;
            void run(async () => {
              await api(url, { method: 'DELETE', body: {} });
            });
          }}
        >
          Delete
        </button>
      </div>
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
      {secret ? <SecretOnce secret={secret} onDone={() => setSecret(null)} /> : null}
    </div>
  );
}

export function ReplayDelivery(props: { orgId: string; projectId: string; endpointId: string; deliveryId: string }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  async function replay() {
    setBusy(true);
    try {
      await api(`${base(props.orgId, props.projectId)}/${props.endpointId}/deliveries/${props.deliveryId}/replay`, {
        body: {},
      });
      router.refresh();
    } finally {
      setBusy(false);
    }
  }
  return (
    <button type="button" className="btn secondary" disabled={busy} onClick={() => void replay()}>
      Replay
    </button>
  );
}
