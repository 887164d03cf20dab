import { PROJECT_KEY_MAX, PROJECT_KEY_MIN } from '../transport/protocol.js';

export interface TWidgetConfig {
  projectKey: string;
  /** Origin (plus an optional path prefix) of the realtime service, without a trailing slash. */
  realtimeUrl: string;
}

export type TParseConfigResult = { ok: true; config: TWidgetConfig } | { ok: false; error: string };

/** What an element offers: the snippet's `<script>` tag in the browser, a plain object in tests. */
export interface TAttributeSource {
  getAttribute(name: string): string | null;
}

/** Reads the `data-*` attributes of the snippet. Returns null when the tag carries no project key (init() form). */
export function readSnippetAttributes(el: TAttributeSource): { projectKey: string; realtimeUrl?: string } | null {
  const projectKey = el.getAttribute('data-project-key');
  if (projectKey === null) return null;
  const realtimeUrl = el.getAttribute('data-realtime-url');
  return realtimeUrl === null || realtimeUrl.trim() === '' ? { projectKey } : { projectKey, realtimeUrl };
}

/**
 * Validates the options of either snippet form. `scriptSrc` is the loader's own URL: it is the default realtime
 * origin and the base a relative `realtimeUrl` is resolved against.
 */
export function parseWidgetConfig(input: unknown, scriptSrc: string | null): TParseConfigResult {
  if (typeof input !== 'object' || input === null) return fail('init() expects an object: { projectKey, realtimeUrl? }');
  const { projectKey, realtimeUrl } = input as Record<string, unknown>;

  if (typeof projectKey !== 'string') return fail('projectKey is required');
  const key = projectKey.trim();
  if (key.length < PROJECT_KEY_MIN || key.length > PROJECT_KEY_MAX) {
    return fail(`projectKey must be ${PROJECT_KEY_MIN}-${PROJECT_KEY_MAX} characters`);
  }

  let url: URL | null;
  if (realtimeUrl === undefined || realtimeUrl === null || realtimeUrl === '') {
    url = parseUrl(scriptSrc ?? '', undefined);
    if (!url) return fail('realtimeUrl is required when the loader script has no src');
    return ok(key, url.origin);
  }
  if (typeof realtimeUrl !== 'string') return fail('realtimeUrl must be a string');
  url = parseUrl(realtimeUrl.trim(), scriptSrc ?? undefined);
  if (!url) return fail(`realtimeUrl is not an http(s) URL: ${realtimeUrl}`);
  // Keep a path prefix (a reverse proxy mounting the service under /chat), drop query and fragment.
  return ok(key, url.origin + url.pathname.replace(/\/+$/, ''));
}

function parseUrl(value: string, base: string | undefined): URL | null {
  try {
    const url = new URL(value, base);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url : null;
  } catch {
    return null;
  }
}

function ok(projectKey: string, realtimeUrl: string): TParseConfigResult {
  return { ok: true, config: { projectKey, realtimeUrl } };
}

function fail(error: string): TParseConfigResult {
  return { ok: false, error };
}
