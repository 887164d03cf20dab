import type { ComponentChildren } from 'preact';
import { parseMarkdown } from '@pocketping/markdown';
import type { TInline } from '@pocketping/markdown';

/** A message body: the safe Markdown subset as Preact elements; every string is a text node, never markup. */
export function RichText({ text }: { text: string }) {
  return <>{render(parseMarkdown(text))}</>;
}

function render(nodes: TInline[]): ComponentChildren[] {
  return nodes.map((n) => {
    if (typeof n === 'string') return n;
    if (n.kind === 'code') return <code>{n.text}</code>;
    if (n.kind === 'link') {
      return (
        <a href={n.href} target="_blank" rel="noopener noreferrer">
          {render(n.children)}
        </a>
      );
    }
    return n.kind === 'strong' ? <strong>{render(n.children)}</strong> : <em>{render(n.children)}</em>;
  });
}
