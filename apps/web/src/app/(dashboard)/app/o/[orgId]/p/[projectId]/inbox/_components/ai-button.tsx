'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { api } from '~/lib/api-client';

/**
 * "AI off" / "Hand back to AI": the same as `/ai off|on` in a chat app. Handing back with a visitor message still
 * unanswered lets the assistant answer it now (when the project's assistant is on).
 */
export function AiButton({
  orgId,
  projectId,
  conversationId,
  aiState,
}: {
  orgId: string;
  projectId: string;
  conversationId: string;
  aiState: string;
}) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const on = aiState !== 'off';
  async function toggle() {
    setBusy(true);
    setError(null);
    try {
      await api(`/api/app/orgs/${orgId}/projects/${projectId}/conversations/${conversationId}/ai`, {
        body: { on: !on },
      });
      router.refresh();
    } catch (err) {
      setError(err instanceof Error ? err.message : 'Failed');
    } finally {
      setBusy(false);
    }
  }
  return (
    <span className="row">
      <button
        type="button"
        className="btn secondary"
        disabled={busy}
        onClick={() => void toggle()}
        data-testid="ai-toggle"
        title={on ? 'The AI assistant may answer this conversation' : 'The AI assistant stays quiet here'}
      >
        {on ? 'AI off' : 'Hand back to AI'}
      </button>
      {error ? <span className="alert error">{error}</span> : null}
    </span>
  );
}
