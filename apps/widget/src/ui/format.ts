import type { TStrings } from './i18n.js';

/** 1234567 → "1.2 MB" (units are the same in the four languages). */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** Local calendar day of an ISO timestamp, e.g. "2025-1-31"; '' when unparseable (no separator then). */
export function dayKey(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : `${d.getFullYear()}-${d.getMonth() + 1}-${d.getDate()}`;
}

/** "Today", "Yesterday" or the date in the widget's language. */
export function dayLabel(iso: string, now: Date, lang: string, t: TStrings): string {
  const key = dayKey(iso);
  if (key === dayKey(now.toISOString())) return t.today;
  if (key === dayKey(new Date(now.getTime() - 86_400_000).toISOString())) return t.yesterday;
  return new Date(iso).toLocaleDateString(lang, { day: 'numeric', month: 'long', year: 'numeric' });
}

export function formatTime(iso: string, lang: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit' });
}
