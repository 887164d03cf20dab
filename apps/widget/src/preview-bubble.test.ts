// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { createPreviewBubble, previewText } from './preview-bubble.js';

let host: HTMLElement;
afterEach(() => host?.remove());

function setup(isOpen = false) {
  host = document.createElement('div');
  document.body.appendChild(host);
  const root = host.attachShadow({ mode: 'open' });
  const wrap = document.createElement('div');
  wrap.setAttribute('data-pp', 'root');
  wrap.className = 'pp pp-left';
  root.appendChild(wrap);
  let opened = 0;
  const bubble = createPreviewBubble({ root, isOpen, language: () => 'fr', onOpen: () => void opened++ });
  return { root, bubble, opened: () => opened, find: () => root.querySelector<HTMLElement>('[data-pp=preview]') };
}

describe('preview bubble', () => {
  it('shows a reply that arrives while the panel is closed, as text only, on the launcher side', () => {
    const { bubble, find } = setup();
    bubble.onEvent('message', { sender: 'operator', authorName: 'Sarah <b>', body: 'Hi <img src=x onerror=alert(1)>' });
    const el = find()!;
    expect(el.classList.contains('pp-left')).toBe(true);
    expect(el.querySelector('strong')?.textContent).toBe('Sarah <b>');
    expect(el.textContent).toContain('Hi <img src=x onerror=alert(1)>');
    expect(el.querySelector('img, b')).toBeNull();
    expect(el.querySelector('[data-pp=preview-dismiss]')?.getAttribute('aria-label')).toBe('Masquer');
  });

  it('shows nothing while the panel is open, and goes when it opens or everything is read', () => {
    const { bubble, find } = setup(true);
    bubble.onEvent('message', { sender: 'operator', authorName: 'Sarah', body: 'Hello' });
    expect(find()).toBeNull();
    bubble.onEvent('close', undefined);
    bubble.onEvent('message', { sender: 'ai', authorName: 'Bot', body: 'First' });
    bubble.onEvent('message', { sender: 'ai', authorName: 'Bot', body: 'Second' });
    expect(find()!.textContent).toContain('Second');
    expect(find()!.textContent).not.toContain('First');
    bubble.onEvent('unread', 1);
    expect(find()).not.toBeNull();
    bubble.onEvent('unread', 0);
    expect(find()).toBeNull();
    bubble.onEvent('message', { sender: 'operator', authorName: null, body: 'Again' });
    bubble.onEvent('open', undefined);
    expect(find()).toBeNull();
  });

  it('opens the chat on click; the dismiss button only hides it', () => {
    const { bubble, find, opened } = setup();
    bubble.onEvent('message', { sender: 'operator', authorName: 'Sarah', body: 'Hello' });
    find()!.querySelector<HTMLElement>('[data-pp=preview-dismiss]')!.click();
    expect(find()).toBeNull();
    expect(opened()).toBe(0);
    bubble.onEvent('message', { sender: 'operator', authorName: 'Sarah', body: 'Hello again' });
    find()!.querySelector<HTMLElement>('[data-pp=preview-open]')!.click();
    expect(opened()).toBe(1);
    expect(find()).toBeNull();
  });

  it('previews a short plain line: Markdown marks dropped, links as their words, cut at 80 characters', () => {
    expect(previewText('**Yes**, see [our page](https://x.test) or `code`')).toBe('Yes, see our page or code');
    const long = previewText('word '.repeat(40));
    expect(long.length).toBeLessThanOrEqual(80);
    expect(long.endsWith('…')).toBe(true);
    expect(previewText('  a\n\nb  ')).toBe('a b');
  });
});
