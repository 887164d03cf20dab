import { PROJECT_KEY_MAX, PROJECT_KEY_MIN } from '../transport/protocol.js';
import { LANGUAGES } from '../ui/i18n.js';
import type { TLanguage } from '../ui/i18n.js';

export interface TWidgetConfig {
  projectKey: string;
  /** Origin (plus an optional path prefix) of the realtime service, without a trailing slash. */
  realtimeUrl: string;
  /** Forces the widget's language over the project's setting and the browser's. */
  language?: TLanguage;
}

export type TParseConfigResult = { ok: true; config: TWidgetConfig } | { ok: false; error: string };

/** What an element offers: the snippet's `<script>` tag in the browser, a plain object in tests. */
export interface TAttributeSource {
  getAttribute(name: string): string | null;
}

/** Reads the `data-*` attributes of the snippet. Returns null when the tag carries no project key (init() form). */
export function readSnippetAttributes(
  el: TAttributeSource,
): { projectKey: string; realtimeUrl?: string; language?: string } | null {
  const projectKey = el.getAttribute('data-project-key');
  if (projectKey === null) return null;
  const out: { projectKey: string; realtimeUrl?: string; language?: string } = { projectKey };
  const realtimeUrl = el.getAttribute('data-realtime-url');
  if (realtimeUrl !== null && realtimeUrl.trim() !== '') out.realtimeUrl = realtimeUrl;
  const language = el.getAttribute('data-language');
  if (language) out.language = language;
  return out;
}

/**
 * Validates the options of either snippet form. `scriptSrc` is the loader's own URL: it is the default realtime
 * origin and the base a relative `realtimeUrl` is resolved against.
 */
export function parseWidgetConfig(input: unknown, scriptSrc: string | null): TParseConfigResult {
  if (typeof input !== 'object' || input === null)
    return fail('init() expects an object: { projectKey, realtimeUrl? }');
  const { projectKey, realtimeUrl, language } = input as Record<string, unknown>;
  // 'fr-CA' and 'FR' mean French; anything else is a mistake worth a clear error.
  const lang = typeof language === 'string' ? (language.toLowerCase().split(/[-_]/)[0] as TLanguage) : undefined;
  if (language !== undefined && (!lang || !LANGUAGES.includes(lang)))
    return fail(`language must be one of ${LANGUAGES.join(', ')}`);

  if (typeof projectKey !== 'string') return fail('projectKey is required');
  const key = projectKey.trim();
  if (key.length < PROJECT_KEY_MIN || key.length > PROJECT_KEY_MAX) {
    return fail(`projectKey must be ${PROJECT_KEY_MIN}-${PROJECT_KEY_MAX} characters`);
  }

  let url: URL | null;
  if (realtimeUrl === undefined || realtimeUrl === null || realtimeUrl === '') {
    url = parseUrl(scriptSrc ?? '', undefined);
    if (!url) return fail('realtimeUrl is required when the loader script has no src');
    return ok(key, url.origin, lang);
  }
  if (typeof realtimeUrl !== 'string') return fail('realtimeUrl must be a string');
  url = parseUrl(realtimeUrl.trim(), scriptSrc ?? undefined);
  if (!url) return fail(`realtimeUrl is not an http(s) URL: ${realtimeUrl}`);
  // Keep a path prefix (a reverse proxy mounting the service under /chat), drop query and fragment.
  return ok(key, url.origin + url.pathname.replace(/\/+$/, ''), lang);
}

function parseUrl(value: string, base: string | undefined): URL | null {
  try {
    const url = new URL(value, base);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url : null;
  } catch {
    return null;
  }
}

function ok(projectKey: string, realtimeUrl: string, language: TLanguage | undefined): TParseConfigResult {
  return { ok: true, config: language ? { projectKey, realtimeUrl, language } : { projectKey, realtimeUrl } };
}

function fail(error: string): TParseConfigResult {
  return { ok: false, error };
}
