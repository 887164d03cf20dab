'use client';

import { formatDate, type TDateStyle } from '~/lib/format-date';

/**
 * A date or time on any dashboard page, written by `formatDate` in the reader's own time zone (the server renders
 * it in its own; the browser's rendering replaces it), with the full date and time on hover.
 */
export function DateTime({ value, style = 'datetime' }: { value: string | Date; style?: TDateStyle }) {
  const iso = typeof value === 'string' ? value : value.toISOString();
  return (
    <time dateTime={iso} title={formatDate(iso, 'datetime')} suppressHydrationWarning>
      {formatDate(iso, style)}
    </time>
  );
}
