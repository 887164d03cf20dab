import { describe, expect, it } from 'vitest';
import { chunkText } from './chunk-text.js';

const sentence = (i: number) => `Sentence number ${i} explains one fact about invoices in some detail.`;

describe('chunkText', () => {
  it('splits by headings and names each passage after its section path', () => {
    const chunks = chunkText({
      title: 'Billing',
      text: '# Billing\n\nIntro to billing.\n\n## Refunds\n\nRefunds take 5 days.\n\n### Partial refunds\n\nPartial ones too.\n\n## Invoices\n\nInvoices are monthly.',
    });
    expect(chunks.map((c) => c.title)).toEqual([
      'Billing',
      'Billing › Refunds',
      'Billing › Refunds › Partial refunds',
      'Billing › Invoices',
    ]);
    expect(chunks[1]!.text).toBe('Refunds take 5 days.');
  });

  it('bounds passages by size and overlaps consecutive ones by whole sentences', () => {
    const text = Array.from({ length: 60 }, (_, i) => sentence(i)).join(' ');
    const chunks = chunkText({ title: 'T', text }, { maxChars: 400, overlapChars: 120 });
    expect(chunks.length).toBeGreaterThan(5);
    for (const c of chunks) expect(c.text.length).toBeLessThanOrEqual(400);
    for (let i = 1; i < chunks.length; i++) {
      const firstSentence = chunks[i]!.text.split(/(?<=\.)\s/)[0]!;
      // The next passage starts with a sentence the previous one ended with.
      expect(chunks[i - 1]!.text).toContain(firstSentence);
    }
    // Nothing is lost: every sentence is in some passage.
    for (let i = 0; i < 60; i++) expect(chunks.some((c) => c.text.includes(sentence(i)))).toBe(true);
  });

  it('cuts a sentence or a word longer than a passage instead of dropping it', () => {
    const long = 'x'.repeat(1000);
    const chunks = chunkText({ title: 'T', text: `${long} short words here` }, { maxChars: 300, overlapChars: 0 });
    expect(chunks.every((c) => c.text.length <= 300)).toBe(true);
    expect(
      chunks
        .map((c) => c.text)
        .join('')
        .replace(/\s/g, ''),
    ).toContain('x'.repeat(1000));
  });

  it('gives nothing for empty text and merges a short remainder into its section', () => {
    expect(chunkText({ title: 'T', text: '  \n\n ' })).toEqual([]);
    const chunks = chunkText({ title: 'T', text: `${'a '.repeat(280)}\n\nend.` }, { maxChars: 600, minChars: 50 });
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.text.endsWith('end.')).toBe(true);
  });
});
