'use client';

import { useEffect, useRef, useState } from 'react';
import { useRouter } from 'next/navigation';
import { api, ApiError } from '~/lib/api-client';

type TStart = { setupId: string; code: string; bot: { username: string }; expiresInSeconds: number };
type TStatus =
  | { status: 'waiting'; expiresInSeconds: number }
  | { status: 'fix'; problem: string; message: string; expiresInSeconds: number }
  | { status: 'linked'; webhook: 'registered' | 'polling' | 'failed'; warning?: string; connection: { id: string } };

const POLL_MS = 2_000;

/** Telegram: paste the bot token → add the bot to the forum group → send /link CODE there; the page polls until linked. */
/** `connected`: the project already has a Telegram connection, so connecting another is no longer the main action. */
export function TelegramSetup({ apiBase, connected = false }: { apiBase: string; connected?: boolean }) {
  const router = useRouter();
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [setup, setSetup] = useState<TStart | null>(null);
  const [status, setStatus] = useState<TStatus | null>(null);
  const [copied, setCopied] = useState(false);
  const stopped = useRef(false);

  useEffect(() => {
    if (!setup) return;
    stopped.current = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const s = await api<TStatus>(`${apiBase}/telegram/status`, {
          method: 'POST',
          body: { setupId: setup.setupId },
        });
        if (stopped.current) return;
        setStatus(s);
        if (s.status === 'linked') {
          router.refresh();
          return;
        }
      } catch (err) {
        if (stopped.current) return;
        if (err instanceof ApiError && err.status === 404) {
          setSetup(null);
          setStatus(null);
          setError(err.message);
          return;
        }
        if (err instanceof ApiError && err.status !== 503) {
          setError(err.message);
          return;
        }
      }
      timer = setTimeout(() => void poll(), POLL_MS);
    };
    void poll();
    return () => {
      stopped.current = true;
      if (timer) clearTimeout(timer);
    };
  }, [setup, apiBase, router]);

  async function start(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setStatus(null);
    try {
      const s = await api<TStart>(`${apiBase}/telegram`, { method: 'POST', body: { botToken: token.trim() } });
      setToken('');
      setSetup(s);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Could not check the token.');
    } finally {
      setBusy(false);
    }
  }

  const command = setup ? `/link ${setup.code}` : '';
  const linked = status?.status === 'linked' ? status : null;

  return (
    <section className="card stack bridge-card" data-testid="telegram-setup">
      <h3>Telegram</h3>
      {linked ? (
        <div className="stack">
          <div className="alert success" role="status">
            Linked ✅ — new conversations will appear as topics in your group.
            {linked.webhook === 'polling'
              ? ' (Updates are read by long polling: this server has no public https URL.)'
              : ''}
          </div>
          {linked.warning ? <div className="alert error">{linked.warning}</div> : null}
          <button
            type="button"
            className="btn secondary"
            onClick={() => {
              setSetup(null);
              setStatus(null);
            }}
          >
            Connect another group
          </button>
        </div>
      ) : setup ? (
        <div className="stack">
          <ol className="bridge-steps">
            <li>
              Add <strong>@{setup.bot.username}</strong> to your Telegram group with <em>Topics</em> turned on.
            </li>
            <li>
              Make it an <strong>admin</strong> with the <em>Manage topics</em> right.
            </li>
            <li>
              Send this in the group:
              <div className="row" style={{ marginTop: '0.35rem' }}>
                <code className="bridge-code" data-testid="telegram-link-command">
                  {command}
                </code>
                <button
                  type="button"
                  className="btn secondary"
                  onClick={() => {
                    void navigator.clipboard?.writeText(command).then(() => setCopied(true));
                  }}
                >
                  {copied ? 'Copied' : 'Copy'}
                </button>
              </div>
              <small className="muted">
                If the bot does not react, send /link@{setup.bot.username} {setup.code}.
              </small>
            </li>
          </ol>
          {status?.status === 'fix' ? (
            <div className="alert error" role="alert" data-problem={status.problem}>
              {status.message}
            </div>
          ) : (
            <p className="row muted" style={{ margin: 0 }}>
              <span className="bridge-spinner" aria-hidden /> Waiting for /link in your group… (the code is valid 10
              minutes)
            </p>
          )}
          {error ? <div className="alert error">{error}</div> : null}
          <button
            type="button"
            className="btn-link"
            onClick={() => {
              setSetup(null);
              setStatus(null);
            }}
          >
            Use another bot
          </button>
        </div>
      ) : (
        <form className="stack" onSubmit={(e) => void start(e)}>
          <p className="muted" style={{ margin: 0 }}>
            Create a bot with{' '}
            <a href="https://t.me/BotFather" target="_blank" rel="noreferrer">
              @BotFather
            </a>{' '}
            (/newbot) and paste its token.
          </p>
          <label className="field">
            <span>Bot token</span>
            <input
              type="password"
              autoComplete="off"
              spellCheck={false}
              placeholder="123456789:AA…"
              value={token}
              onChange={(e) => setToken(e.target.value)}
              required
            />
          </label>
          {error ? (
            <div className="alert error" role="alert">
              {error}
            </div>
          ) : null}
          <button className={connected ? 'btn secondary' : 'btn'} type="submit" disabled={busy || token.trim() === ''}>
            {busy ? 'Checking…' : 'Check token'}
          </button>
        </form>
      )}
    </section>
  );
}
