import type { TKnowledgeLanguage } from '@pocketping/db';

/** Very common English words: a text where they are frequent is English; other languages get the `simple` config. */
const ENGLISH = new Set(
  'the a an and or of to in is are was were be been it its this that these those for on with as at by from you your we our can will do does not how what when where which who if'.split(
    ' ',
  ),
);

/** English stemming helps English text only; any other language is indexed word for word (`simple`). */
export function detectLanguage(text: string): TKnowledgeLanguage {
  const words = text.toLowerCase().match(/\p{L}+/gu) ?? [];
  // Too short to tell by frequencies: English unless it is written in another script.
  if (words.length < 25) return /(?!\p{Script=Latin})\p{L}/u.test(text) ? 'simple' : 'english';
  const sample = words.slice(0, 2000);
  const hits = sample.filter((w) => ENGLISH.has(w)).length;
  return hits / sample.length >= 0.08 ? 'english' : 'simple';
}
