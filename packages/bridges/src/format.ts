import { isWebUrl, visitorNumber } from '@pocketping/protocol';
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

/** Re-exported: the chat apps' thread titles use the visitor's short number (see @pocketping/protocol). */
export { visitorNumber };

/** Where the visitor is, for a title: the page's path ("/pricing"), or its host on a home page; null when unknown. */
function pagePlace(pageUrl: string | null): string | null {
  if (!pageUrl) return null;
  try {
    const u = new URL(pageUrl);
    return u.pathname === '/' || u.pathname === '' ? u.hostname : u.pathname;
  } catch {
    return null;
  }
}

/**
 * How a conversation is named on every platform (topic / thread / parent title), so a phone screen tells visitors
 * apart: the visitor's name or email when known; else "Visitor #<number>" and the page they wrote from
 * ("Visitor #4821 · /pricing"). Plain text on one line; each platform cuts it to its own limit and escapes it where
 * its title is parsed.
 */
export function conversationTitle(card: TConversationCard): string {
  const oneLine = (v: string | null) => (v ?? '').replace(/\s+/g, ' ').trim();
  const known = oneLine(card.visitorName) || oneLine(card.visitorEmail);
  if (known) return known;
  const who = card.visitorId ? `Visitor #${visitorNumber(card.visitorId)}` : `Visitor ${card.conversationId.slice(-6)}`;
  const place = oneLine(pagePlace(card.pageUrl));
  return place ? `${who} · ${place}` : who;
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

/** A UTC time for a note or card line: "2026-12-07 14:05 UTC". */
export function formatUtc(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * The card's mention of the visitor's previous conversation, as plain parts each renderer escapes (and links, where
 * there is a link): "Visitor #4821 · /pricing" + "closed 2026-12-07 14:05 UTC". Null when there is none.
 */
export function previousConversation(
  card: TConversationCard,
): { title: string; when: string; link: string | null } | null {
  const p = card.previous;
  if (!p) return null;
  return { title: p.title, when: p.closedAt ? `closed ${formatUtc(p.closedAt)}` : 'still open', link: p.link };
}

/** The note posted in a closed conversation's thread when the visitor writes again (a new conversation started). */
export function wroteAgainNote(input: { title: string; link: string | null }): string {
  return input.link
    ? `↪ The visitor wrote again — new conversation "${input.title}": ${input.link}`
    : `↪ The visitor wrote again — new conversation "${input.title}" (a new thread here).`;
}
