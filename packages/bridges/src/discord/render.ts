import { createHash } from 'node:crypto';
import type { TConversationCard, TOutgoingMessage } from '../types.js';
import {
  WIDGET_NOTE_LABEL,
  callsTheTeam,
  cardUrl,
  conversationTitle,
  previousConversation,
  shownClaim,
  sourceLabel,
  truncate,
} from '../format.js';

export const DISCORD_CONTENT_MAX = 2000;
export const DISCORD_THREAD_NAME_MAX = 100;
/** Discord's limit for `nonce` (a string of at most 25 characters). */
const NONCE_MAX = 25;

/** Characters that make Discord markdown anywhere in a line; `<` too, so `<@123>` / `<#1>` show as text, not mentions. */
const INLINE_SPECIAL = /[\\*_~`|[\]<]/g;
/** Line starts that make headings, quotes, lists and subtext. */
const LINE_START_SPECIAL = /^([ \t]*)([#>-]|\d+\.)/gm;

/**
 * Visitor text as literal text in Discord: markdown and mention syntax are backslash-escaped. Pings are impossible
 * anyway (allowed_mentions is always empty); this keeps `**`, masked links and `<@id>` from rendering at all.
 */
export function escapeDiscordMarkdown(text: string): string {
  return text
    .replace(INLINE_SPECIAL, (c) => `\\${c}`)
    .replace(LINE_START_SPECIAL, (_m, ws: string, mark: string) =>
      // "1." must become "1\." — a backslash before a digit is shown as is.
      mark.endsWith('.') ? `${ws}${mark.slice(0, -1)}\\.` : `${ws}\\${mark}`,
    );
}

/** The thread's title: who the visitor is, else where they are, else a stable fallback; one line, ≤ 100 chars. */
export function discordThreadName(card: TConversationCard): string {
  return truncate(conversationTitle(card), DISCORD_THREAD_NAME_MAX);
}

export function renderDiscordCard(card: TConversationCard): string {
  const lines = ['**New conversation**'];
  const add = (label: string, value: string | null) => {
    if (value) lines.push(`**${label}:** ${escapeDiscordMarkdown(truncate(value.replace(/\s+/g, ' '), 300))}`);
  };
  add('Name', shownClaim(card.visitorName, card.verified?.name));
  add('Email', shownClaim(card.visitorEmail, card.verified?.email));
  add('Page', card.pageUrl && cardUrl(card.pageUrl));
  add('Referrer', card.referrer && cardUrl(card.referrer));
  add('Location', card.location);
  add('Browser', card.userAgent);
  const previous = previousConversation(card);
  if (previous)
    lines.push(
      `**↩ The visitor wrote before:** ${escapeDiscordMarkdown(truncate(previous.title, 100))} (${previous.when})${previous.link ? ` ${previous.link}` : ''}`,
    );
  lines.push('', 'Reply in this thread to answer the visitor.');
  return truncate(lines.join('\n'), DISCORD_CONTENT_MAX);
}

function prefixOf(m: TOutgoingMessage): string {
  // A note (never seen by the visitor) is labelled as one, like on the other apps — not as a reply. Visitor text is
  // markdown-escaped, so it cannot produce these bold labels.
  if (m.visibility === 'internal') {
    if (m.source === 'widget') return `📝 **${WIDGET_NOTE_LABEL}**: `;
    const who = m.authorName
      ? `${escapeDiscordMarkdown(m.authorName)} (via ${escapeDiscordMarkdown(sourceLabel(m.source))})`
      : escapeDiscordMarkdown(sourceLabel(m.source));
    // The AI's call for a person pings the channel (the post allows the @here mention: discord-bridge.ts).
    return `${callsTheTeam(m) ? '@here ' : ''}📝 **Note by ${who}**: `;
  }
  switch (m.sender) {
    case 'visitor':
      return '';
    case 'operator':
      return `**${escapeDiscordMarkdown(m.authorName ?? 'Operator')} (via ${escapeDiscordMarkdown(sourceLabel(m.source))})**: `;
    case 'ai':
      return `**🤖 ${escapeDiscordMarkdown(m.authorName ?? 'AI')}**: `;
    case 'system':
      return '';
  }
}

/**
 * The message as one or more posts of ≤ 2000 characters: a long message is split (nothing is cut off), at a
 * line break or space when one is near, never inside an escape or a surrogate pair. Only the first part carries
 * the author prefix.
 */
export function renderDiscordParts(m: TOutgoingMessage, max = DISCORD_CONTENT_MAX): string[] {
  const prefix = prefixOf(m);
  const italic = m.sender === 'system' && m.visibility !== 'internal';
  const units = splitEscaped(escapeDiscordMarkdown(m.body));
  const parts: string[] = [];
  let current = prefix;
  let lastBreak = -1; // index in `current` just after a space/newline
  const wrap = (s: string) => (italic && s.trim() ? `*${s}*` : s);
  const room = max - (italic ? 2 : 0);
  for (const u of units) {
    if (current.length + u.length > room) {
      if (lastBreak > room / 2) {
        parts.push(wrap(current.slice(0, lastBreak).trimEnd()));
        current = current.slice(lastBreak);
      } else {
        parts.push(wrap(current));
        current = '';
      }
      lastBreak = -1;
    }
    current += u;
    if (u === ' ' || u === '\n') lastBreak = current.length;
  }
  if (current.length > 0 || parts.length === 0) parts.push(wrap(current));
  return parts;
}

/** Splits escaped text into units that must stay together: "\x" escapes and whole code points. */
function splitEscaped(s: string): string[] {
  const out: string[] = [];
  const chars = Array.from(s);
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === '\\' && i + 1 < chars.length) {
      out.push(c + chars[i + 1]!);
      i++;
    } else out.push(c);
  }
  return out;
}

/**
 * The `nonce` of a post (≤ 25 chars), derived from our own ids: a retry of the same post within Discord's window
 * (with enforce_nonce) returns the first message instead of creating a second one (docs/design.md §4).
 */
export function discordNonce(...key: string[]): string {
  return createHash('sha256').update(key.join(':')).digest('base64url').slice(0, NONCE_MAX);
}
