'use client';

/** A time in the reader's own timezone: today → "14:05", this year → "3 Mar, 14:05", else the full date. */
export function LocalTime({ iso, full = false }: { iso: string; full?: boolean }) {
  const d = new Date(iso);
  const now = new Date();
  const time = d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  let text: string;
  if (full) text = d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  else if (d.toDateString() === now.toDateString()) text = time;
  else if (d.getFullYear() === now.getFullYear())
    text = `${d.toLocaleDateString(undefined, { day: 'numeric', month: 'short' })}, ${time}`;
  else text = d.toLocaleDateString(undefined, { dateStyle: 'medium' });
  return (
    <time dateTime={iso} title={d.toLocaleString()} suppressHydrationWarning>
      {text}
    </time>
  );
}
