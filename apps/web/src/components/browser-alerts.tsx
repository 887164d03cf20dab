'use client';

import { useEffect, useState } from 'react';
import { ApiError } from '~/lib/api-client';
import {
  loadBrowserAlerts,
  notificationPermission,
  saveBrowserAlerts,
  type TBrowserAlerts,
} from '~/lib/browser-alerts';

/**
 * The user's alerts for new visitor messages while the dashboard is open: desktop notifications (the browser's
 * permission is asked only from the button, a user gesture) and a sound. Each change is saved at once.
 */
export function BrowserAlertsControl({ compact = false }: { compact?: boolean }) {
  const [alerts, setAlerts] = useState<TBrowserAlerts | null>(null);
  const [permission, setPermission] = useState<ReturnType<typeof notificationPermission>>('default');
  const [status, setStatus] = useState<{ text: string; error: boolean } | null>(null);

  useEffect(() => {
    setPermission(notificationPermission());
    loadBrowserAlerts().then(setAlerts, () => setStatus({ text: 'Could not load your alert settings.', error: true }));
  }, []);

  async function save(changes: Partial<TBrowserAlerts>) {
    try {
      setAlerts(await saveBrowserAlerts(changes));
      setStatus(compact ? null : { text: 'Saved.', error: false });
    } catch (err) {
      setStatus({ text: err instanceof ApiError ? err.message : 'Could not save. Try again.', error: true });
    }
  }

  async function turnOnDesktop() {
    const result = await Notification.requestPermission();
    setPermission(result);
    if (result === 'granted') await save({ desktop: true });
    else setStatus({ text: 'The browser did not allow notifications.', error: true });
  }

  if (!alerts) return null;
  return (
    <div className={compact ? 'row browser-alerts' : 'stack browser-alerts'} data-testid="browser-alerts">
      {permission === 'default' ? (
        <button type="button" className="btn secondary" onClick={() => void turnOnDesktop()}>
          Turn on desktop notifications
        </button>
      ) : permission === 'granted' ? (
        <label className="row">
          <input
            type="checkbox"
            checked={alerts.desktop}
            onChange={(e) => void save({ desktop: e.currentTarget.checked })}
          />
          <span>Desktop notifications</span>
        </label>
      ) : (
        <span className="muted">
          {permission === 'denied'
            ? 'Desktop notifications are blocked in this browser (site settings).'
            : 'This browser has no desktop notifications.'}
        </span>
      )}
      <label className="row">
        <input type="checkbox" checked={alerts.sound} onChange={(e) => void save({ sound: e.currentTarget.checked })} />
        <span>Sound</span>
      </label>
      {status ? (
        <span role={status.error ? 'alert' : 'status'} className={status.error ? 'error' : 'muted'}>
          {status.text}
        </span>
      ) : null}
    </div>
  );
}
