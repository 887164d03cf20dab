import type { KnownBlock, MrkdwnElement } from '@slack/web-api';
import type { TConversationCard, TOutgoingMessage } from '../types.js';
import {
  WIDGET_NOTE_LABEL,
  callsTheTeam,
  cardUrl,
  conversationTitle,
  isVisitorText,
  previousConversation,
  shownClaim,
  sourceLabel,
  truncate,
} from '../format.js';
import { escapeSlackText, escapeSlackVisitorText } from './escape-mrkdwn.js';

/** chat.postMessage truncates `text` past 40,000 characters; stay well below so a cut is ours and marked. */
const TEXT_MAX = 39_000;
/** Block Kit limits: header plain_text 150, section field 2,000, context element 2,000. */
const HEADER_MAX = 150;
const FIELD_VALUE_MAX = 300;

export function threadTitle(card: TConversationCard): string {
  return conversationTitle(card);
}

/**
 * The thread's parent: a visitor card as Block Kit plus a plain `text` fallback (notifications, screen readers).
 * Every visitor-controlled value is either plain_text (never parsed) or escaped mrkdwn.
 */
export function renderCard(card: TConversationCard): { text: string; blocks: KnownBlock[] } {
  const title = threadTitle(card);
  const fields: MrkdwnElement[] = [];
  const add = (label: string, value: string | null) => {
    if (value)
      fields.push({ type: 'mrkdwn', text: `*${label}*\n${escapeSlackText(truncate(value, FIELD_VALUE_MAX))}` });
  };
  add('Name', shownClaim(card.visitorName, card.verified?.name));
  add('Email', shownClaim(card.visitorEmail, card.verified?.email));
  add('Page', card.pageUrl && cardUrl(card.pageUrl));
  add('Referrer', card.referrer && cardUrl(card.referrer));
  add('Location', card.location);
  add('Browser', card.userAgent);
  const previous = previousConversation(card);
  if (previous) add('The visitor wrote before', `${previous.title} (${previous.when})`);
  const blocks: KnownBlock[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: truncate(`New conversation: ${title}`, HEADER_MAX), emoji: false },
    },
  ];
  // A section takes at most 10 fields; we have 7.
  if (fields.length > 0) blocks.push({ type: 'section', fields });
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: 'Reply in this thread to answer the visitor. Commands work as plain replies: `!close`, `!note text`, `!info`, `!help`.',
      },
    ],
  });
  return { text: `New conversation: ${escapeSlackText(truncate(title, 200))}`, blocks };
}

/**
 * One pipeline message as mrkdwn: visitor text as is (escaped, and unable to format itself, so it can never imitate
 * the bold labels below), others labelled.
 */
export function renderMessage(m: TOutgoingMessage): string {
  const body = isVisitorText(m) ? escapeSlackVisitorText(m.body) : escapeSlackText(m.body);
  let text: string;
  if (m.visibility === 'internal') {
    // Operator notes (/note, !note) are never seen by the visitor; the other apps show them as notes, not replies.
    // A note the widget wrote from the visitor's input says so instead of "Note by".
    const who = m.authorName
      ? `${escapeSlackText(m.authorName)} (via ${escapeSlackText(sourceLabel(m.source))})`
      : escapeSlackText(sourceLabel(m.source));
    text = m.source === 'widget' ? `:memo: *${WIDGET_NOTE_LABEL}*: ${body}` : `:memo: *Note by ${who}*: ${body}`;
    if (callsTheTeam(m)) text = `<!here> ${text}`;
    return text.length > TEXT_MAX
      ? renderMessage({ ...m, body: truncate(m.body, Math.max(1, m.body.length - (text.length - TEXT_MAX) - 16)) })
      : text;
  }
  switch (m.sender) {
    case 'visitor':
      text = body;
      break;
    case 'operator':
      text = `*${escapeSlackText(m.authorName ?? 'Operator')} (via ${escapeSlackText(sourceLabel(m.source))})*: ${body}`;
      break;
    case 'ai':
      text = `*🤖 ${escapeSlackText(m.authorName ?? 'AI')}*: ${body}`;
      break;
    case 'system':
      text = `_${body}_`;
      break;
  }
  // Cutting escaped text could split an entity such as &amp;; cut the raw body instead.
  if (text.length > TEXT_MAX)
    return renderMessage({ ...m, body: truncate(m.body, Math.max(1, m.body.length - (text.length - TEXT_MAX) - 16)) });
  return text;
}
