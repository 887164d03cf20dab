'use client';

import { useEffect } from 'react';

/** Marks the conversation read up to `lastSeq` while it is on screen (and again whenever new messages arrive). */
export function MarkRead({
  orgId,
  projectId,
  conversationId,
  lastSeq,
  readSeq,
}: {
  orgId: string;
  projectId: string;
  conversationId: string;
  lastSeq: number;
  readSeq: number;
}) {
  useEffect(() => {
    if (lastSeq <= readSeq) return;
    let done = false;
    const mark = () => {
      if (done || document.visibilityState !== 'visible') return;
      done = true;
      void fetch(`/api/app/orgs/${orgId}/projects/${projectId}/conversations/${conversationId}/read`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ seq: lastSeq }),
        credentials: 'same-origin',
      }).catch(() => undefined);
    };
    mark();
    document.addEventListener('visibilitychange', mark);
    return () => document.removeEventListener('visibilitychange', mark);
  }, [orgId, projectId, conversationId, lastSeq, readSeq]);
  return null;
}
