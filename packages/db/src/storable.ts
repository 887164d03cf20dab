import type { Prisma } from '@prisma/client';

/**
 * Deepest JSON nesting stored as it came. Prisma's JSON protocol refuses documents nested about a hundred levels
 * deep (the write fails, a 5xx for whoever sent it); real platform payloads are a dozen levels at most.
 */
export const MAX_STORED_JSON_DEPTH = 32;

/** Stands in for a subtree deeper than MAX_STORED_JSON_DEPTH. */
export const TOO_DEEP = '[nested too deep]';

const REPLACEMENT = '\uFFFD';

/**
 * Can Postgres store this string? A text or jsonb value may not contain NUL, and jsonb refuses an unpaired UTF-16
 * surrogate (node-postgres would also silently mangle one in a text column). Returns the index of the first
 * offending code unit, or -1.
 */
export function findUnstorableChar(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0) return i;
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      return i;
    }
    if (c >= 0xdc00 && c <= 0xdfff) return i;
  }
  return -1;
}

/** The string with NUL and unpaired surrogates replaced by U+FFFD (everything else untouched). */
export function toStorableText(s: string): string {
  if (findUnstorableChar(s) === -1) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += s[i]! + s[i + 1]!;
        i++;
        continue;
      }
      out += REPLACEMENT;
    } else if (c === 0 || (c >= 0xdc00 && c <= 0xdfff)) out += REPLACEMENT;
    else out += s[i]!;
  }
  return out;
}

/**
 * A JSON document (as JSON.parse returns it) that Postgres and Prisma can store: strings and keys through
 * toStorableText, non-finite numbers as null, subtrees deeper than MAX_STORED_JSON_DEPTH replaced by TOO_DEEP.
 * Keys such as "__proto__" stay plain own keys (never assigned through the prototype setter).
 */
export function toStorableJson(value: unknown, depth = 0): Prisma.InputJsonValue | null {
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'string') return toStorableText(value);
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'object') return null;
  if (depth >= MAX_STORED_JSON_DEPTH) return TOO_DEEP;
  if (Array.isArray(value)) return value.map((v) => toStorableJson(v, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [toStorableText(k), toStorableJson(v, depth + 1)]),
  ) as Prisma.InputJsonObject;
}

/**
 * Where a parsed JSON document (a request body, a socket payload) holds a string or key Postgres cannot store:
 * the dotted path of the first one ('' for the root), or null when everything is storable. Entry points refuse such
 * input with a 400 naming the field, rather than failing at the write.
 */
export function findUnstorableString(value: unknown): string | null {
  // An explicit stack, not recursion: a 64 KB body can nest thirty thousand levels deep. Paths are built only for
  // the hit (each node points at its parent), so a deep document costs linear time.
  interface TNode {
    v: unknown;
    key: string;
    parent: TNode | null;
  }
  const pathOf = (n: TNode): string => {
    const keys: string[] = [];
    for (let at: TNode | null = n; at && at.parent; at = at.parent) keys.push(at.key);
    return keys.reverse().join('.');
  };
  const stack: TNode[] = [{ v: value, key: '', parent: null }];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const v = node.v;
    if (typeof v === 'string') {
      if (findUnstorableChar(v) !== -1) return pathOf(node);
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    const isArray = Array.isArray(v);
    const entries: [string, unknown][] = isArray ? v.map((x, i) => [String(i), x]) : Object.entries(v);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, x] = entries[i]!;
      const child = { v: x, key, parent: node };
      if (!isArray && findUnstorableChar(key) !== -1) return pathOf(child);
      stack.push(child);
    }
  }
  return null;
}
