import { describe, expect, it } from 'vitest';
import { cardText, commandHelp, parseOperatorCommand } from './commands.js';

describe('parseOperatorCommand', () => {
  it('reads every command with / and with !', () => {
    expect(parseOperatorCommand('/close')).toEqual({ name: 'close' });
    expect(parseOperatorCommand('!close')).toEqual({ name: 'close' });
    expect(parseOperatorCommand('/reopen')).toEqual({ name: 'reopen' });
    expect(parseOperatorCommand('!INFO')).toEqual({ name: 'info' });
    expect(parseOperatorCommand('/help')).toEqual({ name: 'help' });
    expect(parseOperatorCommand('/note called them back\nsecond line')).toEqual({
      name: 'note',
      text: 'called them back\nsecond line',
    });
    expect(parseOperatorCommand('!ai on')).toEqual({ name: 'ai', on: true });
    expect(parseOperatorCommand('/ai off')).toEqual({ name: 'ai', on: false });
    expect(parseOperatorCommand('/ai status')).toEqual({ name: 'aiStatus' });
    expect(parseOperatorCommand('!AI')).toEqual({ name: 'aiStatus' });
    expect(parseOperatorCommand('/saved')).toEqual({ name: 'saved', shortcut: null });
    expect(parseOperatorCommand('!saved Refund')).toEqual({ name: 'saved', shortcut: 'refund' });
    expect(parseOperatorCommand('/saved@pocketping_bot  opening-hours ')).toEqual({
      name: 'saved',
      shortcut: 'opening-hours',
    });
  });
  it('lists /saved in /help', () => {
    expect(commandHelp('!')).toContain('!saved <shortcut>');
  });
  it("drops Telegram's @botname suffix", () => {
    expect(parseOperatorCommand('/close@pocketping_bot')).toEqual({ name: 'close' });
    expect(parseOperatorCommand('/note@pocketping_bot vip')).toEqual({ name: 'note', text: 'vip' });
  });
  it('leaves ordinary text alone, including paths', () => {
    expect(parseOperatorCommand('hello /close')).toBeNull();
    expect(parseOperatorCommand('/etc/hosts is wrong')).toBeNull();
    expect(parseOperatorCommand('!!!')).toBeNull();
  });
  it('flags unknown or incomplete commands instead of sending them to the visitor', () => {
    expect(parseOperatorCommand('/frobnicate')).toEqual({ name: 'unknown', raw: '/frobnicate' });
    expect(parseOperatorCommand('/note')).toEqual({ name: 'unknown', raw: '/note' });
    expect(parseOperatorCommand('/ai maybe')).toEqual({ name: 'unknown', raw: '/ai maybe' });
  });
});

describe('cardText', () => {
  it('lists what is known, skips what is not', () => {
    const t = cardText({
      conversationId: 'c1',
      visitorName: 'Ann',
      visitorEmail: null,
      pageUrl: 'https://a.test/p',
      referrer: null,
      userAgent: null,
      location: null,
      extra: { Plan: 'pro' },
      status: 'open',
    });
    expect(t).toBe('Visitor card\nName: Ann\nPage: https://a.test/p\nPlan: pro\nStatus: open');
  });
});
