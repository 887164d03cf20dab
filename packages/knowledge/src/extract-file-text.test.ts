import { describe, expect, it } from 'vitest';
import { makeTextPdf as tinyPdf } from '@pocketping/testkit';
import { extractFileText } from './extract-file-text.js';

describe('extractFileText', () => {
  it('reads Markdown, text and HTML files', async () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    expect(await extractFileText('guide.md', enc('# Guide\n\nHello'))).toEqual({
      title: 'Guide',
      text: '# Guide\n\nHello',
    });
    expect(await extractFileText('notes.txt', enc('\uFEFFplain'))).toEqual({ title: 'notes', text: 'plain' });
    expect(await extractFileText('a.html', enc('<title>T</title><script>x()</script><p>Body</p>'))).toEqual({
      title: 'T',
      text: 'Body',
    });
  });

  it('reads the text layer of a PDF (pdf.js on Node), with its title when it has one', async () => {
    expect(await extractFileText('warranty.pdf', tinyPdf('Every kettle has a two-year warranty.'))).toEqual({
      title: 'warranty',
      text: 'Every kettle has a two-year warranty.',
    });
    expect((await extractFileText('w.pdf', tinyPdf('Text', 'Kettle manual'))).title).toBe('Kettle manual');
  });

  it('refuses other types, binary text files, broken PDFs and PDFs without text', async () => {
    await expect(extractFileText('a.docx', new Uint8Array([80, 75]))).rejects.toThrow(/Only .txt/);
    await expect(extractFileText('a.txt', new Uint8Array([0xff, 0xfe, 0x00]))).rejects.toThrow(/UTF-8/);
    await expect(extractFileText('a.pdf', new TextEncoder().encode('hello'))).rejects.toThrow(/not a PDF/);
    await expect(extractFileText('a.pdf', new TextEncoder().encode('%PDF-1.4 garbage'))).rejects.toThrow(
      /readable PDF/,
    );
    await expect(extractFileText('a.pdf', tinyPdf(''))).rejects.toThrow(/no text layer/);
  });
});
