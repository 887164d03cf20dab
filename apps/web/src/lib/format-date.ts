/**
 * The dashboard's one way of writing a date or a time (every page, server or browser): day month year, 24-hour
 * time — "7 Dec 2026", "7 Dec 2026, 17:05"; `compact` for lists: "17:05" today, "3 Mar, 17:05" this year, else
 * the date. In the reader's time zone when run in the browser (`DateTime`), or the one passed.
 */
export type TDateStyle = 'date' | 'datetime' | 'compact';

const LOCALE = 'en-GB';

export function formatDate(
  value: string | Date,
  style: TDateStyle = 'datetime',
  opts: { timeZone?: string; now?: Date } = {},
): string {
  const d = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(d.getTime())) return '—';
  const tz = opts.timeZone ? { timeZone: opts.timeZone } : {};
  const date = (withYear: boolean) =>
    new Intl.DateTimeFormat(LOCALE, {
      day: 'numeric',
      month: 'short',
      ...(withYear ? { year: 'numeric' } : {}),
      ...tz,
    }).format(d);
  const time = () =>
    new Intl.DateTimeFormat(LOCALE, { hour: '2-digit', minute: '2-digit', hour12: false, ...tz }).format(d);
  if (style === 'date') return date(true);
  if (style === 'datetime') return `${date(true)}, ${time()}`;
  const now = opts.now ?? new Date();
  const day = (x: Date) =>
    new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', ...tz }).format(x);
  if (day(d) === day(now)) return time();
  const year = (x: Date) => new Intl.DateTimeFormat(LOCALE, { year: 'numeric', ...tz }).format(x);
  return year(d) === year(now) ? `${date(false)}, ${time()}` : date(true);
}
