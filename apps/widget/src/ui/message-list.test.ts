// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { h, render } from 'preact';
import type { TMessage } from '@pocketping/protocol';
import type { TPendingMessage } from '../app/chat-state.js';
import { DEFAULT_SETTINGS } from '../transport/protocol.js';
import { FR } from '../lang/fr.js';
import { EN } from '../lang/en.js';
import { MessageList } from './message-list.js';
import type { TMessageListProps } from './message-list.js';

function msg(seq: number, over: Partial<TMessage> = {}): TMessage {
  return {
    id: `m${seq}`,
    conversationId: 'c1',
    seq,
    clientId: null,
    sender: 'operator',
    authorName: 'Ann',
    body: `body ${seq}`,
    source: 'telegram',
    createdAt: '2025-03-10T10:00:00.000Z',
    editedAt: null,
    deletedAt: null,
    attachments: [],
    ...over,
  };
}

const NOW = new Date('2025-03-10T15:00:00.000Z');
let host: HTMLElement;

function show(props: Partial<TMessageListProps> = {}) {
  host = document.createElement('div');
  document.body.appendChild(host);
  render(
    h(MessageList, {
      messages: [],
      pending: [],
      settings: DEFAULT_SETTINGS,
      receipts: { delivered: 0, read: 0 },
      typing: null,
      lang: 'en',
      t: EN,
      onRetry: () => undefined,
      now: () => NOW,
      ...props,
    }),
    host,
  );
  return host;
}
const q = (sel: string) => Array.from(host.querySelectorAll<HTMLElement>(sel));

afterEach(() => {
  render(null, host);
  host.remove();
});

describe('MessageList', () => {
  it('shows HTML in a message as text, never as elements', () => {
    show({ messages: [msg(1, { body: '<img src=x onerror="alert(1)"><script>alert(2)</script><b>hi</b>' })] });
    const body = q('[data-pp="body"]')[0]!;
    expect(body.textContent).toBe('<img src=x onerror="alert(1)"><script>alert(2)</script><b>hi</b>');
    expect(body.querySelectorAll('img,script,b').length).toBe(0);
  });

  it('renders the markdown subset as elements, links only http(s), opening safely', () => {
    show({
      messages: [
        msg(1, { body: '**bold** *it* `code` [docs](https://ex.com/d) [bad](javascript:alert(1)) https://ex.com/x' }),
      ],
    });
    const body = q('[data-pp="body"]')[0]!;
    expect(body.querySelector('strong')?.textContent).toBe('bold');
    expect(body.querySelector('em')?.textContent).toBe('it');
    expect(body.querySelector('code')?.textContent).toBe('code');
    const links = Array.from(body.querySelectorAll('a'));
    expect(links.map((a) => a.getAttribute('href'))).toEqual(['https://ex.com/d', 'https://ex.com/x']);
    for (const a of links) {
      expect(a.getAttribute('rel')).toBe('noopener noreferrer');
      expect(a.getAttribute('target')).toBe('_blank');
    }
    expect(body.textContent).toContain('[bad](javascript:alert(1))');
  });

  it('separates days: Today, Yesterday, then dates in the widget language', () => {
    const messages = [
      msg(1, { createdAt: '2025-03-01T09:00:00.000Z' }),
      msg(2, { createdAt: '2025-03-01T09:05:00.000Z' }),
      msg(3, { createdAt: '2025-03-09T12:00:00.000Z' }),
      msg(4, { createdAt: '2025-03-10T12:00:00.000Z' }),
    ];
    show({ messages });
    expect(q('[data-pp="day"]').map((d) => d.textContent)).toEqual(['March 1, 2025', 'Yesterday', 'Today']);
    render(null, host);
    show({ messages, lang: 'fr', t: FR });
    expect(
      q('[data-pp="day"]')
        .map((d) => d.textContent)
        .slice(1),
    ).toEqual(['Hier', "Aujourd'hui"]);
  });

  it('tells sender kinds apart: operator name, AI badge, system note, visitor', () => {
    show({
      messages: [
        msg(1, { sender: 'operator', authorName: 'Sarah' }),
        msg(2, { sender: 'ai', authorName: null }),
        msg(3, { sender: 'system', authorName: null, body: 'Sarah joined' }),
        msg(4, { sender: 'visitor', authorName: null }),
      ],
    });
    const rows = q('[data-pp="message"]');
    expect(rows.map((r) => r.dataset.sender)).toEqual(['operator', 'ai', 'system', 'visitor']);
    expect(rows[0]!.querySelector('.pp-author')?.textContent).toBe('Sarah');
    expect(rows[1]!.querySelector('[data-pp="ai-badge"]')?.textContent).toBe('AI');
    expect(rows[1]!.querySelector('.pp-author')?.textContent).toContain('AI assistant');
    expect(rows[2]!.querySelector('.pp-author')).toBeNull();
    expect(rows[3]!.querySelector('.pp-author')).toBeNull();
  });

  it('shows sending → sent → delivered → read, and a retry button on failure', () => {
    let retried = '';
    const pending: TPendingMessage[] = [
      {
        clientId: 'cid_sending_123',
        body: 'a',
        createdAt: NOW.toISOString(),
        status: 'sending',
        error: null,
        attachments: [],
      },
      {
        clientId: 'cid_failed_1234',
        body: 'b',
        createdAt: NOW.toISOString(),
        status: 'failed',
        error: 'No answer from the server',
        attachments: [],
      },
    ];
    const visitor = (seq: number) => msg(seq, { sender: 'visitor', authorName: null });
    show({
      messages: [visitor(1), visitor(2), visitor(3)],
      pending,
      receipts: { delivered: 2, read: 1 },
      onRetry: (id) => (retried = id),
    });
    expect(q('[data-pp="message"]').map((r) => r.dataset.status)).toEqual([
      'read',
      'delivered',
      'sent',
      'sending',
      'failed',
    ]);
    // Only the latest confirmed message spells its state out.
    expect(q('[data-pp="receipt"]').map((r) => r.dataset.receipt)).toEqual(['sent']);
    expect(q('[data-pp="message"]')[4]!.textContent).toContain('Not sent (No answer from the server)');
    q('[data-pp="retry"]')[0]!.click();
    expect(retried).toBe('cid_failed_1234');
  });

  it('renders images inline from their signed URL and other files as a download link', () => {
    const attachments = [
      {
        id: 'a1',
        name: 'cat.png',
        contentType: 'image/png',
        size: 2048,
        url: 'https://rt.example.com/widget/files/t1',
      },
      {
        id: 'a2',
        name: 'report <b>.pdf',
        contentType: 'application/pdf',
        size: 3 * 1024 * 1024,
        url: 'https://rt.example.com/widget/files/t2',
      },
      { id: 'a3', name: 'evil.svg', contentType: 'image/png', size: 1, url: 'javascript:alert(1)' },
    ];
    show({ messages: [msg(1, { body: '', attachments })] });
    const img = host.querySelector('img')!;
    expect(img.getAttribute('src')).toBe('https://rt.example.com/widget/files/t1');
    expect(img.getAttribute('alt')).toBe('cat.png');
    const files = q('[data-pp="attachment"]');
    expect(files[1]!.tagName).toBe('A');
    expect(files[1]!.getAttribute('href')).toBe('https://rt.example.com/widget/files/t2');
    expect(files[1]!.textContent).toBe('report <b>.pdf3.0 MB');
    expect(files[1]!.querySelector('b')).toBeNull();
    // A URL that is not http(s) is never used: name only, no link, no image.
    expect(files[2]!.tagName).toBe('DIV');
    expect(host.querySelectorAll('img')).toHaveLength(1);
    expect(q('[data-pp="body"]')).toHaveLength(0);
  });

  it('shows the greeting, the operator typing, and announces messages politely', () => {
    show({
      settings: { ...DEFAULT_SETTINGS, greeting: 'Hello <there>' },
      typing: { sender: 'operator', authorName: 'Sarah', isTyping: true },
    });
    expect(q('[data-pp="greeting"]')[0]!.textContent).toContain('Hello <there>');
    expect(q('[data-pp="typing"]')[0]!.textContent).toBe('Sarah is typing…');
    expect(host.querySelector('[role="log"]')?.getAttribute('aria-live')).toBe('polite');
  });
});
