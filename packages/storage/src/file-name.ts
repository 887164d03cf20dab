/**
 * An uploaded file's name as it may be stored and shown: the last path segment, without control characters or
 * quotes (it ends up in Content-Disposition), at most `max` characters; "file" when nothing is left.
 */
export function cleanFileName(raw: string | undefined, max: number): string {
  const base = (raw ?? '')
    .split(/[\\/]/)
    .pop()!
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f"]/g, '')
    .trim();
  return (base || 'file').slice(0, max);
}
