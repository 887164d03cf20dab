/** A conversation's tags: free-form labels, compared and stored normalized. */
export const TAG_MAX_LENGTH = 32;
export const MAX_TAGS_PER_CONVERSATION = 10;

/**
 * The one normal form of a tag: trimmed, inner runs of white space made one space, lower-case; null when empty or
 * longer than TAG_MAX_LENGTH characters (refused rather than cut, so nobody gets a tag they did not type).
 */
export function normalizeTag(raw: string): string | null {
  const tag = raw.trim().replace(/\s+/g, ' ').toLowerCase();
  if (tag.length === 0 || [...tag].length > TAG_MAX_LENGTH) return null;
  return tag;
}
