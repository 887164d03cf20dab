'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { fillSavedReply, LIMITS, type TSavedReply } from '@pocketping/protocol';
import { api } from '~/lib/api-client';
import { OPERATOR_TYPING_EVENT } from './inbox-live';
import { EmojiPicker } from './emoji-picker';
import { useReplyAttachments } from './reply-attachments';
import { useSavedReplyPicker } from './saved-reply-picker';

/** From this many characters on, the reply box shows how many are left. */
const COUNTER_FROM = LIMITS.messageBodyMax - 500;
/** The operator's typing: one `true` every few seconds while typing, `false` after a pause, a send or a blur. */
const TYPING_REFRESH_MS = 3_000;
const TYPING_IDLE_MS = 4_000;

/** The length the server will count (ZMessageBody: CRLF → LF, trimmed). */
function bodyLength(text: string): number {
  return text.replace(/\r\n/g, '\n').trim().length;
}

/** Tells the page's live connection (inbox-live.tsx) that the operator is or stopped typing a reply. */
function useOperatorTyping(conversationId: string) {
  const state = useRef({ isTyping: false, sentAt: 0, idle: undefined as ReturnType<typeof setTimeout> | undefined });
  const emit = (isTyping: boolean) =>
    window.dispatchEvent(new CustomEvent(OPERATOR_TYPING_EVENT, { detail: { conversationId, isTyping } }));
  const stop = () => {
    const s = state.current;
    clearTimeout(s.idle);
    if (!s.isTyping) return;
    s.isTyping = false;
    emit(false);
  };
  // Leaving the page mid-sentence ends the operator's typing at the widget.
  useEffect(() => stop, []);
  return {
    input(hasText: boolean) {
      if (!hasText) return stop();
      const s = state.current;
      if (!s.isTyping || Date.now() - s.sentAt >= TYPING_REFRESH_MS) {
        s.isTyping = true;
        s.sentAt = Date.now();
        emit(true);
      }
      clearTimeout(s.idle);
      s.idle = setTimeout(stop, TYPING_IDLE_MS);
    },
    stop,
  };
}

function newClientId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `web_${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/**
 * Reply (to the visitor and every connected chat app) or internal note (team only). One clientId per message: a
 * retry after a network error stores it once. Ctrl/⌘+Enter sends. `/` or `#` at the start opens the saved replies;
 * emoji and files (Attach, or paste an image) go with the reply.
 */
export function Composer({
  orgId,
  projectId,
  conversationId,
  closed,
  savedReplies = [],
  visitorName = null,
  operatorName = null,
}: {
  orgId: string;
  projectId: string;
  conversationId: string;
  closed: boolean;
  savedReplies?: readonly TSavedReply[];
  visitorName?: string | null;
  operatorName?: string | null;
}) {
  const router = useRouter();
  const [body, setBody] = useState('');
  const [mode, setMode] = useState<'public' | 'internal'>('public');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const clientId = useRef<string>(newClientId());
  const typing = useOperatorTyping(conversationId);
  const length = bodyLength(body);
  const isTooLong = length > LIMITS.messageBodyMax;
  const textarea = useRef<HTMLTextAreaElement>(null);
  // Where the caret goes after an insertion (applied once React rendered the new text).
  const caret = useRef<number | null>(null);
  const files = useReplyAttachments(
    `/api/app/orgs/${orgId}/projects/${projectId}/conversations/${conversationId}/attachments`,
  );
  const hasContent = body.trim() !== '' || files.ids.length > 0;
  const canSend = hasContent && !busy && !isTooLong && !files.uploading && !files.failed;

  useEffect(() => {
    const el = textarea.current;
    if (el && caret.current !== null) {
      el.focus();
      el.setSelectionRange(caret.current, caret.current);
      caret.current = null;
    }
  }, [body]);

  function replaceBody(next: string, caretAt: number) {
    caret.current = caretAt;
    setBody(next);
    if (mode === 'public') typing.input(next.trim() !== '');
  }

  const picker = useSavedReplyPicker({
    replies: savedReplies,
    text: body,
    onChoose: (r) => {
      const text = fillSavedReply(r.body, { visitorName, operatorName });
      replaceBody(text, text.length);
    },
  });

  function insertEmoji(emoji: string) {
    const el = textarea.current;
    const start = el?.selectionStart ?? body.length;
    const end = el?.selectionEnd ?? body.length;
    replaceBody(body.slice(0, start) + emoji + body.slice(end), start + emoji.length);
  }

  async function send(e?: FormEvent) {
    e?.preventDefault();
    if (!canSend) return;
    typing.stop();
    setBusy(true);
    setError(null);
    try {
      await api(`/api/app/orgs/${orgId}/projects/${projectId}/conversations/${conversationId}/messages`, {
        body: { body, visibility: mode, clientId: clientId.current, attachmentIds: files.ids },
      });
      setBody('');
      files.clear();
      clientId.current = newClientId();
      router.refresh();
    } catch (err) {
      setError(err instanceof Error ? err.message : 'Could not send');
    } finally {
      setBusy(false);
    }
  }

  function onKey(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (picker.onKeyDown(e)) return;
    if (e.key === 'Enter' && (e.metaKey || e.ctrlKey)) void send();
  }

  return (
    <form className={`composer ${mode}`} onSubmit={(e) => void send(e)}>
      <div className="composer-tabs" role="tablist" aria-label="Message type">
        <button
          type="button"
          role="tab"
          aria-selected={mode === 'public'}
          className={mode === 'public' ? 'active' : ''}
          onClick={() => setMode('public')}
        >
          Reply
        </button>
        <button
          type="button"
          role="tab"
          aria-selected={mode === 'internal'}
          className={mode === 'internal' ? 'active' : ''}
          onClick={() => {
            typing.stop();
            setMode('internal');
          }}
        >
          Internal note
        </button>
      </div>
      <label className="sr-only" htmlFor="composer-body">
        {mode === 'public' ? 'Reply to the visitor' : 'Internal note for your team'}
      </label>
      <textarea
        ref={textarea}
        id="composer-body"
        {...picker.inputProps}
        value={body}
        onChange={(e) => {
          setBody(e.target.value);
          // Notes are the team's own: the visitor never sees anyone typing one.
          if (mode === 'public') typing.input(e.target.value.trim() !== '');
        }}
        onBlur={typing.stop}
        onKeyDown={onKey}
        onPaste={files.onPaste}
        aria-invalid={isTooLong || undefined}
        aria-describedby={length >= COUNTER_FROM ? 'composer-count' : undefined}
        placeholder={
          mode === 'public'
            ? closed
              ? 'Reply (the conversation is closed; the visitor still sees it)…'
              : 'Reply to the visitor…'
            : 'Note for your team — never shown to the visitor'
        }
      />
      {picker.listbox}
      {files.list}
      {length >= COUNTER_FROM ? (
        // Nothing is ever cut: over the limit, the message stays as written and Send waits until it fits.
        <p
          id="composer-count"
          className={isTooLong ? 'alert error' : 'muted'}
          role={isTooLong ? 'alert' : undefined}
          data-testid="composer-count"
          data-state={isTooLong ? 'over' : 'near'}
        >
          {isTooLong
            ? `Too long: ${length.toLocaleString('en-US')} of ${LIMITS.messageBodyMax.toLocaleString('en-US')} characters. Shorten it by ${(length - LIMITS.messageBodyMax).toLocaleString('en-US')} to send.`
            : `${(LIMITS.messageBodyMax - length).toLocaleString('en-US')} characters left`}
        </p>
      ) : null}
      {error ? <p className="alert error">{error}</p> : null}
      <div className="row composer-actions">
        <span className="row composer-tools">
          <EmojiPicker onPick={insertEmoji} />
          {files.button}
        </span>
        <small className="muted">
          {mode === 'public'
            ? 'Sent to the widget and your chat apps.'
            : 'Visible to your team here and in your chat apps.'}{' '}
          Ctrl+Enter to send{savedReplies.length > 0 ? ', / for saved replies' : ''}.
        </small>
        <button type="submit" className="btn" disabled={!canSend}>
          {busy ? 'Sending…' : mode === 'public' ? 'Send reply' : 'Add note'}
        </button>
      </div>
    </form>
  );
}
