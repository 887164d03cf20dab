// Hostile-input arbitraries shared by the property-based tests (fast-check): what a script, a broken client or a
// forged platform delivery can put in a JSON document. Every property runs with a fixed seed (printed by
// fast-check on failure, with the shrunk counterexample) so a failure reproduces exactly.
import fc from 'fast-check';

export { fc };

/** The seed of every fuzz property; override with FUZZ_SEED to explore, the failing seed is printed either way. */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20_261_207);

/** Multiplies every run count (FUZZ_SCALE=20 for a long exploration run; CI keeps 1). */
const FUZZ_SCALE = Math.max(1, Number(process.env.FUZZ_SCALE ?? 1));

/** fast-check parameters: fixed seed, a modest run count (the whole fuzz suite must stay cheap in CI). */
export function fuzzParams(numRuns: number): fc.Parameters<unknown> {
  return { seed: FUZZ_SEED, numRuns: Math.round(numRuns * FUZZ_SCALE), endOnFailure: false };
}

/** Keys that poison a naive merge or a prototype lookup. */
export const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'] as const;

/** Strings that break naive code: NUL, lone surrogates, bidi overrides, CRLF, markup, injections, path tricks. */
const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\uD800',
  'x\uDC00y',
  '\uDBFF\uDBFF',
  '\u202Etxt.exe',
  '\r\n\r\n',
  '\n',
  '\t',
  '__proto__',
  'constructor',
  '<script>alert(1)</script>',
  '\'; DROP TABLE "Message"; --',
  '${process.exit()}',
  '../../etc/passwd',
  '%00',
  '\\u0000',
  '\u{1F600}',
  '\u0301\u0301\u0301',
  'null',
  'undefined',
  'NaN',
  '-1',
  '1e309',
  '@everyone',
  '<!channel>',
  'javascript:alert(1)',
] as const;

/** Any string: printable, full unicode (including lone surrogates and NUL), or one of the known nasty ones. */
export function hostileString(maxLength = 80): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(...NASTY_STRINGS),
    fc.string({ maxLength }),
    fc.string({ unit: 'binary', maxLength }),
    fc.string({ unit: 'grapheme', maxLength }),
  );
}

/** Strings just past a limit, or much longer: `lengths` are picked among and filled with a repeated unit. */
export function oversizeString(lengths: readonly number[]): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...lengths), fc.constantFrom('x', ' ', '\u00e9', '\u{1F600}', '\u0000'))
    .map(([n, unit]) => unit.repeat(Math.ceil(n / unit.length)));
}

/** Numbers a JSON parser hands over (and the ones JavaScript makes of them). */
export function hostileNumber(): fc.Arbitrary<number> {
  return fc.oneof(
    fc.integer(),
    fc.double({ noNaN: false }),
    fc.constantFrom(0, -0, -1, 1.5, 2 ** 31, 2 ** 53 + 2, -(2 ** 63), 1e308, Number.MAX_SAFE_INTEGER, Number.MIN_VALUE),
  );
}

/** An array or object nested `depth` levels deep (recursion bombs for naive walkers). */
export function deepNesting(depths: readonly number[] = [64, 1_000]): fc.Arbitrary<unknown> {
  return fc.tuple(fc.constantFrom(...depths), fc.boolean()).map(([depth, asArray]) => {
    let v: unknown = 'bottom';
    for (let i = 0; i < depth; i++) v = asArray ? [v] : { a: v };
    return v;
  });
}

/** Any JSON-representable value, with hostile strings and numbers, prototype keys and deep nesting mixed in. */
export function hostileJson(opts: { maxDepth?: number; deep?: readonly number[] } = {}): fc.Arbitrary<unknown> {
  const leaf = fc.oneof(hostileString(), hostileNumber(), fc.boolean(), fc.constant(null));
  const tree = fc.jsonValue({ maxDepth: opts.maxDepth ?? 4, stringUnit: 'binary' });
  const poisoned = fc
    .tuple(fc.subarray([...PROTOTYPE_KEYS], { minLength: 1 }), leaf, tree)
    .map(
      ([keys, a, b]) =>
        JSON.parse(
          `{${keys.map((k, i) => `${JSON.stringify(k)}:${JSON.stringify(i % 2 ? a : b) ?? 'null'}`).join(',')}}`,
        ) as unknown,
    );
  return fc.oneof(
    { arbitrary: tree, weight: 4 },
    { arbitrary: leaf, weight: 2 },
    { arbitrary: poisoned, weight: 1 },
    { arbitrary: deepNesting(opts.deep), weight: 1 },
  );
}

type TPath = (string | number)[];

/** Every path into a JSON-ish sample (the root included): where a mutation can strike. */
function pathsOf(value: unknown, prefix: TPath = []): TPath[] {
  const out: TPath[] = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...pathsOf(v, [...prefix, i])));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) out.push(...pathsOf(v, [...prefix, k]));
  return out;
}

function setAt(root: unknown, path: TPath, replacement: unknown, remove: boolean): unknown {
  if (path.length === 0) return replacement;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (remove && !Array.isArray(node)) delete node[last];
  else Object.defineProperty(node, last, { value: replacement, enumerable: true, writable: true, configurable: true });
  return copy;
}

/**
 * Near-valid payloads: a valid `sample` with one to three spots replaced by a hostile value (wrong type, oversize
 * string, deep nesting, prototype keys), removed, or an extra hostile key added. These reach far deeper into a
 * parser than random JSON does.
 */
export function mutationsOf(
  sample: unknown,
  extra: fc.Arbitrary<unknown> = fc.constant(undefined),
): fc.Arbitrary<unknown> {
  const paths = pathsOf(sample);
  const replacement = fc.oneof(
    { arbitrary: hostileJson({ maxDepth: 2 }), weight: 4 },
    { arbitrary: oversizeString([129, 501, 1_001, 4_001, 10_001, 50_001]), weight: 1 },
    { arbitrary: extra, weight: 1 },
  );
  const one = fc.tuple(
    fc.nat({ max: paths.length - 1 }),
    replacement,
    fc.nat({ max: 9 }),
    fc.constantFrom(...PROTOTYPE_KEYS, 'extra'),
  );
  return fc.array(one, { minLength: 1, maxLength: 3 }).map((edits) => {
    let out: unknown = structuredClone(sample);
    for (const [i, value, how, key] of edits) {
      const path = paths[i]!;
      const target =
        path.length === 0
          ? out
          : path.reduce<unknown>(
              (n, k) => (n && typeof n === 'object' ? (n as Record<string | number, unknown>)[k] : undefined),
              out,
            );
      if (target === undefined && path.length > 0) continue; // an earlier edit replaced the parent
      if (how === 0) out = setAt(out, path, undefined, true);
      else if (how === 1 && target && typeof target === 'object' && !Array.isArray(target))
        out = setAt(out, [...path, key], value, false);
      else out = setAt(out, path, value, false);
    }
    return out;
  });
}
