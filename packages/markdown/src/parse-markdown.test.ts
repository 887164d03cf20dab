import { describe, expect, it } from 'vitest';
import { parseMarkdown, safeHref } from './parse-markdown.js';

describe('parseMarkdown', () => {
  it('parses the subset: bold, italic, code, links, bare URLs', () => {
    expect(parseMarkdown('a **b** *c* `d` e')).toEqual([
      'a ',
      { kind: 'strong', children: ['b'] },
      ' ',
      { kind: 'em', children: ['c'] },
      ' ',
      { kind: 'code', text: 'd' },
      ' e',
    ]);
    expect(parseMarkdown('see [the docs](https://ex.com/a?b=1) now')).toEqual([
      'see ',
      { kind: 'link', href: 'https://ex.com/a?b=1', children: ['the docs'] },
      ' now',
    ]);
    expect(parseMarkdown('go to https://ex.com/x. Thanks')).toEqual([
      'go to ',
      { kind: 'link', href: 'https://ex.com/x', children: ['https://ex.com/x'] },
      '. Thanks',
    ]);
    expect(parseMarkdown('(http://ex.com/a)')).toEqual([
      '(',
      { kind: 'link', href: 'http://ex.com/a', children: ['http://ex.com/a'] },
      ')',
    ]);
    expect(parseMarkdown('**bold *and italic***')).toEqual([
      { kind: 'strong', children: ['bold ', { kind: 'em', children: ['and italic'] }] },
    ]);
    expect(parseMarkdown('line 1\n**line 2**')).toEqual(['line 1\n', { kind: 'strong', children: ['line 2'] }]);
  });

  it('keeps code literal: no markup inside backticks', () => {
    expect(parseMarkdown('`**x** [a](https://e.com)`')).toEqual([{ kind: 'code', text: '**x** [a](https://e.com)' }]);
  });

  it('leaves unmatched or spaced markers as text', () => {
    expect(parseMarkdown('2 * 3 * 4')).toEqual(['2 * 3 * 4']);
    expect(parseMarkdown('**open')).toEqual(['**open']);
    expect(parseMarkdown('`')).toEqual(['`']);
    expect(parseMarkdown('``')).toEqual(['``']);
    expect(parseMarkdown('a*b')).toEqual(['a*b']);
  });

  it('never produces a link that is not http(s)', () => {
    const hostile = [
      '[x](javascript:alert(1))',
      '[x](JaVaScRiPt:alert(1))',
      '[x](data:text/html;base64,PHNjcmlwdD4=)',
      '[x](vbscript:msgbox)',
      '[x](//evil.com)',
      '[x](/relative)',
      '[x](java\tscript:alert(1))',
      'javascript:alert(1)',
      '[x](https://)',
      'xhttps://e.com',
    ];
    for (const input of hostile) {
      const links = JSON.stringify(parseMarkdown(input)).match(/"href":"[^"]*"/g) ?? [];
      for (const l of links) expect(l).toMatch(/^"href":"https?:\/\//);
    }
    expect(parseMarkdown('[x](javascript:alert(1))')).toEqual(['[x](javascript:alert(1))']);
    expect(parseMarkdown('xhttps://e.com')).toEqual(['xhttps://e.com']);
  });

  it('passes HTML through as plain text', () => {
    const html = '<img src=x onerror=alert(1)><script>alert(1)</script>';
    expect(parseMarkdown(html)).toEqual([html]);
    expect(parseMarkdown('**<b>x</b>**')).toEqual([{ kind: 'strong', children: ['<b>x</b>'] }]);
    // A quote cannot break out of the href: the URL stops at it.
    expect(parseMarkdown('https://e.com/"onmouseover="x')).toEqual([
      { kind: 'link', href: 'https://e.com/', children: ['https://e.com/'] },
      '"onmouseover="x',
    ]);
  });

  it('stays fast and bounded on pathological input', () => {
    for (const input of [
      '*'.repeat(4000),
      '**a'.repeat(1333),
      '`'.repeat(4000),
      '['.repeat(4000),
      '[a]('.repeat(800),
      'https://'.repeat(500),
      '*a '.repeat(1333),
    ]) {
      const started = Date.now();
      const tree = parseMarkdown(input);
      expect(Date.now() - started).toBeLessThan(500);
      expect(JSON.stringify(tree).length).toBeLessThan(input.length * 8);
    }
    // Nesting is capped: deep markers stay text instead of recursing without end.
    expect(JSON.stringify(parseMarkdown('*'.repeat(20) + 'x' + '*'.repeat(20)))).toContain('*');
  });
});

describe('safeHref', () => {
  it('accepts only absolute http(s) URLs', () => {
    expect(safeHref('https://ex.com')).toBe('https://ex.com/');
    expect(safeHref('HTTP://EX.com/a')).toBe('http://ex.com/a');
    for (const bad of ['javascript:alert(1)', 'data:x', 'ftp://x', '//x.com', '/x', 'https://', ' https://x.com'])
      expect(safeHref(bad)).toBeNull();
  });
});
