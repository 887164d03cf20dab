'use client';

import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { EMOJI } from './emoji-data';

const COLUMNS = 8;

/**
 * A button opening a grid of emoji. Keyboard: the arrows move within the grid, Enter or Space inserts, Escape
 * closes and gives the focus back to the button; a click outside closes it. `onPick` inserts at the reply's caret.
 */
export function EmojiPicker({ onPick }: { onPick: (emoji: string) => void }) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);
  const cells = useRef<(HTMLButtonElement | null)[]>([]);

  useEffect(() => {
    if (!open) return;
    cells.current[0]?.focus();
    const onDown = (e: MouseEvent) => {
      const t = e.target as Node;
      if (!panel.current?.contains(t) && !button.current?.contains(t)) setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [open]);

  function onKey(e: KeyboardEvent<HTMLDivElement>) {
    const i = cells.current.findIndex((c) => c === document.activeElement);
    const move: Record<string, number> = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: COLUMNS, ArrowUp: -COLUMNS };
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      setOpen(false);
      button.current?.focus();
    } else if (e.key in move && i >= 0) {
      e.preventDefault();
      const next = Math.min(EMOJI.length - 1, Math.max(0, i + (move[e.key] ?? 0)));
      cells.current[next]?.focus();
    } else if (e.key === 'Home' || e.key === 'End') {
      e.preventDefault();
      cells.current[e.key === 'Home' ? 0 : EMOJI.length - 1]?.focus();
    }
  }

  return (
    <span className="emoji-picker">
      <button
        ref={button}
        type="button"
        className="btn secondary composer-tool"
        aria-haspopup="dialog"
        aria-expanded={open}
        aria-controls="emoji-panel"
        aria-label="Insert emoji"
        title="Insert emoji"
        onClick={() => setOpen((o) => !o)}
      >
        <span aria-hidden="true">😊</span>
      </button>
      {open ? (
        <div
          ref={panel}
          id="emoji-panel"
          role="dialog"
          aria-label="Emoji"
          className="emoji-panel"
          onKeyDown={onKey}
          data-testid="emoji-panel"
        >
          {EMOJI.map(([char, name], i) => (
            <button
              key={char}
              ref={(el) => {
                cells.current[i] = el;
              }}
              type="button"
              className="emoji-cell"
              aria-label={name}
              title={name}
              tabIndex={i === 0 ? 0 : -1}
              onClick={() => {
                onPick(char);
                setOpen(false);
              }}
            >
              {char}
            </button>
          ))}
        </div>
      ) : null}
    </span>
  );
}
