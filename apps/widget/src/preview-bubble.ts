// The preview bubble beside the launcher: a reply that arrives while the panel is closed shows its sender and first
// words there. It lives in loader.js (plain DOM, fed by the app's public events: `message`, `unread`, `open`), so the
// opened widget's budget pays nothing for it. Text only: every value goes through textContent, never HTML.
import type { TLanguage } from './ui/i18n.js';

/** Characters of the reply shown (the rest is in the panel). */
export const PREVIEW_CHARS = 80;

const DISMISS: Record<TLanguage, string> = {
  en: 'Dismiss',
  fr: 'Masquer',
  de: 'Ausblenden',
  es: 'Ocultar',
};

// The element is also `.pp`, so the launcher's rules (font, colour, box sizing, button reset) apply to it.
export const PREVIEW_CSS = `
.pp-preview{position:fixed;right:20px;bottom:88px;z-index:2147483000;display:flex;align-items:flex-start;gap:4px;max-width:min(300px,calc(100vw - 40px));padding:10px 6px 10px 12px;border-radius:12px;background:#fff;box-shadow:0 6px 24px rgba(0,0,0,.2);animation:pp-rise .2s ease-out}
.pp-preview.pp-left{right:auto;left:20px}
.pp-preview button{padding:0;border:0;background:none;color:inherit;text-align:left;cursor:pointer}
.pp-preview strong{display:block;font-size:12px;color:#4b5563}
.pp-preview-open{flex:1;min-width:0;overflow-wrap:anywhere}
.pp-preview .pp-preview-x{width:24px;height:24px;border-radius:6px;font-size:18px;text-align:center;color:#6b7280}
.pp-preview button:focus-visible{outline:2px solid var(--pp-color,#2563eb)}
@keyframes pp-rise{from{opacity:0;transform:translateY(8px)}}
@media (prefers-reduced-motion:reduce){.pp-preview{animation:none}}
`;

/** The reply as one short line of plain text: Markdown marks dropped, links kept as their words. */
export function previewText(body: string): string {
  const plain = body
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[*_`]+/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return plain.length > PREVIEW_CHARS ? `${plain.slice(0, PREVIEW_CHARS - 1).trimEnd()}…` : plain;
}

export interface TPreviewBubble {
  /** The app's public events, as the page's listeners get them. */
  onEvent(event: string, data: unknown): void;
  remove(): void;
}

export function createPreviewBubble(opts: {
  root: ShadowRoot;
  isOpen: boolean;
  language: () => TLanguage;
  onOpen: () => void;
}): TPreviewBubble {
  const doc = opts.root.ownerDocument;
  let isOpen = opts.isOpen;
  let el: HTMLElement | null = null;

  function remove() {
    el?.remove();
    el = null;
  }

  function show(sender: string | null, text: string) {
    remove();
    el = doc.createElement('div');
    const left = opts.root.querySelector('[data-pp=root]')?.classList.contains('pp-left');
    el.className = `pp pp-preview${left ? ' pp-left' : ''}`;
    el.setAttribute('data-pp', 'preview');
    el.setAttribute('role', 'status');
    const open = doc.createElement('button');
    open.type = 'button';
    open.className = 'pp-preview-open';
    open.setAttribute('data-pp', 'preview-open');
    if (sender) {
      const name = doc.createElement('strong');
      name.textContent = sender;
      open.appendChild(name);
    }
    open.appendChild(doc.createTextNode(text));
    open.addEventListener('click', () => {
      remove();
      opts.onOpen();
    });
    const dismiss = doc.createElement('button');
    dismiss.type = 'button';
    dismiss.className = 'pp-preview-x';
    dismiss.setAttribute('data-pp', 'preview-dismiss');
    dismiss.setAttribute('aria-label', DISMISS[opts.language()]);
    dismiss.textContent = '×';
    dismiss.addEventListener('click', remove);
    el.append(open, dismiss);
    opts.root.appendChild(el);
  }

  return {
    onEvent(event, data) {
      if (event === 'open' || event === 'close') {
        isOpen = event === 'open';
        if (isOpen) remove();
      } else if (event === 'unread') {
        if (data === 0) remove();
      } else if (event === 'message' && !isOpen && data && typeof data === 'object') {
        const m = data as { authorName?: unknown; body?: unknown };
        const text = previewText(typeof m.body === 'string' ? m.body : '');
        show(typeof m.authorName === 'string' && m.authorName ? m.authorName : null, text || '📎');
      }
    },
    remove,
  };
}
