import { describe, expect, it } from 'vitest';
import { visitorNumber } from '../format.js';
import { discordNonce, discordThreadName, escapeDiscordMarkdown, renderDiscordParts } from './render.js';
import type { TOutgoingMessage } from '../types.js';

const msg = (body: string, over: Partial<TOutgoingMessage> = {}): TOutgoingMessage => ({
  messageId: 'cm0000000000000000000000a',
  seq: 1,
  sender: 'visitor',
  authorName: null,
  body,
  source: 'widget',
  ...over,
});
const base = {
  conversationId: 'cmconversation00000abcdef',
  visitorName: null,
  visitorEmail: null,
  pageUrl: null,
  referrer: null,
  userAgent: null,
  location: null,
};

describe('Discord rendering', () => {
  it('escapes markdown and mention syntax so visitor text renders literally', () => {
    expect(escapeDiscordMarkdown('**bold** <@123> [x](https://evil) `c`')).toBe(
      '\\*\\*bold\\*\\* \\<@123> \\[x\\](https://evil) \\`c\\`',
    );
    expect(escapeDiscordMarkdown('# title\n> quote\n- item\n1. first')).toBe(
      '\\# title\n\\> quote\n\\- item\n1\\. first',
    );
    expect(escapeDiscordMarkdown('a-b 3.5 #tag')).toBe('a-b 3.5 #tag');
  });

  it('splits at 2000 characters without losing text or breaking an escape', () => {
    const body = `${'word '.repeat(700)}*end*`;
    const parts = renderDiscordParts(msg(body));
    expect(parts.length).toBe(2);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(2000);
    expect(parts.join(' ').replace(/\s+/g, ' ').trim()).toBe(escapeDiscordMarkdown(body).replace(/\s+/g, ' ').trim());
    const escapes = renderDiscordParts(msg('*'.repeat(1500)));
    expect(escapes.every((p) => p.length <= 2000 && !p.endsWith('\\') && /^(\\\*)+$/.test(p))).toBe(true);
    expect(escapes.join('')).toBe('\\*'.repeat(1500));
  });

  it('prefixes operator replies with name and source; emoji are never split', () => {
    expect(renderDiscordParts(msg('hi', { sender: 'operator', authorName: 'Sarah_x', source: 'telegram' }))).toEqual([
      '**Sarah\\_x (via Telegram)**: hi',
    ]);
    const parts = renderDiscordParts(msg('😀'.repeat(1500)));
    expect(parts.join('')).toBe('😀'.repeat(1500));
  });

  it('names threads from the visitor, ≤ 100 chars, one line', () => {
    expect(discordThreadName({ ...base, visitorName: 'Ada\nLovelace' })).toBe('Ada Lovelace');
    expect(discordThreadName({ ...base, pageUrl: 'https://shop.example/pricing?x=1' })).toBe(
      'Visitor abcdef · /pricing',
    );
    expect(discordThreadName({ ...base, visitorId: 'v1', pageUrl: 'https://shop.example/' })).toBe(
      `Visitor #${visitorNumber('v1')} · shop.example`,
    );
    expect(discordThreadName({ ...base })).toBe('Visitor abcdef');
    expect(discordThreadName({ ...base, visitorName: 'x'.repeat(300) }).length).toBe(100);
  });

  it('nonces are ≤ 25 chars and stable per message part', () => {
    expect(discordNonce('msg', 'a', '0')).toHaveLength(25);
    expect(discordNonce('msg', 'a', '0')).toBe(discordNonce('msg', 'a', '0'));
    expect(discordNonce('msg', 'a', '1')).not.toBe(discordNonce('msg', 'a', '0'));
  });
});
