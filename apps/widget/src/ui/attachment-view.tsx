import type { TAttachmentRef } from '@pocketping/protocol';
import { safeHref } from '@pocketping/markdown';
import { formatSize } from './format.js';
import type { TStrings } from './i18n.js';

/** Raster images only: an SVG may be shown as <img> safely, but it is also a download people open directly. */
const INLINE_IMAGE = /^image\/(png|jpe?g|gif|webp|avif)$/i;

/**
 * A file of a message. Its URL is the server's signed URL (only ever http(s)); an image is shown inline from
 * that URL, anything else is a download link. Names are text nodes.
 */
export function AttachmentView({ file, t }: { file: TAttachmentRef; t: TStrings }) {
  const href = file.url ? safeHref(file.url) : null;
  const label = `${file.name} (${formatSize(file.size)})`;
  if (!href) {
    return (
      <div class="pp-file" data-pp="attachment">
        {label}
      </div>
    );
  }
  if (INLINE_IMAGE.test(file.contentType)) {
    return (
      <a class="pp-image" data-pp="attachment" href={href} target="_blank" rel="noopener noreferrer" title={label}>
        <img src={href} alt={file.name} loading="lazy" referrerpolicy="no-referrer" />
      </a>
    );
  }
  return (
    <a
      class="pp-file"
      data-pp="attachment"
      href={href}
      target="_blank"
      rel="noopener noreferrer"
      download={file.name}
      aria-label={`${t.download} ${label}`}
    >
      <span class="pp-name">{file.name}</span>
      <span class="pp-size">{formatSize(file.size)}</span>
    </a>
  );
}
