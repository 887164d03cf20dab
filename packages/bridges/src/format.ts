import { isWebUrl } from '@pocketping/protocol';
import type { TConversationCard, TOutgoingMessage } from './types.js';

/** Escapes text for Telegram's HTML parse mode (only & < > are special there). */
export function escapeTelegramHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cuts text to a platform limit without splitting a surrogate pair, marking the cut. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = Array.from(text.slice(0, max - 1));
  if (cut.join('').length > max - 1) cut.pop();
  return `${cut.join('')}…`;
}

const SOURCE_LABELS: Record<string, string> = {
  telegram: 'Telegram',
  discord: 'Discord',
  slack: 'Slack',
  web: 'the dashboard',
};

export function sourceLabel(source: string): string {
  return SOURCE_LABELS[source] ?? source;
}

/**
 * How a conversation is named on every platform (topic / thread / parent title): who the visitor is, else where
 * they are (location, then the page's host and path), else "Visitor <last 6 chars of the id>". One line.
 */
export function conversationTitle(card: TConversationCard): string {
  let name = card.visitorName ?? card.visitorEmail ?? card.location ?? null;
  if (!name && card.pageUrl) {
    try {
      const u = new URL(card.pageUrl);
      name = `${u.hostname}${u.pathname === '/' ? '' : u.pathname}`;
    } catch {
      name = null;
    }
  }
  return (name ?? '').replace(/\s+/g, ' ').trim() || `Visitor ${card.conversationId.slice(-6)}`;
}

/**
 * Text the visitor controls, in whole or in part: their own messages, and the notes the widget writes from what they
 * send (trigger() data, pre-chat answers, ratings). Renderers make such text unable to format itself, so it can
 * never look like a team member's reply or note.
 */
export function isVisitorText(m: TOutgoingMessage): boolean {
  return m.sender === 'visitor' || m.source === 'widget';
}

/**
 * A note the AI fallback writes to the team — a handoff ("🙋 handoff: <reason>"), the budget reached, the provider
 * down: each means a person must answer now, so it mentions the channel where the platform can (Slack `@here`,
 * Discord `@here`); Telegram has no group mention, its post notifies the members as usual. Decided by the message's
 * kind (a system note from the AI), never by its words.
 */
export function callsTheTeam(m: TOutgoingMessage): boolean {
  return m.sender === 'system' && m.visibility === 'internal' && m.source === 'ai';
}

/** How a note the widget wrote from the visitor's input is labelled: never "Note by …", which is the team's. */
export const WIDGET_NOTE_LABEL = 'From the widget';

/**
 * A page URL or referrer for a visitor card: an http(s) URL as it is (the platform links it); anything else with a
 * zero-width space after each colon, so no platform turns a javascript:, data: or app-scheme address into a link.
 */
export function cardUrl(value: string): string {
  return isWebUrl(value) ? value : value.replace(/:/g, ':\u200B');
}

/** A name or email for a visitor card: marked "(unverified)" when the card says the customer did not sign it. */
export function shownClaim(value: string | null, verified: boolean | undefined): string | null {
  return value && verified === false ? `${value} (unverified)` : value;
}
