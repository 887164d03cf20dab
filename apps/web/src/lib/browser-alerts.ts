'use client';

import { api } from '~/lib/api-client';

/** The signed-in user's alerts in the open dashboard (stored per user: /api/app/me/notifications/browser). */
export interface TBrowserAlerts {
  desktop: boolean;
  sound: boolean;
}

const PATH = '/api/app/me/notifications/browser';
/** Window event carrying the new TBrowserAlerts after a change in this tab (the inbox's socket listens). */
export const ALERTS_CHANGED_EVENT = 'pocketping:browser-alerts';

export async function loadBrowserAlerts(): Promise<TBrowserAlerts> {
  return (await api<{ alerts: TBrowserAlerts }>(PATH)).alerts;
}

export async function saveBrowserAlerts(changes: Partial<TBrowserAlerts>): Promise<TBrowserAlerts> {
  const { alerts } = await api<{ alerts: TBrowserAlerts }>(PATH, { method: 'PUT', body: changes });
  window.dispatchEvent(new CustomEvent(ALERTS_CHANGED_EVENT, { detail: alerts }));
  return alerts;
}

/** 'unsupported' where the browser has no Notification API (some phones, embedded views). */
export function notificationPermission(): NotificationPermission | 'unsupported' {
  return typeof window !== 'undefined' && 'Notification' in window ? Notification.permission : 'unsupported';
}

const ALERTED_KEY = 'pocketping:alerted';

/**
 * One alert per visitor message in this browser, however many inbox tabs are open (each receives the same event):
 * the first tab to claim the message alerts, the others stay quiet. The claim is a short list of recent keys in
 * localStorage, read and written under a Web Lock, so two tabs never both win; without the Locks API a rare race can
 * let two through, and without storage every tab alerts (rather than none).
 */
export async function claimAlert(key: string): Promise<boolean> {
  const claim = (): boolean => {
    try {
      const stored: unknown = JSON.parse(localStorage.getItem(ALERTED_KEY) ?? '[]');
      const recent = Array.isArray(stored) ? stored.filter((k): k is string => typeof k === 'string') : [];
      if (recent.includes(key)) return false;
      localStorage.setItem(ALERTED_KEY, JSON.stringify([...recent.slice(-49), key]));
      return true;
    } catch {
      return true;
    }
  };
  return 'locks' in navigator ? navigator.locks.request(ALERTED_KEY, claim) : claim();
}

let audio: AudioContext | null = null;

/** A short two-tone chime made on the spot (no file, no network); silent where audio is not allowed yet. */
export function playChime(): void {
  try {
    audio ??= new AudioContext();
    void audio.resume();
    const start = audio.currentTime;
    [880, 1320].forEach((frequency, i) => {
      const ctx = audio!;
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      const t = start + i * 0.12;
      osc.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, t);
      gain.gain.exponentialRampToValueAtTime(0.15, t + 0.01);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.18);
      osc.connect(gain).connect(ctx.destination);
      osc.start(t);
      osc.stop(t + 0.2);
    });
  } catch {
    // no audio in this browser: the notification alone
  }
}

/** Shows a desktop notification; a click brings this tab forward and opens `href`. */
export function showDesktopNotification(alert: { title: string; body: string }, tag: string, open: () => void): void {
  const n = new Notification(alert.title, { body: alert.body, tag });
  n.onclick = () => {
    window.focus();
    open();
    n.close();
  };
}
