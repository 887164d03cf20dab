import { Parser } from 'htmlparser2';

/** A page as the indexer reads it: its title, its text with `#` headings, and where it links to. */
export interface THtmlPage {
  title: string;
  /** Paragraphs separated by blank lines; headings as `#`…`######` lines. */
  text: string;
  /** Absolute http(s) URLs of its links (fragments removed), in document order, unique. */
  links: string[];
  /** `<meta name="robots" content="noindex">`: the page asks not to be indexed. */
  noindex: boolean;
  /** `<meta name="robots" content="nofollow">`: its links are not followed. */
  nofollow: boolean;
}

/** Content that is never the page's text: code, styling, navigation, page furniture, forms. */
const SKIP = new Set([
  'script',
  'style',
  'noscript',
  'template',
  'svg',
  'canvas',
  'iframe',
  'nav',
  'header',
  'footer',
  'aside',
  'form',
  'button',
  'select',
  'head',
]);
const BLOCK = new Set([
  'p',
  'div',
  'section',
  'article',
  'main',
  'li',
  'ul',
  'ol',
  'dl',
  'dt',
  'dd',
  'table',
  'tr',
  'blockquote',
  'pre',
  'br',
  'hr',
  'details',
  'summary',
  'figcaption',
]);

const MAX_LINKS = 2000;

/** Extracts a page's readable text and links. Never executes anything; malformed HTML is read as browsers would, roughly. */
export function htmlToText(html: string, baseUrl: string): THtmlPage {
  let base: URL | null = null;
  try {
    base = new URL(baseUrl);
  } catch {
    base = null;
  }
  const out: string[] = [];
  const links: string[] = [];
  const seen = new Set<string>();
  let title = '';
  let inTitle = false;
  let skipDepth = 0;
  const skipStack: string[] = [];
  let heading = 0;
  let preDepth = 0;
  let noindex = false;
  let nofollow = false;
  let baseSet = false;

  const parser = new Parser(
    {
      onopentag(name, attrs) {
        if (name === 'title') inTitle = true;
        if (name === 'meta' && (attrs.name ?? '').toLowerCase() === 'robots') {
          const c = (attrs.content ?? '').toLowerCase();
          if (/\bnoindex\b|\bnone\b/.test(c)) noindex = true;
          if (/\bnofollow\b|\bnone\b/.test(c)) nofollow = true;
        }
        if (name === 'base' && attrs.href && !baseSet && base) {
          try {
            base = new URL(attrs.href, base);
            baseSet = true;
          } catch {
            // keep the page's own URL
          }
        }
        if (name === 'a' && attrs.href && base && links.length < MAX_LINKS && !/\bnofollow\b/i.test(attrs.rel ?? '')) {
          try {
            const u = new URL(attrs.href, base);
            u.hash = '';
            if ((u.protocol === 'http:' || u.protocol === 'https:') && !seen.has(u.href)) {
              seen.add(u.href);
              links.push(u.href);
            }
          } catch {
            // not a URL: ignored
          }
        }
        if (SKIP.has(name) || attrs.hidden !== undefined || attrs['aria-hidden'] === 'true') {
          skipStack.push(name);
          skipDepth++;
          return;
        }
        if (skipDepth > 0) return;
        if (name === 'pre') preDepth++;
        const h = /^h([1-6])$/.exec(name);
        if (h) {
          heading = Number(h[1]);
          out.push(`\n\n${'#'.repeat(heading)} `);
        } else if (BLOCK.has(name)) out.push(name === 'li' ? '\n- ' : '\n\n');
        else if (name === 'td' || name === 'th') out.push(' | ');
      },
      ontext(text) {
        if (inTitle) {
          title += text;
          return;
        }
        if (skipDepth > 0) return;
        // Source line breaks are spaces, as a browser shows them; only block elements (and <pre>) break lines.
        out.push(preDepth > 0 ? text : text.replace(/\s+/g, ' '));
      },
      onclosetag(name) {
        if (name === 'title') inTitle = false;
        if (skipDepth > 0) {
          if (skipStack[skipStack.length - 1] === name) {
            skipStack.pop();
            skipDepth--;
          }
          return;
        }
        if (name === 'pre' && preDepth > 0) preDepth--;
        if (/^h[1-6]$/.test(name)) {
          heading = 0;
          out.push('\n\n');
        } else if (name === 'li') {
          // the next item opens its own line
        } else if (name === 'br') out.push('\n');
        else if (BLOCK.has(name)) out.push('\n\n');
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(html);
  parser.end();

  const text = out
    .join('')
    .replace(/\u00a0/g, ' ')
    .split('\n')
    .map((l) => l.replace(/[ \t\f\v]+/g, ' ').trim())
    .filter((l, i, arr) => l !== '' || (i > 0 && arr[i - 1] !== ''))
    .join('\n')
    .replace(/\n(- \n)+/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return { title: title.replace(/\s+/g, ' ').trim(), text, links, noindex, nofollow };
}
