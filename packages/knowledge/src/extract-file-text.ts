import { extractPdfText, PDF_MAX_PAGES, PdfTextError } from './extract-pdf-text.js';
import { htmlToText } from './html-to-text.js';

/**
 * Files the knowledge page accepts. Text, Markdown and HTML: their text is extracted at upload and stored, the bytes
 * are not kept. PDF: the bytes are kept until the knowledge worker has read them (readPdfFile), then only the text.
 */
export const KNOWLEDGE_FILE_TYPES = ['.txt', '.md', '.markdown', '.html', '.htm', '.pdf'] as const;

export class UnsupportedFileError extends Error {
  override name = 'UnsupportedFileError';
}

/** The file's extension, lower case; refuses a type the knowledge page does not take. */
function knowledgeFileExtension(name: string): string {
  const ext = /\.[a-z0-9]+$/i.exec(name)?.[0]?.toLowerCase() ?? '';
  if (!(KNOWLEDGE_FILE_TYPES as readonly string[]).includes(ext))
    throw new UnsupportedFileError(
      `Only ${KNOWLEDGE_FILE_TYPES.join(', ')} files can be added (got ${ext || 'no extension'})`,
    );
  return ext;
}

/** Whether an upload of this name is a PDF: checked at once, read later by the knowledge worker (readPdfFile). */
export function isPdfFileName(name: string): boolean {
  return knowledgeFileExtension(name) === '.pdf';
}

/** The quick check an upload gets before it is kept: the bytes start like a PDF (parsing is the worker's). */
export function assertPdfBytes(bytes: Uint8Array): void {
  if (Buffer.from(bytes.subarray(0, 1024)).indexOf('%PDF-') < 0)
    throw new UnsupportedFileError('The file is not a PDF');
}

/**
 * The text of a PDF, one paragraph per page (at most PDF_MAX_PAGES pages, within the parser's time limit), with its
 * title when it has one. Refuses a PDF that does not parse or has no text layer, with a reason the owner can read.
 */
export async function readPdfFile(
  bytes: Uint8Array,
  fallbackTitle: string,
): Promise<{ title: string; text: string; warnings: string[] }> {
  assertPdfBytes(bytes);
  let pdf;
  try {
    pdf = await extractPdfText(bytes);
  } catch (err) {
    if (err instanceof PdfTextError) throw new UnsupportedFileError(err.message);
    throw err;
  }
  if (!pdf.text.trim()) throw new UnsupportedFileError('The PDF has no text layer (a scan?): nothing to index');
  const warnings =
    pdf.pages > PDF_MAX_PAGES ? [`Only the first ${PDF_MAX_PAGES} of the PDF's ${pdf.pages} pages were read`] : [];
  return { title: pdf.title ?? fallbackTitle, text: pdf.text, warnings };
}

/**
 * The text of an uploaded knowledge file, with `#` headings where the format has them (Markdown as is, HTML
 * converted, PDF one paragraph per page). Refuses other types, text files that are not UTF-8 text (binary content, a
 * PDF renamed .txt) and PDFs that do not parse or have no text layer.
 */
export async function extractFileText(name: string, bytes: Uint8Array): Promise<{ title: string; text: string }> {
  const ext = knowledgeFileExtension(name);
  const base = name.replace(/\.[a-z0-9]+$/i, '');
  if (ext === '.pdf') {
    const pdf = await readPdfFile(bytes, base);
    return { title: pdf.title, text: pdf.text };
  }
  let raw: string;
  try {
    raw = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new UnsupportedFileError('The file is not UTF-8 text');
  }
  if (raw.includes('\u0000')) throw new UnsupportedFileError('The file is not text (it contains NUL bytes)');
  raw = raw.replace(/^\uFEFF/, '');
  if (ext === '.html' || ext === '.htm') {
    const page = htmlToText(raw, 'https://file.invalid/');
    return { title: page.title || base, text: page.text };
  }
  const firstHeading = /^#\s+(.+)$/m.exec(raw)?.[1]?.trim();
  return { title: (ext === '.txt' ? base : (firstHeading ?? base)).slice(0, 200), text: raw };
}
