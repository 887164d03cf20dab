'use client';

import { useState } from 'react';
import { CopyButton } from './copy-button';

export interface TSnippetTab {
  id: string;
  label: string;
  code: string;
  note?: string;
}

/** Variants of the embed code, one visible at a time, each with its Copy button. */
export function SnippetTabs({ tabs }: { tabs: TSnippetTab[] }) {
  const [active, setActive] = useState(tabs[0]?.id);
  const tab = tabs.find((t) => t.id === active) ?? tabs[0];
  if (!tab) return null;
  return (
    <div>
      <div className="tabs" role="tablist">
        {tabs.map((t) => (
          <button key={t.id} type="button" role="tab" aria-selected={t.id === tab.id} onClick={() => setActive(t.id)}>
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" className="snippet-block">
        {tab.note ? (
          <p className="muted" style={{ margin: 0 }}>
            {tab.note}
          </p>
        ) : null}
        <pre data-testid={`snippet-${tab.id}`}>
          <code>{tab.code}</code>
        </pre>
        <div className="row">
          <CopyButton text={tab.code} />
        </div>
      </div>
    </div>
  );
}
