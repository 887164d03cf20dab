import type { Metadata } from 'next';
import { getContext } from '~/server/context';
import { loadLinkedConversation } from '~/server/notifications/visitor-link';
import { DateTime } from '~/components/date-time';
import { RichText } from '~/app/(dashboard)/app/o/[orgId]/p/[projectId]/inbox/_components/rich-text';
import { LinkReplyForm } from './link-reply-form';
import './chat-link.css';

export const metadata: Metadata = { title: 'Your conversation', robots: { index: false, follow: false } };
export const dynamic = 'force-dynamic';

/**
 * The page a visitor's reply email links to: their conversation as the widget shows it (public messages, the same
 * Markdown), and a box to answer, from any device. The signed link is the only credential; it expires.
 */
export default async function ConversationLinkPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const linked = await loadLinkedConversation(getContext(), token);
  if (!linked) {
    return (
      <main className="chat-link">
        <h1>This link has expired</h1>
        <p>
          Links in our emails work for 14 days. Write to us again from our website: your message reaches the same team.
        </p>
      </main>
    );
  }
  const { view } = linked;
  return (
    <main className="chat-link" style={{ ['--accent' as string]: view.color }}>
      <h1>{view.projectName}</h1>
      <ol className="chat-link-thread" aria-label="Messages" data-testid="link-thread">
        {view.messages.map((m) => (
          <li key={m.seq} className={`chat-link-msg ${m.sender === 'visitor' ? 'mine' : 'theirs'}`}>
            <span className="who">
              {m.sender === 'visitor' ? 'You' : (m.authorName ?? view.operatorName)} · <DateTime value={m.createdAt} />
            </span>
            <div className="bubble">
              <RichText text={m.body} />
            </div>
          </li>
        ))}
      </ol>
      {view.status === 'open' ? (
        <LinkReplyForm token={token} />
      ) : (
        <p className="chat-link-closed" role="status">
          This conversation is closed. Write to us again from our website.
        </p>
      )}
    </main>
  );
}
