'use client';

import { useEffect, useState, type ReactNode } from 'react';
import { formatDate } from '~/lib/format-date';

/** The phone layout's width (dashboard.css): there the context starts folded, under the reply box. */
const PHONE_QUERY = '(max-width: 760px)';

/**
 * The visitor's context (local time, pages, past conversations): a side column section on a desktop, a folded
 * section on a phone so the thread and reply box keep the first screen.
 */
export function ContextSection({ children }: { children: ReactNode }) {
  const [isOpen, setOpen] = useState(true);
  useEffect(() => {
    if (window.matchMedia(PHONE_QUERY).matches) setOpen(false);
  }, []);
  return (
    <details
      className="visitor-context"
      open={isOpen}
      onToggle={(e) => setOpen(e.currentTarget.open)}
      data-testid="visitor-context"
    >
      <summary>Visitor context</summary>
      {children}
    </details>
  );
}

/** The time where the visitor is, in their browser's zone, kept current while the page stays open. */
export function VisitorClock({ timeZone }: { timeZone: string }) {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), 30_000);
    return () => clearInterval(timer);
  }, []);
  return (
    <span data-testid="visitor-local-time" suppressHydrationWarning>
      {formatDate(now, 'compact', { timeZone, now })} <span className="muted">({timeZone})</span>
    </span>
  );
}
