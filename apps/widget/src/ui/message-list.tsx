import { Component, createRef } from 'preact';
import type { ComponentChildren } from 'preact';
import type { TAiStreamEvent, TMessage, TTypingEvent, TWidgetSettings } from '@pocketping/protocol';
import type { TPendingMessage } from '../app/chat-state.js';
import { AttachmentView } from './attachment-view.js';
import { dayKey, dayLabel, formatTime } from './format.js';
import type { TLanguage, TStrings } from './i18n.js';
import { RichText } from './rich-text.js';

export interface TMessageListProps {
  messages: readonly TMessage[];
  /** Conversations closed before this one: shown above it, then a "Conversation closed" divider. */
  previous?: readonly TMessage[];
  pending: readonly TPendingMessage[];
  settings: TWidgetSettings;
  receipts: { delivered: number; read: number };
  typing: TTypingEvent | null;
  /** The AI answer being written: one growing bubble with the AI badge and its sources. */
  aiStream?: TAiStreamEvent | null;
  aiNotice?: 'handoff' | 'failed' | null;
  lang: TLanguage;
  t: TStrings;
  onRetry: (clientId: string) => void;
  now?: () => Date;
  /** Cards shown after the messages: pre-chat (after mode), away email, CSAT. */
  children?: ComponentChildren;
}

/** Pixels from the bottom within which the list keeps following new messages. */
const STICK_THRESHOLD = 80;

export type TDeliveryStatus = 'sending' | 'failed' | 'sent' | 'delivered' | 'read';

/** Where a confirmed visitor message is: the receipts are watermarks by seq. */
export function deliveryStatus(seq: number, receipts: { delivered: number; read: number }): TDeliveryStatus {
  return seq <= receipts.read ? 'read' : seq <= receipts.delivered ? 'delivered' : 'sent';
}

/** A class for its lifecycle (the app uses no hooks): the list follows new messages while scrolled to the bottom. */
export class MessageList extends Component<TMessageListProps> {
  private readonly listRef = createRef<HTMLDivElement>();
  private isStuck = true;

  override componentDidMount() {
    this.stick();
  }

  override componentDidUpdate() {
    this.stick();
  }

  private stick() {
    const list = this.listRef.current;
    if (list && this.isStuck) list.scrollTop = list.scrollHeight;
  }

  private readonly onScroll = () => {
    const list = this.listRef.current;
    if (list) this.isStuck = list.scrollHeight - list.scrollTop - list.clientHeight < STICK_THRESHOLD;
  };

  render() {
    const { messages, pending, settings, receipts, typing, lang, t, onRetry, now, children, aiStream, aiNotice } =
      this.props;
    const previous = this.props.previous ?? [];
    const today = (now ?? (() => new Date()))();
    // Only the last visitor message shows its status line ("Read"), as in most chat apps; failures always show.
    let lastVisitorSeq = 0;
    for (const m of messages) if (m.sender === 'visitor') lastVisitorSeq = m.seq;
    const rows: ComponentChildren[] = [];
    let previousDay = '';
    const separator = (iso: string) => {
      const key = dayKey(iso);
      if (key === '' || key === previousDay) return;
      previousDay = key;
      rows.push(
        <div key={`d${key}`} class="pp-day" data-pp="day" role="separator">
          {dayLabel(iso, today, lang, t)}
        </div>,
      );
    };
    // Each earlier conversation ends with its own divider, dated by its last message: "Conversation closed · Monday".
    previous.forEach((m, i) => {
      separator(m.createdAt);
      rows.push(
        <ServerMessage key={m.id} message={m} settings={settings} lang={lang} t={t} status={null} showStatus={false} />,
      );
      if (previous[i + 1]?.conversationId !== m.conversationId)
        rows.push(
          <div key={`c${m.id}`} class="pp-day" data-pp="closed-divider" role="separator">
            {`${t.closedDivider} · ${dayLabel(m.createdAt, today, lang, t)}`}
          </div>,
        );
    });
    for (const m of messages) {
      separator(m.createdAt);
      const status = m.sender === 'visitor' ? deliveryStatus(m.seq, receipts) : null;
      rows.push(
        <ServerMessage
          key={`s${m.seq}`}
          message={m}
          settings={settings}
          lang={lang}
          t={t}
          status={status}
          showStatus={m.seq === lastVisitorSeq}
        />,
      );
    }
    for (const p of pending) {
      separator(p.createdAt);
      rows.push(<PendingMessage key={`p${p.clientId}`} message={p} t={t} onRetry={onRetry} />);
    }

    return (
      <div ref={this.listRef} class="pp-messages" data-pp="messages" onScroll={this.onScroll}>
        {/* role=log is polite by default: a screen reader announces each new message without interrupting. */}
        <div role="log" aria-live="polite" aria-label={t.messages} class="pp-log">
          {settings.greeting && (
            <div class="pp-msg" data-pp="greeting" data-sender="operator">
              <div class="pp-author">{settings.operatorName}</div>
              <div class="pp-bubble">{settings.greeting}</div>
            </div>
          )}
          {rows}
          {aiStream && aiStream.text && (
            <div class="pp-msg" data-pp="ai-stream" data-sender="ai" data-state={aiStream.state} aria-busy="true">
              <div class="pp-author">
                {aiStream.authorName || t.ai}
                <span class="pp-ai" data-pp="ai-badge">
                  {t.aiBadge}
                </span>
              </div>
              <div class="pp-bubble" data-pp="body">
                {aiStream.text}
              </div>
              {aiStream.sources.map((src, i) => (
                <a
                  key={i}
                  class="pp-sources"
                  data-pp="ai-source"
                  href={src.url ?? undefined}
                  target="_blank"
                  rel="noopener noreferrer nofollow"
                >
                  {src.title}
                </a>
              ))}
            </div>
          )}
          {aiNotice && (
            <div class="pp-note" data-pp="ai-notice" data-reason={aiNotice} role="status">
              {t.aiHandoff}
            </div>
          )}
        </div>
        {typing && (
          <div class="pp-typing" data-pp="typing" role="status">
            {t.typing(typing.authorName || (typing.sender === 'ai' ? t.ai : settings.operatorName))}
          </div>
        )}
        {children}
      </div>
    );
  }
}

interface TServerMessageProps {
  message: TMessage;
  settings: TWidgetSettings;
  lang: TLanguage;
  t: TStrings;
  /** Visitor messages only: sent → delivered → read. */
  status: TDeliveryStatus | null;
  showStatus: boolean;
}

function ServerMessage({ message, settings, lang, t, status, showStatus }: TServerMessageProps) {
  const isDeleted = message.deletedAt !== null;
  const author =
    message.sender === 'operator'
      ? message.authorName || settings.operatorName
      : message.sender === 'ai'
        ? message.authorName || t.ai
        : null;
  const time = formatTime(message.createdAt, lang);
  return (
    <div
      class="pp-msg"
      data-pp="message"
      data-sender={message.sender}
      data-seq={message.seq}
      data-status={status ?? 'sent'}
      data-client-id={message.clientId ?? undefined}
    >
      {author !== null && (
        <div class="pp-author">
          {author}
          {message.sender === 'ai' && (
            <span class="pp-ai" data-pp="ai-badge">
              {t.aiBadge}
            </span>
          )}
        </div>
      )}
      {isDeleted ? (
        <div class="pp-bubble pp-deleted" data-pp="body">
          {t.deleted}
        </div>
      ) : (
        <>
          {message.body !== '' && (
            <div class="pp-bubble" data-pp="body">
              <RichText text={message.body} />
            </div>
          )}
          {message.attachments.map((a) => (
            <AttachmentView key={a.id} file={a} t={t} />
          ))}
        </>
      )}
      {message.sender !== 'system' && (
        <div class="pp-meta">
          <time dateTime={message.createdAt}>{time}</time>
          {message.editedAt !== null && !isDeleted && ` · ${t.edited}`}
          {status && showStatus && (
            <span data-pp="receipt" data-receipt={status}>
              {` · ${t[status]}`}
            </span>
          )}
        </div>
      )}
    </div>
  );
}

function PendingMessage({
  message,
  t,
  onRetry,
}: {
  message: TPendingMessage;
  t: TStrings;
  onRetry: (clientId: string) => void;
}) {
  const isFailed = message.status === 'failed';
  return (
    <div
      class="pp-msg"
      data-pp="message"
      data-sender="visitor"
      data-status={message.status}
      data-client-id={message.clientId}
    >
      {message.body !== '' && (
        <div class="pp-bubble" data-pp="body">
          <RichText text={message.body} />
        </div>
      )}
      {message.attachments.map((a) => (
        <AttachmentView key={a.id} file={a} t={t} />
      ))}
      <div class="pp-meta" role={isFailed ? 'alert' : undefined}>
        {isFailed ? (
          <>
            {t.failed}
            {message.error ? ` (${message.error}) ` : ' '}
            <button type="button" class="pp-link" data-pp="retry" onClick={() => onRetry(message.clientId)}>
              {t.retry}
            </button>
          </>
        ) : (
          t.sending
        )}
      </div>
    </div>
  );
}
