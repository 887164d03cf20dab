/**
 * URL of a file the loader fetches on demand (`app.js`, `lang-fr.js`, …): beside the loader, with the build's
 * content hash as a cache-buster so the loader (short cache) always pulls the files it was built with while those
 * files themselves can be cached for long.
 */
export function resolveAssetUrl(loaderSrc: string, file: string, version: string): string {
  const url = new URL(file, loaderSrc);
  url.search = `?v=${encodeURIComponent(version)}`;
  url.hash = '';
  return url.href;
}

/** The app, one build per language (its texts inside): the loader picks one. */
export const APP_FILES = { en: 'app.js', fr: 'app-fr.js', de: 'app-de.js', es: 'app-es.js' } as const;

/** Files the app may ask the loader for: texts of another language, forms and upload. */
export const LAZY_ASSETS = ['lang-en.js', 'lang-fr.js', 'lang-de.js', 'lang-es.js', 'extras.js'] as const;
export type TLazyAsset = (typeof LAZY_ASSETS)[number];
