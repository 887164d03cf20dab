// The tiny Markdown subset a chat needs — **bold**, *italic*, `code`, [text](url) and bare URLs — parsed into a
// tree of plain strings and tags. Nothing is ever turned into HTML: the renderer builds Preact elements and
// every string ends up in a text node. Links are only http(s).

export type TInline =
  | string
  | { kind: 'strong' | 'em'; children: TInline[] }
  | { kind: 'code'; text: string }
  | { kind: 'link'; href: string; children: TInline[] };

/** Bold/italic inside bold/italic inside … stops here; deeper markers stay literal text. */
const MAX_DEPTH = 3;
const LINK = /^\[([^\]\n]{1,500})\]\(([^\s()]{1,2000})\)/;
const BARE_URL = /^https?:\/\/[^\s<>"'`]{1,2000}/i;
/** Punctuation that ends a sentence rather than a URL. */
const TRAILING = /[.,;:!?)\]'"*_]+$/;

/** An absolute http(s) URL, normalised; null for anything else (javascript:, data:, relative, malformed). */
export function safeHref(raw: string): string | null {
  if (!/^https?:\/\//i.test(raw)) return null;
  try {
    const url = new URL(raw);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

export function parseMarkdown(text: string, depth = 0): TInline[] {
  const out: TInline[] = [];
  let plain = '';
  // Where a search for a closing marker failed, every later search in that paragraph fails too (its candidates are
  // a subset): remembering the paragraph's end keeps unmatched stars linear instead of quadratic.
  const noCloseUntil: Record<string, number> = {};
  const flush = () => {
    if (plain) out.push(plain);
    plain = '';
  };
  let i = 0;
  while (i < text.length) {
    const c = text.charAt(i);
    const rest = text.slice(i);

    if (c === '`') {
      const end = text.indexOf('`', i + 1);
      if (end > i + 1) {
        flush();
        out.push({ kind: 'code', text: text.slice(i + 1, end) });
        i = end + 1;
        continue;
      }
    } else if (c === '*' && depth < MAX_DEPTH) {
      const marker = text.charAt(i + 1) === '*' ? '**' : '*';
      const end = i < (noCloseUntil[marker] ?? -1) ? -1 : findClosing(text, i + marker.length, marker);
      if (end === -1 && !/\s/.test(text.charAt(i + marker.length))) {
        const paragraphEnd = text.indexOf('\n\n', i);
        noCloseUntil[marker] = paragraphEnd === -1 ? text.length : paragraphEnd;
      }
      if (end !== -1) {
        flush();
        out.push({
          kind: marker === '**' ? 'strong' : 'em',
          children: parseMarkdown(text.slice(i + marker.length, end), depth + 1),
        });
        i = end + marker.length;
        continue;
      }
    } else if (c === '[') {
      const m = LINK.exec(rest);
      const href = m ? safeHref(m[2]!) : null;
      if (m && href) {
        flush();
        out.push({ kind: 'link', href, children: depth < MAX_DEPTH ? parseMarkdown(m[1]!, MAX_DEPTH) : [m[1]!] });
        i += m[0].length;
        continue;
      }
    } else if ((c === 'h' || c === 'H') && !/\w/.test(text.charAt(i - 1))) {
      const m = BARE_URL.exec(rest);
      if (m) {
        const url = m[0].replace(TRAILING, '');
        const href = safeHref(url);
        if (href && url.length > 8) {
          flush();
          out.push({ kind: 'link', href, children: [url] });
          i += url.length;
          continue;
        }
      }
    }
    plain += c;
    i++;
  }
  flush();
  return out;
}

/** The closing marker: content non-empty, not padded with spaces, within the same paragraph. */
function findClosing(text: string, from: number, marker: string): number {
  if (from >= text.length || /\s/.test(text.charAt(from))) return -1;
  const paragraphEnd = text.indexOf('\n\n', from);
  const limit = paragraphEnd === -1 ? text.length : paragraphEnd;
  let j = from;
  for (;;) {
    j = text.indexOf(marker, j);
    if (j === -1 || j >= limit) return -1;
    // In a run like `***`, `**` closes with the last two stars so an inner `*` can close first.
    if (marker === '**' && text.charAt(j + 2) === '*') j++;
    // `*` must not close on a star that belongs to a `**`.
    const isExact = marker === '**' || (text.charAt(j + 1) !== '*' && text.charAt(j - 1) !== '*');
    if (j > from && isExact && !/\s/.test(text.charAt(j - 1))) return j;
    j += marker.length;
  }
}
