'use client';

import { useState } from 'react';
import { MAX_ALLOWED_ORIGINS, normalizeOrigin } from '~/server/projects/origins';

/** The allowed-origins list: add, remove, each entry checked as you type with the server's own rule. */
export function OriginsEditor({
  value,
  onChange,
  testOrigin,
}: {
  value: string[];
  onChange: (next: string[]) => void;
  testOrigin: string;
}) {
  const [draft, setDraft] = useState('');
  const check = draft.trim() ? normalizeOrigin(draft) : null;
  const full = value.length >= MAX_ALLOWED_ORIGINS;
  function add() {
    if (!check?.ok || full) return;
    if (!value.includes(check.origin)) onChange([...value, check.origin]);
    setDraft('');
  }
  return (
    <div className="list-editor">
      {value.map((o) => {
        const r = normalizeOrigin(o);
        return (
          <div key={o} className="item">
            <code className="code-inline">{o}</code>
            {o === testOrigin ? <span className="muted">PocketPing test page</span> : null}
            {!r.ok ? <span className="field-error">{r.error}</span> : null}
            <button
              type="button"
              className="btn-link"
              onClick={() => onChange(value.filter((x) => x !== o))}
              aria-label={`Remove ${o}`}
            >
              Remove
            </button>
          </div>
        );
      })}
      {value.length === 0 ? (
        <div className="alert error">No origin: the widget will refuse to load anywhere.</div>
      ) : null}
      <div className="item">
        <input
          type="text"
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              add();
            }
          }}
          placeholder="https://shop.example.com"
          aria-label="New allowed origin"
        />
        <button type="button" className="btn secondary" onClick={add} disabled={!check?.ok || full}>
          Add
        </button>
        {!value.includes(testOrigin) && !full ? (
          <button type="button" className="btn-link" onClick={() => onChange([...value, testOrigin])}>
            Allow the test page
          </button>
        ) : null}
      </div>
      {check && !check.ok ? <span className="field-error">{`"${draft.trim()}" ${check.error}`}</span> : null}
      {full ? (
        <small className="muted">
          That is the maximum of {MAX_ALLOWED_ORIGINS}; https://*.example.com covers every subdomain.
        </small>
      ) : null}
    </div>
  );
}
