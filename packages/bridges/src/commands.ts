import { shownClaim } from './format.js';
import type { TConversationCard, TOperatorCommand } from './types.js';

/**
 * Recognises an operator command in a thread message: `/close`, `/note text`, `/ai on`… and the same words with
 * `!` (Slack does not run slash commands inside threads). Telegram appends the bot's name in groups
 * (`/close@pocketping_bot`); it is dropped. Returns null for ordinary text, including text that merely starts
 * with a slash such as a path (`/etc/hosts is wrong`).
 */
export function parseOperatorCommand(text: string): TOperatorCommand | null {
  const m = /^[/!]([A-Za-z]+)(?:@[A-Za-z0-9_]+)?(?:\s+([\s\S]*))?$/.exec(text.trim());
  if (!m) return null;
  const word = (m[1] ?? '').toLowerCase();
  const rest = (m[2] ?? '').trim();
  switch (word) {
    case 'info':
      return { name: 'info' };
    case 'close':
      return { name: 'close' };
    case 'reopen':
      return { name: 'reopen' };
    case 'help':
      return { name: 'help' };
    case 'note':
      return rest ? { name: 'note', text: rest } : { name: 'unknown', raw: text.trim() };
    case 'saved':
      // Shortcuts are stored lowercase; an invalid one is looked up anyway and answered "not found" with the list.
      return { name: 'saved', shortcut: rest ? rest.toLowerCase() : null };
    case 'ai':
      if (/^(on|enable|start)$/i.test(rest)) return { name: 'ai', on: true };
      if (/^(off|disable|stop)$/i.test(rest)) return { name: 'ai', on: false };
      if (/^(status)?$/i.test(rest)) return { name: 'aiStatus' };
      return { name: 'unknown', raw: text.trim() };
    case 'assign':
      if (!rest) return { name: 'unknown', raw: text.trim() };
      if (/^me$/i.test(rest)) return { name: 'assign', to: { kind: 'me' } };
      if (/^(none|nobody|-)$/i.test(rest)) return { name: 'assign', to: { kind: 'none' } };
      return { name: 'assign', to: { kind: 'member', query: rest.slice(0, 100) } };
    case 'tag':
    case 'untag':
      return rest ? { name: word, tag: rest } : { name: 'unknown', raw: text.trim() };
    default:
      return { name: 'unknown', raw: text.trim() };
  }
}

/** The answer to /help, the same on every platform (the prefix shown is the one the operator used). */
export function commandHelp(prefix: '/' | '!' = '/'): string {
  return [
    'Commands in a conversation thread:',
    `${prefix}info — the visitor card again`,
    `${prefix}close — close the conversation (the visitor is asked for a rating)`,
    `${prefix}reopen — reopen it`,
    `${prefix}note <text> — an internal note for your team, never shown to the visitor`,
    `${prefix}ai on | ${prefix}ai off — let the AI answer when nobody does, or not`,
    `${prefix}ai status — whether the AI may answer in this conversation`,
    `${prefix}saved — your project's saved replies; ${prefix}saved <shortcut> sends one to the visitor`,
    `${prefix}assign me | ${prefix}assign <name or email> | ${prefix}assign none — who on the team owns this conversation`,
    `${prefix}tag <name> | ${prefix}untag <name> — label the conversation (the inbox filters by tag)`,
    `${prefix}help — this list`,
  ].join('\n');
}

/** A plain-text visitor card (for /info); bridges escape it like any text. */
export function cardText(card: TConversationCard): string {
  const lines = ['Visitor card'];
  const add = (label: string, value: string | null | undefined) => {
    if (value) lines.push(`${label}: ${value.length > 300 ? `${value.slice(0, 299)}…` : value}`);
  };
  add('Name', shownClaim(card.visitorName, card.verified?.name));
  add('Email', shownClaim(card.visitorEmail, card.verified?.email));
  add('Page', card.pageUrl);
  add('Referrer', card.referrer);
  add('Location', card.location);
  add('Browser', card.userAgent);
  for (const [k, v] of Object.entries(card.extra ?? {})) add(k, v);
  if (card.status) lines.push(`Status: ${card.status}`);
  if (card.visitorOnline !== undefined)
    lines.push(`Visitor: ${card.visitorOnline ? 'on the site now' : 'not on the site'}`);
  return lines.join('\n');
}
