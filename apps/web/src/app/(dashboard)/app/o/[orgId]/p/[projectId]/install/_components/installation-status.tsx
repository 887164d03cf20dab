'use client';

import { useEffect, useState } from 'react';
import { DateTime } from '~/components/date-time';

export interface TInstallation {
  installed: boolean;
  widgetFirstSeenAt: string | null;
  widgetLastSeenAt: string | null;
}

/**
 * "Installation detected ✓": polls the installation endpoint every `intervalMs` until a widget has connected
 * (then keeps refreshing "last seen" at a slower pace). Pauses while the tab is hidden.
 */
export function InstallationStatus({
  orgId,
  projectId,
  initial,
  intervalMs = 2000,
  showDates = false,
}: {
  orgId: string;
  projectId: string;
  initial: TInstallation;
  intervalMs?: number;
  showDates?: boolean;
}) {
  const [status, setStatus] = useState<TInstallation>(initial);
  const [error, setError] = useState(false);
  const installed = status.installed;

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const delay = installed ? Math.max(intervalMs, 30_000) : intervalMs;
    async function tick() {
      if (document.visibilityState === 'visible') {
        try {
          const res = await fetch(`/api/app/orgs/${orgId}/projects/${projectId}/installation`, {
            credentials: 'same-origin',
            cache: 'no-store',
          });
          if (res.ok) {
            const next = (await res.json()) as TInstallation;
            if (!stopped) {
              setStatus(next);
              setError(false);
            }
          } else if (!stopped) setError(true);
        } catch {
          if (!stopped) setError(true);
        }
      }
      if (!stopped) timer = setTimeout(() => void tick(), delay);
    }
    timer = setTimeout(() => void tick(), delay);
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [orgId, projectId, intervalMs, installed]);

  return (
    <div
      className="install-status"
      aria-live="polite"
      data-testid="installation-status"
      data-installed={installed ? 'yes' : 'no'}
    >
      {installed ? (
        <span className="badge ok install-badge">Installation detected ✓</span>
      ) : (
        <span className="badge warn install-badge">
          <span className="pulse" aria-hidden="true" /> Waiting for the widget to connect… (open your site and click the
          chat bubble)
        </span>
      )}
      {error ? <small className="muted"> (could not check just now, retrying)</small> : null}
      {showDates ? (
        <dl className="install-dates">
          <dt>First seen</dt>
          <dd>{status.widgetFirstSeenAt ? <DateTime value={status.widgetFirstSeenAt} /> : '—'}</dd>
          <dt>Last seen</dt>
          <dd>{status.widgetLastSeenAt ? <DateTime value={status.widgetLastSeenAt} /> : '—'}</dd>
        </dl>
      ) : null}
    </div>
  );
}
