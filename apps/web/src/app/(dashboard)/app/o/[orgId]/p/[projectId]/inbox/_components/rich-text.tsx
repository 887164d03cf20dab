import type { ReactNode } from 'react';
import { parseMarkdown, type TInline } from '@pocketping/markdown';

/**
 * A message body as the widget shows it: the same parser (@pocketping/markdown) and the same elements, every
 * string a text node (React escapes it), links only http(s) and opened apart from the dashboard.
 */
export function RichText({ text }: { text: string }) {
  return <span className="rich-text">{render(parseMarkdown(text))}</span>;
}

function render(nodes: TInline[]): ReactNode[] {
  return nodes.map((n, i) => {
    if (typeof n === 'string') return n;
    if (n.kind === 'code') return <code key={i}>{n.text}</code>;
    if (n.kind === 'link')
      return (
        <a key={i} href={n.href} target="_blank" rel="noopener noreferrer">
          {render(n.children)}
        </a>
      );
    return n.kind === 'strong' ? <strong key={i}>{render(n.children)}</strong> : <em key={i}>{render(n.children)}</em>;
  });
}
