import { describe, expect, it } from 'vitest';
import { fc, fuzzParams, hostileJson, hostileString } from '@pocketping/testkit/fuzz';
import {
  findUnstorableChar,
  findUnstorableString,
  MAX_STORED_JSON_DEPTH,
  toStorableJson,
  toStorableText,
  TOO_DEEP,
} from './storable.js';

/** Every string of a document, keys included (JSON.stringify would hide a NUL behind its escape). */
function stringsOf(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) stringsOf(x, out).push(k);
  return out;
}
const isStorable = (v: unknown) => stringsOf(v).every((s) => findUnstorableChar(s) === -1);
const depthOf = (v: unknown): number =>
  v && typeof v === 'object' ? 1 + Math.max(0, ...Object.values(v).map(depthOf)) : 0;

describe('storable text and JSON', () => {
  it('replaces exactly NUL and unpaired surrogates; paired ones (emoji) stay', () => {
    expect(toStorableText('a\u0000b\uD800c\uDC00d\u{1F600}')).toBe('a\uFFFDb\uFFFDc\uFFFDd\u{1F600}');
    expect(toStorableText('\uD83D')).toBe('\uFFFD');
    expect(findUnstorableChar('plain \u{1F600}')).toBe(-1);
  });

  it('any string comes out storable, unchanged when it already was, and idempotent', () => {
    fc.assert(
      fc.property(hostileString(200), (s) => {
        const out = toStorableText(s);
        expect(findUnstorableChar(out)).toBe(-1);
        expect(out.length).toBe(s.length);
        if (findUnstorableChar(s) === -1) expect(out).toBe(s);
        expect(toStorableText(out)).toBe(out);
      }),
      fuzzParams(300),
    );
  });

  it('any JSON document comes out storable, bounded in depth, with prototype keys as plain own keys', () => {
    fc.assert(
      fc.property(hostileJson({ deep: [40, 1_000] }), (v) => {
        const out = toStorableJson(v);
        expect(isStorable(out)).toBe(true);
        expect(depthOf(out)).toBeLessThanOrEqual(MAX_STORED_JSON_DEPTH);
        if (depthOf(v) <= MAX_STORED_JSON_DEPTH && isStorable(v)) expect(JSON.stringify(out)).toBe(JSON.stringify(v));
        expect(Object.prototype).not.toHaveProperty('polluted');
      }),
      fuzzParams(300),
    );
    const deep = JSON.parse(`${'['.repeat(100)}1${']'.repeat(100)}`) as unknown;
    expect(JSON.stringify(toStorableJson(deep))).toContain(TOO_DEEP);
    const poisoned = toStorableJson(JSON.parse('{"__proto__":{"polluted":1}}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(poisoned)).toBe(Object.prototype);
    expect(Object.keys(poisoned)).toEqual(['__proto__']);
  });

  it('findUnstorableString names the first bad string or key, and walks any depth without recursion', () => {
    expect(findUnstorableString({ a: ['ok', { b: 'x\u0000' }] })).toBe('a.1.b');
    expect(findUnstorableString({ ['k\uDC00']: 1 })).toBe('k\uDC00');
    expect(findUnstorableString('\uD800')).toBe('');
    expect(findUnstorableString({ a: ['fine \u{1F600}'] })).toBeNull();
    const deep = JSON.parse(`${'['.repeat(30_000)}"\\u0000"${']'.repeat(30_000)}`) as unknown;
    expect(findUnstorableString(deep)).toMatch(/^0(\.0)*$/);
    fc.assert(
      fc.property(hostileJson(), (v) => {
        expect(findUnstorableString(v) === null).toBe(isStorable(v));
      }),
      fuzzParams(300),
    );
  });
});
