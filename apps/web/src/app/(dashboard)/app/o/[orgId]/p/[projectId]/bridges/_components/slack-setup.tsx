'use client';

import { useEffect, useState } from 'react';
import { useRouter } from 'next/navigation';
import { api, ApiError } from '~/lib/api-client';

type TChannels = {
  team: { id: string; name: string | null };
  bot: string | null;
  channels: { id: string; name: string; isMember: boolean; members: number | null }[];
};

/** Slack: "Add to Slack" (OAuth) or a bot token, then a public channel the bot joins. */
export function SlackSetup({
  apiBase,
  oauthAvailable,
  initialSetupId,
  initialError,
  connected = false,
}: {
  apiBase: string;
  /** The project already has a Slack connection: connecting another is no longer the main action. */
  connected?: boolean;
  oauthAvailable: boolean;
  initialSetupId?: string;
  initialError?: string;
}) {
  const router = useRouter();
  const [setupId, setSetupId] = useState<string | null>(initialSetupId ?? null);
  const [token, setToken] = useState('');
  const [showToken, setShowToken] = useState(!oauthAvailable);
  const [data, setData] = useState<TChannels | null>(null);
  const [channelId, setChannelId] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(initialError ?? null);
  const [done, setDone] = useState<string | null>(null);

  useEffect(() => {
    if (!setupId) return;
    let cancelled = false;
    setBusy(true);
    api<TChannels>(`${apiBase}/slack/channels?setupId=${encodeURIComponent(setupId)}`)
      .then((d) => {
        if (cancelled) return;
        setData(d);
        setChannelId(d.channels.find((c) => /support|help/i.test(c.name))?.id ?? d.channels[0]?.id ?? '');
      })
      .catch((err: unknown) => {
        if (cancelled) return;
        setError(err instanceof ApiError ? err.message : 'Could not list the Slack channels.');
        setSetupId(null);
      })
      .finally(() => !cancelled && setBusy(false));
    return () => {
      cancelled = true;
    };
  }, [setupId, apiBase]);

  async function submitToken(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await api<{ setupId: string }>(`${apiBase}/slack/token`, {
        method: 'POST',
        body: { botToken: token.trim() },
      });
      setToken('');
      setSetupId(r.setupId);
      // Kept in the address so a reload comes back to the channel picker (as after "Add to Slack").
      router.replace(`${window.location.pathname}?slackSetup=${encodeURIComponent(r.setupId)}`, { scroll: false });
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Could not check the token.');
      setBusy(false);
    }
  }

  async function connect(e: React.FormEvent) {
    e.preventDefault();
    if (!setupId || !channelId) return;
    setBusy(true);
    setError(null);
    try {
      const r = await api<{ channel: string }>(`${apiBase}/slack/connect`, {
        method: 'POST',
        body: { setupId, channelId },
      });
      setDone(`Connected to #${r.channel}. The bot joined the channel.`);
      setSetupId(null);
      setData(null);
      // Drop ?slackSetup= from the address bar and reload the cards.
      router.replace(window.location.pathname);
      router.refresh();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Could not connect the channel.');
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card stack bridge-card" data-testid="slack-setup">
      <h3>Slack</h3>
      {done ? (
        <div className="alert success" role="status">
          {done}
        </div>
      ) : null}
      {error ? (
        <div className="alert error" role="alert">
          {error}
        </div>
      ) : null}
      {setupId && data ? (
        <form className="stack" onSubmit={(e) => void connect(e)}>
          <p style={{ margin: 0 }}>
            Workspace <strong>{data.team.name ?? data.team.id}</strong>. Pick the channel where conversations should
            appear:
          </p>
          {data.channels.length === 0 ? (
            <div className="alert info">
              No public channel found. Create one (for example #support) in Slack, then reload this page.
            </div>
          ) : (
            <label className="field">
              <span>Channel</span>
              <select value={channelId} onChange={(e) => setChannelId(e.target.value)}>
                {data.channels.map((c) => (
                  <option key={c.id} value={c.id}>
                    #{c.name}
                    {c.isMember ? ' (bot already in)' : ''}
                  </option>
                ))}
              </select>
            </label>
          )}
          <small className="muted">
            Private channels: invite the app there with /invite first; bots cannot join them alone.
          </small>
          <button className="btn" type="submit" disabled={busy || !channelId}>
            {busy ? 'Connecting…' : 'Connect channel'}
          </button>
        </form>
      ) : setupId ? (
        <p className="row muted" style={{ margin: 0 }}>
          <span className="bridge-spinner" aria-hidden /> Loading channels…
        </p>
      ) : (
        <div className="stack">
          {oauthAvailable ? (
            <a
              className={connected ? 'btn secondary' : 'btn'}
              href={`${apiBase}/slack/install`}
              data-testid="add-to-slack"
            >
              Add to Slack
            </a>
          ) : null}
          {showToken ? (
            <form className="stack" onSubmit={(e) => void submitToken(e)}>
              <label className="field">
                <span>Bot token</span>
                <input
                  type="password"
                  autoComplete="off"
                  spellCheck={false}
                  placeholder="xoxb-…"
                  value={token}
                  onChange={(e) => setToken(e.target.value)}
                  required
                />
                <small>
                  Your own Slack app: OAuth &amp; Permissions → Bot User OAuth Token (scopes chat:write, channels:read,
                  channels:join, users:read).
                </small>
              </label>
              <button className="btn secondary" type="submit" disabled={busy || token.trim() === ''}>
                {busy ? 'Checking…' : 'Check token'}
              </button>
            </form>
          ) : (
            <button type="button" className="btn-link" onClick={() => setShowToken(true)}>
              Use a bot token instead
            </button>
          )}
        </div>
      )}
    </section>
  );
}
