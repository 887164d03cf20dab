'use client';

import { useEffect, useState } from 'react';
import { useRouter } from 'next/navigation';
import { api, ApiError } from '~/lib/api-client';
import { connectionLabel } from '~/lib/connection-label';
import { useConfirm } from '~/components/confirm-dialog';
import { DateTime } from '~/components/date-time';

export interface TConnectionCardView {
  id: string;
  kind: 'telegram' | 'slack' | 'discord';
  targetId: string;
  targetScope: string | null;
  targetName: string | null;
  scopeName: string | null;
  status: 'active' | 'broken' | 'disabled';
  statusReason: string | null;
  lastSuccessAt: string | null;
  lastErrorAt: string | null;
  lastError: string | null;
  consecutiveFailures: number;
  createdAt: string;
  pausedAt: string | null;
  health: 'healthy' | 'broken' | 'failing' | 'disabled' | 'new';
}

const KIND_LABEL: Record<TConnectionCardView['kind'], string> = {
  telegram: 'Telegram',
  slack: 'Slack',
  discord: 'Discord',
};
const HEALTH: Record<TConnectionCardView['health'], { label: string; className: string }> = {
  healthy: { label: 'Healthy', className: 'badge ok' },
  new: { label: 'Connected — no delivery yet', className: 'badge ok' },
  failing: { label: 'Retrying', className: 'badge warn' },
  broken: { label: 'Broken', className: 'badge bad' },
  disabled: { label: 'Disabled', className: 'badge' },
};

/**
 * The connected apps with their health, "Send a test message" and "Disconnect" (a secondary button, confirmed in a
 * dialog). Refreshes every 20 s.
 */
export function ConnectionCards({ apiBase, initial }: { apiBase: string; initial: TConnectionCardView[] }) {
  const router = useRouter();
  const [connections, setConnections] = useState(initial);
  const [busy, setBusy] = useState<string | null>(null);
  const [notice, setNotice] = useState<{ id: string; kind: 'success' | 'error'; text: string } | null>(null);
  const [dialog, confirm] = useConfirm();

  useEffect(() => setConnections(initial), [initial]);
  useEffect(() => {
    const t = setInterval(() => {
      api<{ connections: TConnectionCardView[] }>(apiBase)
        .then((r) => setConnections(r.connections))
        .catch(() => undefined);
    }, 20_000);
    return () => clearInterval(t);
  }, [apiBase]);

  const replace = (c: TConnectionCardView) => setConnections((list) => list.map((x) => (x.id === c.id ? c : x)));

  async function test(c: TConnectionCardView) {
    setBusy(c.id);
    setNotice(null);
    try {
      const res = await api<{ connection: TConnectionCardView }>(`${apiBase}/${c.id}/test`, {
        method: 'POST',
        body: {},
      });
      replace(res.connection);
      setNotice({
        id: c.id,
        kind: 'success',
        text: `Sent. Look in ${KIND_LABEL[c.kind]}: a test message from PocketPing should be there.`,
      });
    } catch (err) {
      setNotice({
        id: c.id,
        kind: 'error',
        text: err instanceof ApiError ? err.message : 'Could not send the test message.',
      });
      api<{ connections: TConnectionCardView[] }>(apiBase)
        .then((r) => setConnections(r.connections))
        .catch(() => undefined);
    } finally {
      setBusy(null);
    }
  }

  async function remove(c: TConnectionCardView) {
    const ok = await confirm({
      title: `Disconnect ${KIND_LABEL[c.kind]}?`,
      body: (
        <p style={{ margin: 0 }}>
          Nothing more is posted to <strong>{connectionLabel(c)}</strong>, and its conversation threads will no longer
          be linked. Visitors can still write; connect it again at any time.
        </p>
      ),
      confirmLabel: `Disconnect ${KIND_LABEL[c.kind]}`,
      destructive: true,
    });
    if (!ok) return;
    setBusy(c.id);
    try {
      await api(`${apiBase}/${c.id}`, { method: 'DELETE', body: {} });
      setConnections((list) => list.filter((x) => x.id !== c.id));
      router.refresh();
    } catch (err) {
      setNotice({ id: c.id, kind: 'error', text: err instanceof ApiError ? err.message : 'Could not disconnect.' });
    } finally {
      setBusy(null);
    }
  }

  if (connections.length === 0) {
    return (
      <section className="card">
        <p style={{ margin: 0 }}>
          No chat app is connected yet. Connect one below — visitors can already write, their messages wait until one is
          connected.
        </p>
      </section>
    );
  }
  return (
    <div className="stack" data-testid="connections">
      {dialog}
      {connections.map((c) => (
        <section key={c.id} className="card stack bridge-card" data-connection-id={c.id} data-kind={c.kind}>
          <div className="row" style={{ justifyContent: 'space-between' }}>
            <h3>{KIND_LABEL[c.kind]}</h3>
            <span className={HEALTH[c.health].className} data-health={c.health}>
              {HEALTH[c.health].label}
            </span>
          </div>
          {c.health === 'broken' && c.statusReason ? <div className="alert error">{c.statusReason}</div> : null}
          {c.pausedAt ? (
            <div className="alert info" data-paused="plan">
              Paused: your plan allows fewer chat apps in this project, so nothing is delivered here. Nothing was
              deleted — upgrade, or choose which chat apps to keep on the Usage page.
            </div>
          ) : null}
          <dl className="bridge-meta">
            <dt>Posts to</dt>
            <dd>{connectionLabel(c)}</dd>
            <dt>Last delivery</dt>
            <dd>{c.lastSuccessAt ? <DateTime value={c.lastSuccessAt} /> : 'never'}</dd>
            {c.lastError ? (
              <>
                <dt>Last error</dt>
                <dd>
                  {c.lastError}{' '}
                  {c.lastErrorAt ? (
                    <span className="muted">
                      (<DateTime value={c.lastErrorAt} />)
                    </span>
                  ) : null}
                </dd>
              </>
            ) : null}
          </dl>
          {notice?.id === c.id ? (
            <div className={`alert ${notice.kind}`} role="status">
              {notice.text}
            </div>
          ) : null}
          <div className="row">
            <button type="button" className="btn secondary" disabled={busy === c.id} onClick={() => void test(c)}>
              Send a test message
            </button>
            <button
              type="button"
              className="btn danger-outline"
              disabled={busy === c.id}
              onClick={() => void remove(c)}
            >
              Disconnect
            </button>
          </div>
        </section>
      ))}
    </div>
  );
}
