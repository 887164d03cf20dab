/** Pages of a PDF read at most; a longer document's rest is left out. */
export const PDF_MAX_PAGES = 300;
/** A hostile or huge PDF must not hold the request: parsing stops after this. */
const PDF_TIMEOUT_MS = 20_000;

export class PdfTextError extends Error {
  override name = 'PdfTextError';
}

/**
 * The text of a PDF, one paragraph per page, through pdf.js (legacy build: Node 20, no worker thread, no eval, no
 * fonts loaded). Scanned PDFs have no text layer and give nothing; the caller says so.
 */
export async function extractPdfText(
  bytes: Uint8Array,
): Promise<{ title: string | null; text: string; pages: number }> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  // pdf.js takes ownership of the buffer it is given: a copy keeps the caller's bytes intact.
  const task = pdfjs.getDocument({
    data: new Uint8Array(bytes),
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    stopAtErrors: false,
    verbosity: 0,
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PdfTextError('The PDF took too long to read')), PDF_TIMEOUT_MS);
  });
  try {
    return await Promise.race([
      (async () => {
        let doc;
        try {
          doc = await task.promise;
        } catch (err) {
          throw new PdfTextError(`Not a readable PDF (${(err as Error).message.slice(0, 200)})`);
        }
        const pages: string[] = [];
        const count = Math.min(doc.numPages, PDF_MAX_PAGES);
        for (let i = 1; i <= count; i++) {
          const page = await doc.getPage(i);
          const content = await page.getTextContent();
          const line = content.items
            .map((item) => ('str' in item ? `${item.str}${item.hasEOL ? '\n' : ''}` : ''))
            .join(' ')
            .replace(/[ \t]+/g, ' ')
            .replace(/ ?\n ?/g, '\n')
            .trim();
          if (line) pages.push(line);
          page.cleanup();
        }
        const meta = await doc.getMetadata().catch(() => null);
        const info = meta?.info as { Title?: unknown } | undefined;
        const title = typeof info?.Title === 'string' && info.Title.trim() ? info.Title.trim().slice(0, 200) : null;
        return { title, text: pages.join('\n\n'), pages: doc.numPages };
      })(),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
    void task.destroy();
  }
}
