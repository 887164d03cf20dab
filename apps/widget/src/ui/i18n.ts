// Languages of the widget. Each language has its own build of the app with its texts inside (app.js = English,
// app-fr.js, app-de.js, app-es.js: the loader picks one), so nobody downloads four languages to read one. When the
// project's setting turns out to differ from the guess, the texts come as a small pack (lang-xx.js). The tables
// live in src/lang/ and are typed against the English one: a missing key fails `tsc`.

export type TLanguage = 'en' | 'fr' | 'de' | 'es';
export const LANGUAGES: readonly TLanguage[] = ['en', 'fr', 'de', 'es'];

/** Global through which a language pack hands its table to the app (both are separate IIFE bundles). */
export const LANG_GLOBAL = '__pocketpingLang';

/** `explicit` (init option, then the project's setting; 'auto' = none), else the browser's first language we know. */
export function pickLanguage(explicit: readonly (string | undefined)[], browser: readonly string[]): TLanguage {
  for (const tag of [...explicit, ...browser]) {
    const base = (tag ?? '').toLowerCase().split(/[-_]/)[0] as TLanguage;
    if (LANGUAGES.includes(base)) return base;
  }
  return 'en';
}

/** The loader's launcher label, kept apart so loader.js does not carry the tables. */
export const OPEN_CHAT_LABELS: Record<TLanguage, string> = {
  en: 'Open chat',
  fr: 'Ouvrir le chat',
  de: 'Chat öffnen',
  es: 'Abrir chat',
};

import type { EN, EN_FORMS } from '../lang/en.js';

export type TStrings = typeof EN;
export type TFormStrings = typeof EN_FORMS;

declare global {
  interface Window {
    [LANG_GLOBAL]?: (language: TLanguage, strings: TStrings) => void;
  }
}
