import { describe, expect, it } from 'vitest';
import { sniffContentType } from './sniff-content-type.js';

const b = (...x: number[]) => Buffer.from(x);

describe('sniffContentType', () => {
  it.each([
    ['png', b(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0), 'x.bin', 'image/png', true],
    ['jpeg', b(0xff, 0xd8, 0xff, 0xe0, 0), 'x.jpg', 'image/jpeg', true],
    ['gif', Buffer.from('GIF89a....'), 'x.gif', 'image/gif', true],
    [
      'webp',
      Buffer.concat([Buffer.from('RIFF'), b(1, 2, 3, 4), Buffer.from('WEBPVP8 ')]),
      'x.webp',
      'image/webp',
      true,
    ],
    ['pdf', Buffer.from('%PDF-1.7\n'), 'x.pdf', 'application/pdf', false],
    [
      'docx',
      b(0x50, 0x4b, 0x03, 0x04, 0),
      'Report.DOCX',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      false,
    ],
    ['zip', b(0x50, 0x4b, 0x03, 0x04, 0), 'x.zip', 'application/zip', false],
    ['text', Buffer.from('hello\nworld\t\u00e9'), 'notes.txt', 'text/plain; charset=utf-8', false],
    ['csv', Buffer.from('a,b\n1,2\n'), 'data.csv', 'text/csv; charset=utf-8', false],
  ])('%s is recognised from its bytes', (_n, bytes, name, type, inline) => {
    expect(sniffContentType(bytes, name)).toEqual({ contentType: type, inline });
  });

  it.each([
    [
      'svg (can carry script)',
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
      'x.png',
    ],
    ['html named .txt', Buffer.from('<!DOCTYPE html><script>alert(1)</script>'), 'x.txt'],
    ['executable', b(0x4d, 0x5a, 0x90, 0x00, 0x03), 'x.exe'],
    ['binary junk', b(0x00, 0x01, 0x02, 0xfe), 'x.txt'],
    ['invalid utf-8', b(0xc3, 0x28), 'x.txt'],
    ['empty', Buffer.alloc(0), 'x.txt'],
  ])('%s is refused', (_n, bytes, name) => {
    expect(sniffContentType(bytes, name)).toBeNull();
  });
});
