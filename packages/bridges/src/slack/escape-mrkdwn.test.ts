import { describe, expect, it } from 'vitest';
import { escapeSlackText } from './escape-mrkdwn.js';
import { renderCard, renderMessage } from './render.js';

/** What Slack turns into a mention or link: any <…> token. After escaping, none may survive. */
const hasSlackToken = (text: string) => /<[^>]*>/.test(text);

describe('escapeSlackText', () => {
  it.each([
    ['<!channel> look', '&lt;!channel&gt; look'],
    ['<!here>', '&lt;!here&gt;'],
    ['<!everyone>', '&lt;!everyone&gt;'],
    ['hi <@U123ABC>', 'hi &lt;@U123ABC&gt;'],
    ['<#C024BE7LR|general>', '&lt;#C024BE7LR|general&gt;'],
    ['<https://evil.example|click>', '&lt;https://evil.example|click&gt;'],
    ['<!subteam^S123|@admins>', '&lt;!subteam^S123|@admins&gt;'],
    ['Tom & Jerry < 3 > 2', 'Tom &amp; Jerry &lt; 3 &gt; 2'],
    ['already &lt; escaped', 'already &amp;lt; escaped'],
  ])('neutralises %j', (input, expected) => {
    const out = escapeSlackText(input);
    expect(out).toBe(expected);
    expect(hasSlackToken(out)).toBe(false);
  });

  it('leaves ordinary text alone', () => {
    expect(escapeSlackText('Hello, *world* — ça va? 👋')).toBe('Hello, *world* — ça va? 👋');
  });
});

describe('renderMessage', () => {
  const base = { messageId: 'm1', seq: 1, authorName: null, source: 'widget' } as const;

  it('escapes hostile visitor text so it never mentions anyone', () => {
    const text = renderMessage({ ...base, sender: 'visitor', body: '<!channel> <@U999> <https://evil|click> & more' });
    expect(text).toBe('&lt;!channel&gt; &lt;@U999&gt; &lt;https://evil|click&gt; &amp; more');
    expect(hasSlackToken(text)).toBe(false);
  });

  it("the AI's call for a person mentions @here; the same words from anyone else stay text", () => {
    const handoff = { ...base, sender: 'system', visibility: 'internal', source: 'ai', authorName: 'Pip' } as const;
    expect(renderMessage({ ...handoff, body: '🙋 handoff: wants a refund' })).toBe(
      '<!here> :memo: *Note by Pip (via ai)*: 🙋 handoff: wants a refund',
    );
    const operatorNote = renderMessage({ ...handoff, sender: 'operator', source: 'slack', body: '🙋 handoff: x' });
    expect(operatorNote.startsWith('<!here>')).toBe(false);
  });

  it('labels a mirrored operator reply and escapes the name too', () => {
    const text = renderMessage({
      ...base,
      sender: 'operator',
      authorName: 'Sarah <!here>',
      source: 'telegram',
      body: 'Hi',
    });
    expect(text).toBe('*Sarah &lt;!here&gt; (via Telegram)*: Hi');
  });

  it('renders an operator note as a note, escaped', () => {
    const text = renderMessage({
      ...base,
      sender: 'operator',
      authorName: 'Sam',
      source: 'telegram',
      visibility: 'internal',
      body: 'VIP <!here>',
    });
    expect(text).toBe(':memo: *Note by Sam (via Telegram)*: VIP &lt;!here&gt;');
  });

  it('cuts a huge body without splitting an escape sequence', () => {
    const text = renderMessage({ ...base, sender: 'visitor', body: '&'.repeat(20_000) });
    expect(text.length).toBeLessThanOrEqual(39_000);
    expect(text.replace(/&amp;/g, '')).toBe('…');
  });
});

describe('renderCard', () => {
  it('puts visitor values in escaped mrkdwn or plain_text only', () => {
    const card = renderCard({
      conversationId: 'c1',
      visitorName: '<!channel> Mallory',
      visitorEmail: 'm@evil.example',
      pageUrl: 'https://shop.example/cart?x=<@U1>',
      referrer: null,
      userAgent: 'Mozilla/5.0',
      location: null,
    });
    expect(card.text).toBe('New conversation: &lt;!channel&gt; Mallory');
    // Slack parses mentions in mrkdwn only; plain_text (the header) is shown literally.
    const mrkdwn: string[] = [];
    JSON.stringify(card.blocks, (_k, v: unknown) => {
      if (v && typeof v === 'object' && (v as { type?: unknown }).type === 'mrkdwn')
        mrkdwn.push(String((v as { text?: unknown }).text));
      return v;
    });
    expect(mrkdwn.length).toBeGreaterThan(2);
    for (const t of mrkdwn) expect(hasSlackToken(t)).toBe(false);
    expect(mrkdwn.join('\n')).toContain('&lt;@U1&gt;');
    expect(card.blocks[0]).toMatchObject({
      type: 'header',
      text: { type: 'plain_text', text: 'New conversation: <!channel> Mallory' },
    });
  });
});
