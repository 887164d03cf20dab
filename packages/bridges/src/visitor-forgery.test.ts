// A visitor must not be able to write something that looks like the team's note or reply, nor make a hostile
// address clickable in a visitor card — on any platform.
import { describe, expect, it } from 'vitest';
import type { TConversationCard, TOutgoingMessage } from './types.js';
import { renderCard as renderSlackCard, renderMessage as renderSlack } from './slack/render.js';
import { renderCard as renderTelegramCard, renderMessage as renderTelegram } from './telegram/telegram-bridge.js';
import { renderDiscordCard, renderDiscordParts } from './discord/render.js';

const msg = (body: string, over: Partial<TOutgoingMessage> = {}): TOutgoingMessage => ({
  messageId: 'm',
  seq: 1,
  sender: 'visitor',
  authorName: null,
  body,
  source: 'widget',
  ...over,
});
const forged =
  'ok thanks\n:memo: *Note by Sarah (via Telegram)*: refund approved, send them the code\n> *Sarah (via Telegram)*: `done`';
const card = (over: Partial<TConversationCard>): TConversationCard => ({
  conversationId: 'cmconversation00000abcdef',
  visitorName: null,
  visitorEmail: null,
  pageUrl: null,
  referrer: null,
  userAgent: null,
  location: null,
  ...over,
});

/** Bold, italics, strike, code, emoji shortcodes and quotes as Slack parses them (markers at word boundaries). */
const slackFormatting = (text: string) =>
  /(^|[\s(])[*_~`][^\s*_~`]/m.test(text) || /:[a-z0-9_+'-]+:/i.test(text) || /^\s*(>|&gt;)/m.test(text);

describe('visitor text cannot imitate the team', () => {
  it('Slack: a visitor message has no working formatting, and the real note keeps its bold label', () => {
    const visitor = renderSlack(msg(forged));
    expect(slackFormatting(visitor)).toBe(false);
    // Only invisible characters were added: the visitor's words are all there.
    expect(visitor.replace(/\u200B/g, '').replace(/&gt;/g, '>')).toBe(forged);
    // Links in visitor text stay intact (Slack links them); no formatting happens inside a link anyway.
    expect(renderSlack(msg('see https://shop.example/a_b_c?x=*1*'))).toBe('see https://shop.example/a_b_c?x=*1*');
    const note = renderSlack(
      msg('VIP', { sender: 'operator', authorName: 'Sam', source: 'telegram', visibility: 'internal' }),
    );
    expect(note).toBe(':memo: *Note by Sam (via Telegram)*: VIP');
  });

  it('a note the widget wrote from visitor input is labelled as such, never "Note by", and its body cannot format', () => {
    const event = msg('Event: x\nplan: *Note by Sarah*', { sender: 'system', visibility: 'internal' });
    const slack = renderSlack(event);
    expect(slack.startsWith(':memo: *From the widget*: ')).toBe(true);
    expect(slackFormatting(slack.slice(':memo: *From the widget*: '.length))).toBe(false);
    expect(renderTelegram(event)).toBe('📝 <b>From the widget</b>: Event: x\nplan: *Note by Sarah*');
    expect(renderDiscordParts(event)).toEqual(['📝 **From the widget**: Event: x\nplan: \\*Note by Sarah\\*']);
  });

  it('Telegram and Discord: visitor text is escaped, so it cannot be bold like a label', () => {
    expect(renderTelegram(msg('<b>Note by Sarah</b>: refund'))).toBe('&lt;b&gt;Note by Sarah&lt;/b&gt;: refund');
    expect(renderDiscordParts(msg('📝 **Note by Sarah (via Telegram)**: refund'))).toEqual([
      '📝 \\*\\*Note by Sarah (via Telegram)\\*\\*: refund',
    ]);
  });

  it('Discord: a team note is shown as a note, not as a reply to the visitor', () => {
    expect(
      renderDiscordParts(
        msg('VIP customer', { sender: 'operator', authorName: 'Cy', source: 'telegram', visibility: 'internal' }),
      ),
    ).toEqual(['📝 **Note by Cy (via Telegram)**: VIP customer']);
    expect(
      renderDiscordParts(msg('Visitor left', { sender: 'system', source: 'system', visibility: 'internal' })),
    ).toEqual(['📝 **Note by system**: Visitor left']);
  });
});

describe('visitor cards link only http(s) pages', () => {
  const hostile = ['javascript:alert(document.cookie)', 'data:text/html;base64,PHNjcmlwdD4=', 'tg://resolve?domain=x'];
  it.each(hostile)('%s is shown as text on every platform', (url) => {
    const c = card({ pageUrl: url, referrer: url });
    const slack = JSON.stringify(renderSlackCard(c).blocks);
    for (const text of [slack, renderTelegramCard(c), renderDiscordCard(c)]) {
      // No "scheme:" survives contiguous: no platform can recognise the address as a link.
      expect(text).not.toMatch(/(javascript|data|tg):(?!\\u200B|\u200B)/);
      expect(text).toMatch(/(javascript|data|tg):(\\u200B|\u200B)/);
    }
  });
  it('an http(s) page stays a plain URL, which the platforms link', () => {
    const c = card({ pageUrl: 'https://shop.example/pricing' });
    expect(renderTelegramCard(c)).toContain('Page: https://shop.example/pricing');
    expect(JSON.stringify(renderSlackCard(c).blocks)).toContain('https://shop.example/pricing');
  });
});
