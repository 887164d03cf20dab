'use client';

import { useEffect } from 'react';

/** Keeps the thread scrolled to the newest message when the page loads and whenever `marker` (the last seq) changes. */
export function ScrollToEnd({ targetId, marker }: { targetId: string; marker: number }) {
  useEffect(() => {
    const el = document.getElementById(targetId);
    if (el) el.scrollTop = el.scrollHeight;
  }, [targetId, marker]);
  return null;
}
