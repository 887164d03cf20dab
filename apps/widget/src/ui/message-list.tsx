import { useLayoutEffect, useRef } from 'preact/hooks';
import type { TMessage, TWidgetSettings } from '@pocketping/protocol';
import type { TPendingMessage } from '../app/chat-state.js';
import { STRINGS } from './strings.js';

interface TMessageListProps {
  messages: readonly TMessage[];
  pending: readonly TPendingMessage[];
  settings: TWidgetSettings;
  onRetry: (clientId: string) => void;
}

/** Pixels from the bottom within which the list keeps following new messages. */
const STICK_THRESHOLD = 80;

export function MessageList({ messages, pending, settings, onRetry }: TMessageListProps) {
  const listRef = useRef<HTMLDivElement>(null);
  const isStuckRef = useRef(true);
  const count = messages.length + pending.length;

  useLayoutEffect(() => {
    const list = listRef.current;
    if (list && isStuckRef.current) list.scrollTop = list.scrollHeight;
  }, [count]);

  const onScroll = () => {
    const list = listRef.current;
    if (list) isStuckRef.current = list.scrollHeight - list.scrollTop - list.clientHeight < STICK_THRESHOLD;
  };

  return (
    <div ref={listRef} class="pp-messages" role="log" aria-live="polite" aria-label={STRINGS.messages} data-pp="messages" onScroll={onScroll}>
      {settings.greeting && (
        <div class="pp-msg" data-pp="greeting" data-sender="operator">
          <div class="pp-author">{settings.operatorName}</div>
          <div class="pp-bubble">{settings.greeting}</div>
        </div>
      )}
      {messages.map((m) => (
        <ServerMessage key={`s${m.seq}`} message={m} settings={settings} />
      ))}
      {pending.map((p) => (
        <PendingMessage key={`p${p.clientId}`} message={p} onRetry={onRetry} />
      ))}
    </div>
  );
}

function authorOf(message: TMessage, settings: TWidgetSettings): string | null {
  if (message.sender === 'operator') return message.authorName || settings.operatorName;
  if (message.sender === 'ai') return message.authorName || STRINGS.ai;
  return null;
}

// Every body below is a text child: Preact turns it into a text node, never markup.
function ServerMessage({ message, settings }: { message: TMessage; settings: TWidgetSettings }) {
  const author = authorOf(message, settings);
  const isDeleted = message.deletedAt !== null;
  return (
    <div class="pp-msg" data-pp="message" data-sender={message.sender} data-seq={message.seq} data-status="sent" data-client-id={message.clientId ?? undefined}>
      {author !== null && <div class="pp-author">{author}</div>}
      <div class={isDeleted ? 'pp-bubble pp-deleted' : 'pp-bubble'} data-pp="body">
        {isDeleted ? STRINGS.deleted : message.body}
      </div>
      {message.editedAt !== null && !isDeleted && <div class="pp-meta">{STRINGS.edited}</div>}
    </div>
  );
}

function PendingMessage({ message, onRetry }: { message: TPendingMessage; onRetry: (clientId: string) => void }) {
  const isFailed = message.status === 'failed';
  return (
    <div class="pp-msg" data-pp="message" data-sender="visitor" data-status={message.status} data-client-id={message.clientId}>
      <div class="pp-bubble" data-pp="body">{message.body}</div>
      <div class="pp-meta" role={isFailed ? 'alert' : undefined}>
        {isFailed ? (
          <>
            {STRINGS.failed}
            {message.error ? ` (${message.error}) ` : ' '}
            <button type="button" class="pp-retry" data-pp="retry" onClick={() => onRetry(message.clientId)}>
              {STRINGS.retry}
            </button>
          </>
        ) : (
          STRINGS.sending
        )}
      </div>
    </div>
  );
}
