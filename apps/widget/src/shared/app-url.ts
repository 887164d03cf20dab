/**
 * URL of the app chunk: `app.js` beside the loader, with the build's content hash as a cache-buster so the
 * loader (short cache) always pulls the app it was built with while app.js itself can be cached for long.
 */
export function resolveAppUrl(loaderSrc: string, version: string): string {
  const url = new URL('app.js', loaderSrc);
  url.search = `?v=${encodeURIComponent(version)}`;
  url.hash = '';
  return url.href;
}
