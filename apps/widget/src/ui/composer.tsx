import type { Ref } from 'preact';
import { useState } from 'preact/hooks';
import { LIMITS } from '../transport/protocol.js';
import { SEND_ICON } from './icons.js';
import { Icon } from './icon.js';
import { STRINGS } from './strings.js';

interface TComposerProps {
  onSend: (text: string) => boolean;
  inputRef: Ref<HTMLTextAreaElement>;
}

export function Composer({ onSend, inputRef }: TComposerProps) {
  const [text, setText] = useState('');

  const submit = (input: HTMLTextAreaElement | null) => {
    // Read the element, not only state: a value set without an input event must not be lost.
    const value = input ? input.value : text;
    if (onSend(value)) {
      setText('');
      if (input) {
        input.value = '';
        autoGrow(input);
      }
    }
  };

  return (
    <div class="pp-composer">
      <textarea
        ref={inputRef}
        class="pp-input"
        data-pp="input"
        rows={1}
        maxLength={LIMITS.messageBodyMax}
        aria-label={STRINGS.inputLabel}
        placeholder={STRINGS.placeholder}
        value={text}
        onInput={(e) => {
          setText(e.currentTarget.value);
          autoGrow(e.currentTarget);
        }}
        onKeyDown={(e) => {
          // Enter sends, Shift+Enter is a newline; Enter that confirms an IME composition is neither.
          if (e.key !== 'Enter' || e.shiftKey || e.isComposing || e.keyCode === 229) return;
          e.preventDefault();
          submit(e.currentTarget);
        }}
      />
      <button
        type="button"
        class="pp-send"
        data-pp="send"
        aria-label={STRINGS.send}
        onClick={(e) => submit(e.currentTarget.parentElement?.querySelector('textarea') ?? null)}
      >
        <Icon path={SEND_ICON} />
      </button>
    </div>
  );
}

/** Grows the textarea with its content up to the CSS max-height (CSSOM write, CSP-safe). */
function autoGrow(input: HTMLTextAreaElement) {
  input.style.height = 'auto';
  input.style.height = `${input.scrollHeight + 2}px`;
}
