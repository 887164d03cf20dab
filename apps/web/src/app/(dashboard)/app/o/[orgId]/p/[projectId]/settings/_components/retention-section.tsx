'use client';

import { useState } from 'react';

/**
 * How long the project's conversations are kept (messages, files, chat-app mappings); the worker's privacy pass
 * deletes older ones. Empty = the plan's figure; a figure above the plan's is refused by the server.
 */
export function RetentionSection({
  saved,
  planDays,
  busy,
  onSave,
}: {
  saved: number | null;
  planDays: number | null;
  busy: boolean;
  onSave(days: number | null): void;
}) {
  const [draft, setDraft] = useState(saved === null ? '' : String(saved));
  const value = draft.trim() === '' ? null : Number(draft);
  const invalid = value !== null && (!Number.isInteger(value) || value < 1 || value > 3650);
  return (
    <div className="stack" style={{ gap: '0.5rem' }}>
      <p className="muted" style={{ margin: 0 }}>
        Conversations whose last message is older than this are deleted with their files and chat-app mappings.{' '}
        {planDays === null
          ? 'Your plan keeps them forever unless you set a limit.'
          : `Your plan keeps them ${planDays} days at most.`}
      </p>
      <label className="stack" style={{ gap: '0.25rem' }}>
        <span>Keep conversations for (days)</span>
        <input
          type="number"
          min={1}
          max={planDays ?? 3650}
          inputMode="numeric"
          value={draft}
          placeholder={planDays === null ? 'forever' : `${planDays} (the plan's)`}
          onChange={(e) => setDraft(e.target.value)}
          data-testid="retention-days"
          aria-invalid={invalid}
        />
      </label>
      <div className="savebar">
        <button
          type="button"
          className="btn"
          disabled={busy || invalid || value === saved}
          onClick={() => onSave(value)}
          data-testid="retention-save"
        >
          Save
        </button>
      </div>
    </div>
  );
}
