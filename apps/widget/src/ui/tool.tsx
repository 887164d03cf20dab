import type { Ref } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { isEmail } from '../shared/is-email.js';
import { EmailField } from './email-field.js';
import type { TTransportResult } from '../transport/parse-payloads.js';
import type { TFormStrings, TLanguage, TStrings } from './i18n.js';

/** The picker's emoji: a curated few that support chats use (the browser's own font draws them). */
export const EMOJI = (
  '😀 😃 😄 😁 😆 😅 😂 🙂 😉 😊 😇 🥰 😍 😘 😋 😎 🤔 🤨 😐 🙄 😏 😬 😌 😔 😴 😷 🤯 🥳 😕 😟 ' +
  '😮 😳 🥺 😢 😭 😤 😡 👍 👎 👌 ✌️ 🤞 👏 🙌 🙏 💪 👋 ❤️ 💔 🔥 ✨ 🎉 ✅ ❌ ⚠️ ❓ 💡 📎 📦 🚀'
).split(' ');

// Structural views of the widget's state and controller: naming theirs would make a circle through the extras
// contract, which names this component.
interface TToolState {
  tool?: 'emoji' | 'menu' | null;
  hasEmail: boolean;
  language: TLanguage;
  t: TStrings;
  extras: { strings: Record<TLanguage, TFormStrings> } | null;
}
interface TToolController {
  tool(tool: null): void;
  request(event: 'transcript', payload: object): Promise<TTransportResult<unknown>>;
}

interface TToolProps {
  state: TToolState;
  controller: TToolController;
  inputRef: Ref<HTMLTextAreaElement>;
}

/**
 * What the composer's ☺ and the header's ⋯ open, shipped in extras.js: the emoji picker, and the menu with "Email me
 * this conversation". Escape closes it (not the panel) and gives focus back to the composer.
 */
export function Tool({ state, controller, inputRef }: TToolProps) {
  const t = state.extras!.strings[state.language];
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => box.current?.querySelector<HTMLElement>('button,input')?.focus(), [state.tool]);
  const input = () => (inputRef as { current: HTMLTextAreaElement | null }).current;
  const close = () => {
    controller.tool(null);
    input()?.focus();
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key !== 'Escape') return;
    e.stopPropagation();
    close();
  };
  if (state.tool === 'emoji') {
    return (
      <div
        ref={box}
        class="pp-tool pp-emoji"
        data-pp="emoji-picker"
        role="group"
        aria-label={state.t.emoji}
        onKeyDown={onKeyDown}
      >
        {EMOJI.map((e) => (
          <button
            key={e}
            type="button"
            data-pp="emoji-option"
            onClick={() => {
              const el = input();
              if (el) insertAtCursor(el, e);
              close();
            }}
          >
            {e}
          </button>
        ))}
      </div>
    );
  }
  return (
    <div ref={box} class="pp-tool" data-pp="menu-panel" onKeyDown={onKeyDown}>
      <TranscriptRequest state={state} controller={controller} t={t} />
    </div>
  );
}

/** Puts `text` where the caret is (replacing a selection) and tells the composer, as typing would. */
export function insertAtCursor(el: HTMLTextAreaElement, text: string): void {
  const start = el.selectionStart ?? el.value.length;
  const end = el.selectionEnd ?? start;
  el.value = el.value.slice(0, start) + text + el.value.slice(end);
  el.selectionStart = el.selectionEnd = start + text.length;
  el.dispatchEvent(new Event('input', { bubbles: true }));
}

type TPhase = 'menu' | 'email' | 'sending' | 'sent';

/**
 * "Email me this conversation": sent at once when the visitor's email is known, else asked for first (checked
 * here, and by the server, which also asks for it when it knows none). The hourly limit comes back in words.
 */
function TranscriptRequest({ state, controller, t }: Omit<TToolProps, 'inputRef'> & { t: TFormStrings }) {
  const [phase, setPhase] = useState<TPhase>('menu');
  const [email, setEmail] = useState('');
  const [error, setError] = useState<string | null>(null);

  async function send(address?: string) {
    setPhase('sending');
    setError(null);
    const res = await controller.request('transcript', address ? { email: address } : {});
    if (res.ok) return setPhase('sent');
    // The server knows no email for this visitor: ask for one.
    if (res.error.code === 'bad_request' && !address) return setPhase('email');
    setPhase(address ? 'email' : 'menu');
    const { code, message } = res.error;
    setError(code === 'rate_limited' ? t.transcriptLimit : code === 'not_found' ? t.transcriptEmpty : message);
  }

  if (phase === 'sent') {
    return (
      <div class="pp-card" data-pp="transcript-sent" role="status">
        {t.transcriptSent}
      </div>
    );
  }
  const alert = error && (
    <div class="pp-err" role="alert" data-pp="transcript-error">
      {error}
    </div>
  );
  if (phase === 'email' || (phase === 'sending' && email)) {
    return (
      <form
        class="pp-card"
        data-pp="transcript-form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          const value = email.trim();
          if (isEmail(value)) void send(value);
          else setError(t.invalidEmail);
        }}
      >
        <EmailField label={t.transcriptEmail} value={email} isInvalid={!!error} onInput={setEmail} />
        {alert}
        <div class="pp-row">
          <button type="submit" class="pp-button" disabled={phase === 'sending'}>
            {t.transcriptSend}
          </button>
        </div>
      </form>
    );
  }
  return (
    <div>
      <button
        type="button"
        class="pp-menu-item"
        data-pp="transcript"
        disabled={phase === 'sending'}
        onClick={() => (state.hasEmail ? void send() : setPhase('email'))}
      >
        {t.transcriptAction}
      </button>
      {alert}
    </div>
  );
}
