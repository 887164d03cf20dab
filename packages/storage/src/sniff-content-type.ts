/** A file type we accept, as detected from its bytes (the browser's declared type is never trusted). */
export interface TSniffedType {
  contentType: string;
  /** Images are shown inline; everything else is served as a download. */
  inline: boolean;
}

const starts = (b: Buffer, sig: number[], at = 0) =>
  b.length >= at + sig.length && sig.every((x, i) => b[at + i] === x);

const ZIP_EXT: Record<string, string> = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  zip: 'application/zip',
};

/**
 * The allowlist: PNG, JPEG, GIF, WebP, PDF, ZIP-based office files, and plain text (valid UTF-8 without control
 * bytes). SVG and HTML are refused on purpose: they can carry script. Returns null for anything else.
 */
export function sniffContentType(
  bytes: Buffer,
  fileName: string,
  opts: { complete?: boolean } = {},
): TSniffedType | null {
  if (starts(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
    return { contentType: 'image/png', inline: true };
  if (starts(bytes, [0xff, 0xd8, 0xff])) return { contentType: 'image/jpeg', inline: true };
  if (starts(bytes, [0x47, 0x49, 0x46, 0x38]) && (bytes[4] === 0x37 || bytes[4] === 0x39) && bytes[5] === 0x61)
    return { contentType: 'image/gif', inline: true };
  if (starts(bytes, [0x52, 0x49, 0x46, 0x46]) && starts(bytes, [0x57, 0x45, 0x42, 0x50], 8))
    return { contentType: 'image/webp', inline: true };
  if (starts(bytes, [0x25, 0x50, 0x44, 0x46, 0x2d])) return { contentType: 'application/pdf', inline: false };
  if (starts(bytes, [0x50, 0x4b, 0x03, 0x04])) {
    const ext = fileName.toLowerCase().split('.').pop() ?? '';
    return { contentType: ZIP_EXT[ext] ?? 'application/zip', inline: false };
  }
  // Only the first bytes of a streamed file are here (complete: false): text is then checked to the end while it is
  // stored (createTextCheck), and this only needs the start to be text so far.
  if (bytes.length > 0 && (opts.complete === false ? isTextSoFar(bytes) : isPlainText(bytes))) {
    const ext = fileName.toLowerCase().split('.').pop() ?? '';
    return { contentType: ext === 'csv' ? 'text/csv; charset=utf-8' : 'text/plain; charset=utf-8', inline: false };
  }
  return null;
}

function isPlainText(b: Buffer): boolean {
  const check = createTextCheck();
  return check.push(b) && check.end();
}

function isTextSoFar(b: Buffer): boolean {
  return createTextCheck().push(b);
}

/**
 * The plain-text rule, fed chunk by chunk: valid UTF-8 (a character split across chunks is fine), no control bytes
 * other than tab/newline/carriage return, and not markup at the start (a .txt that is really HTML must not become an
 * attachment someone opens). `push` answers false as soon as a chunk breaks it; `end` gives the verdict.
 */
export function createTextCheck(): { push(chunk: Uint8Array): boolean; end(): boolean } {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let ok = true;
  let start = '';
  const take = (text: string) => {
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text)) ok = false;
    if (start.length < 16) start = (start + text).trimStart().slice(0, 16);
  };
  return {
    push(chunk) {
      if (!ok) return false;
      try {
        take(decoder.decode(chunk, { stream: true }));
      } catch {
        ok = false;
      }
      return ok;
    },
    end() {
      if (!ok) return false;
      try {
        take(decoder.decode());
      } catch {
        ok = false;
      }
      return ok && !/^<(!doctype|html|svg|\?xml|script)/i.test(start);
    },
  };
}
