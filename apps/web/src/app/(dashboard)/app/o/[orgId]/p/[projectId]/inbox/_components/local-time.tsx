'use client';

import { DateTime } from '~/components/date-time';

/** A time in the reader's own timezone: today → "14:05", this year → "3 Mar, 14:05", else the date; `full`: both. */
export function LocalTime({ iso, full = false }: { iso: string; full?: boolean }) {
  return <DateTime value={iso} style={full ? 'datetime' : 'compact'} />;
}
