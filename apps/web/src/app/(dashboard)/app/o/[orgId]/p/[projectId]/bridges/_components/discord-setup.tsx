'use client';

import { useEffect, useState } from 'react';
import { useRouter, useSearchParams } from 'next/navigation';
import { api, ApiError } from '~/lib/api-client';

type TOverview = { configured: boolean; installUrl: string | null; guild: { id: string; name: string } | null };
type TChannel = { id: string; name: string; missing: string[]; missingOptional: string[] };

/**
 * Discord: add the shared bot to a server through Discord's OAuth2 install (the callback brings the admin back here
 * with ?discordGuild=…), then pick a text channel of THAT server; permissions are checked there. The servers the
 * shared bot is in are never listed: they belong to other customers too.
 */
/** `connected`: the project already has a Discord connection, so setting up another is no longer the main action. */
export function DiscordSetup({
  apiBase,
  available,
  connected = false,
}: {
  apiBase: string;
  available: boolean;
  connected?: boolean;
}) {
  const router = useRouter();
  const search = useSearchParams();
  const returnedGuild = search.get('discordGuild');
  const returnedError = search.get('discordError');
  const [overview, setOverview] = useState<TOverview | null>(null);
  const [guildId, setGuildId] = useState('');
  const [channels, setChannels] = useState<TChannel[] | null>(null);
  const [channelId, setChannelId] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(returnedError);
  const [done, setDone] = useState<{ text: string; warning?: string } | null>(null);

  const fail = (err: unknown, fallback: string) => setError(err instanceof ApiError ? err.message : fallback);

  async function loadServers() {
    setBusy(true);
    setError(null);
    try {
      const o = await api<TOverview>(`${apiBase}/discord`);
      setOverview(o);
      if (o.guild) void pickGuild(o.guild.id);
    } catch (err) {
      fail(err, 'Could not reach Discord.');
    } finally {
      setBusy(false);
    }
  }

  async function pickGuild(id: string) {
    setGuildId(id);
    setChannels(null);
    setChannelId('');
    if (!id) return;
    setBusy(true);
    setError(null);
    try {
      const r = await api<{ channels: TChannel[] }>(`${apiBase}/discord/channels?guildId=${encodeURIComponent(id)}`);
      setChannels(r.channels);
      setChannelId(r.channels.find((c) => c.missing.length === 0)?.id ?? r.channels[0]?.id ?? '');
    } catch (err) {
      fail(err, 'Could not list the channels.');
    } finally {
      setBusy(false);
    }
  }

  async function connect(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await api<{ warning?: string }>(`${apiBase}/discord/connect`, {
        method: 'POST',
        body: { guildId, channelId },
      });
      const name = channels?.find((c) => c.id === channelId)?.name ?? channelId;
      setDone({
        text: `Connected to #${name}. Each conversation will open a thread there.`,
        ...(r.warning ? { warning: r.warning } : {}),
      });
      setOverview(null);
      setChannels(null);
      router.refresh();
    } catch (err) {
      fail(err, 'Could not connect the channel.');
    } finally {
      setBusy(false);
    }
  }

  // Back from Discord's install screen: show the granted server's channels straight away.
  useEffect(() => {
    if (available && (returnedGuild || returnedError)) void loadServers();
  }, [available, returnedGuild, returnedError]);

  const selected = channels?.find((c) => c.id === channelId);

  return (
    <section className="card stack bridge-card" data-testid="discord-setup">
      <h3>Discord</h3>
      {!available ? (
        <p className="muted" style={{ margin: 0 }}>
          Discord is not configured on this server (DISCORD_APPLICATION_ID, DISCORD_CLIENT_SECRET and
          DISCORD_BOT_TOKEN).
        </p>
      ) : (
        <>
          {done ? (
            <div className="alert success" role="status">
              {done.text}
              {done.warning ? <div style={{ marginTop: '0.35rem' }}>{done.warning}</div> : null}
            </div>
          ) : null}
          {error ? (
            <div className="alert error" role="alert">
              {error}
            </div>
          ) : null}
          {!overview ? (
            <button
              type="button"
              className={connected ? 'btn secondary' : 'btn'}
              disabled={busy}
              onClick={() => void loadServers()}
            >
              {busy ? 'Loading…' : 'Set up Discord'}
            </button>
          ) : (
            <div className="stack">
              {overview.installUrl ? (
                <p style={{ margin: 0 }}>
                  <a
                    className={overview.guild ? 'btn secondary' : 'btn'}
                    href={overview.installUrl}
                    data-testid="discord-install-link"
                  >
                    {overview.guild ? 'Add the bot to another server' : 'Add the bot to your server'}
                  </a>{' '}
                  <span className="muted">(you need “Manage Server” there; Discord brings you back here).</span>
                </p>
              ) : (
                <p className="muted" style={{ margin: 0 }}>
                  Discord is not fully configured on this server (DISCORD_CLIENT_SECRET).
                </p>
              )}
              {overview.guild ? (
                <p style={{ margin: 0 }} data-testid="discord-guild">
                  Server: <strong>{overview.guild.name}</strong>
                </p>
              ) : null}
              {channels ? (
                <form className="stack" onSubmit={(e) => void connect(e)}>
                  <label className="field">
                    <span>Text channel</span>
                    <select value={channelId} onChange={(e) => setChannelId(e.target.value)}>
                      {channels.map((c) => (
                        <option key={c.id} value={c.id}>
                          #{c.name}
                          {c.missing.length ? ' — missing permissions' : ''}
                        </option>
                      ))}
                    </select>
                  </label>
                  {selected && selected.missing.length > 0 ? (
                    <div className="alert error" role="alert">
                      The bot is missing {selected.missing.map((m) => `“${m}”`).join(', ')} in #{selected.name}. In
                      Discord: Edit Channel → Permissions → add the bot (or its role) and allow{' '}
                      {selected.missing.length > 1 ? 'them' : 'it'}, then reload the channels.
                    </div>
                  ) : null}
                  {selected && selected.missing.length === 0 && selected.missingOptional.length > 0 ? (
                    <div className="alert info">
                      Optional: allow “{selected.missingOptional.join('”, “')}” so the bot can reopen archived, locked
                      threads.
                    </div>
                  ) : null}
                  <button className="btn" type="submit" disabled={busy || !channelId}>
                    {busy ? 'Checking…' : 'Connect channel'}
                  </button>
                </form>
              ) : null}
            </div>
          )}
        </>
      )}
    </section>
  );
}
