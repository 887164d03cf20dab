'use client';

import { useState } from 'react';
import { api, ApiError } from '~/lib/api-client';

type TMode = 'off' | 'immediate' | 'digest';
const MODES: { mode: TMode; label: string; hint: string }[] = [
  { mode: 'immediate', label: 'Each one', hint: 'one email per waiting visitor, when it happens' },
  { mode: 'digest', label: 'Digest', hint: 'at most one email an hour, listing who still waits' },
  { mode: 'off', label: 'Off', hint: 'no email' },
];

/** One radio group per notification kind; each change is saved at once (and says so, or says why not). */
export function NotificationsForm({
  initial,
  kinds,
}: {
  initial: Record<string, TMode>;
  kinds: { kind: string; label: string }[];
}) {
  const [prefs, setPrefs] = useState(initial);
  const [status, setStatus] = useState<{ kind: string; text: string; error: boolean } | null>(null);

  async function choose(kind: string, mode: TMode) {
    const before = prefs;
    setPrefs({ ...prefs, [kind]: mode });
    setStatus({ kind, text: 'Saving…', error: false });
    try {
      const res = await api<{ preferences: Record<string, TMode> }>('/api/app/me/notifications', {
        method: 'PUT',
        body: { kind, mode },
      });
      setPrefs(res.preferences);
      setStatus({ kind, text: 'Saved.', error: false });
    } catch (err) {
      setPrefs(before);
      setStatus({ kind, text: err instanceof ApiError ? err.message : 'Could not save. Try again.', error: true });
    }
  }

  return (
    <div className="stack">
      {kinds.map(({ kind, label }) => (
        <fieldset key={kind} className="card stack" data-testid={`notify-${kind}`}>
          <legend>{label}</legend>
          {MODES.map((m) => (
            <label key={m.mode} className="row">
              <input
                type="radio"
                name={`notify-${kind}`}
                value={m.mode}
                checked={prefs[kind] === m.mode}
                onChange={() => void choose(kind, m.mode)}
              />
              <span>
                {m.label} <span className="muted">— {m.hint}</span>
              </span>
            </label>
          ))}
          {status?.kind === kind ? (
            <p role={status.error ? 'alert' : 'status'} className={status.error ? 'error' : 'muted'}>
              {status.text}
            </p>
          ) : null}
        </fieldset>
      ))}
    </div>
  );
}
