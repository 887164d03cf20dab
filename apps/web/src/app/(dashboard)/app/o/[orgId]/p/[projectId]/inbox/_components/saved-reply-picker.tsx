'use client';

import { useEffect, useState, type KeyboardEvent, type ReactNode } from 'react';
import type { TSavedReply } from '@pocketping/protocol';

/** The reply box holds only `/` or `#` and the start of a shortcut: the list opens. */
const TRIGGER = /^[/#]([a-z0-9-]{0,32})$/i;
const SHOWN_MAX = 8;
const LISTBOX_ID = 'saved-reply-list';

/** Shortcuts starting with what was typed first, then titles containing it. */
export function matchSavedReplies(replies: readonly TSavedReply[], query: string): TSavedReply[] {
  const q = query.toLowerCase();
  const byShortcut = replies.filter((r) => r.shortcut.startsWith(q));
  const byTitle = replies.filter((r) => !r.shortcut.startsWith(q) && r.title.toLowerCase().includes(q));
  return [...byShortcut, ...byTitle].slice(0, SHOWN_MAX);
}

/**
 * The saved-reply list of the reply box, an ARIA combobox: the textarea keeps the focus, the arrows move the active
 * option, Enter (or a click) chooses, Escape closes it until the text changes. Choosing replaces the text with the
 * reply (`onChoose`), which stays editable before sending.
 */
export function useSavedReplyPicker(input: {
  replies: readonly TSavedReply[];
  text: string;
  onChoose: (reply: TSavedReply) => void;
}): {
  inputProps: Record<string, string | boolean | undefined>;
  onKeyDown: (e: KeyboardEvent<HTMLTextAreaElement>) => boolean;
  listbox: ReactNode;
} {
  const { replies, text, onChoose } = input;
  const [active, setActive] = useState(0);
  const [dismissed, setDismissed] = useState<string | null>(null);
  const m = TRIGGER.exec(text);
  const options = m && text !== dismissed ? matchSavedReplies(replies, m[1] ?? '') : [];
  const open = options.length > 0;
  const query = m?.[1] ?? null;

  useEffect(() => setActive(0), [query]);
  const current = Math.min(active, Math.max(0, options.length - 1));

  const choose = (r: TSavedReply) => {
    setDismissed(null);
    onChoose(r);
  };

  return {
    inputProps: {
      role: 'combobox',
      'aria-autocomplete': 'list',
      'aria-expanded': open,
      'aria-controls': LISTBOX_ID,
      'aria-activedescendant': open ? `${LISTBOX_ID}-${current}` : undefined,
    },
    onKeyDown(e) {
      if (!open) return false;
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const step = e.key === 'ArrowDown' ? 1 : -1;
        setActive((current + step + options.length) % options.length);
        return true;
      }
      if (e.key === 'Enter' && !e.shiftKey) {
        e.preventDefault();
        const r = options[current];
        if (r) choose(r);
        return true;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        setDismissed(text);
        return true;
      }
      return false;
    },
    listbox: (
      <ul id={LISTBOX_ID} role="listbox" aria-label="Saved replies" className="saved-picker" hidden={!open}>
        {options.map((r, i) => (
          <li
            key={r.id}
            id={`${LISTBOX_ID}-${i}`}
            role="option"
            aria-selected={i === current}
            className={i === current ? 'active' : undefined}
            data-shortcut={r.shortcut}
            // Keeps the focus (and the caret) in the reply box.
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => choose(r)}
          >
            <code>/{r.shortcut}</code> <strong>{r.title}</strong>{' '}
            <span className="muted">{r.body.length > 80 ? `${r.body.slice(0, 79)}…` : r.body}</span>
          </li>
        ))}
      </ul>
    ),
  };
}
