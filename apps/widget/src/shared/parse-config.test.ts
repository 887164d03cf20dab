import { describe, expect, it } from 'vitest';
import { parseWidgetConfig, readSnippetAttributes } from './parse-config.js';

const SRC = 'https://rt.example.com/widget/loader.js?v=3';

function attrs(values: Record<string, string>) {
  return { getAttribute: (name: string) => values[name] ?? null };
}

describe('readSnippetAttributes', () => {
  it('reads the project key and the optional realtime url', () => {
    expect(readSnippetAttributes(attrs({ 'data-project-key': 'pk_abcdefgh' }))).toEqual({ projectKey: 'pk_abcdefgh' });
    expect(
      readSnippetAttributes(attrs({ 'data-project-key': 'pk_abcdefgh', 'data-realtime-url': 'https://x.io' })),
    ).toEqual({ projectKey: 'pk_abcdefgh', realtimeUrl: 'https://x.io' });
    expect(readSnippetAttributes(attrs({ 'data-project-key': 'pk_abcdefgh', 'data-realtime-url': ' ' }))).toEqual({
      projectKey: 'pk_abcdefgh',
    });
  });

  it('returns null without a project key (the init() form)', () => {
    expect(readSnippetAttributes(attrs({}))).toBeNull();
  });
});

describe('parseWidgetConfig', () => {
  it('accepts a language override, normalised, and refuses unknown ones', () => {
    const lang = (language: unknown) => {
      const res = parseWidgetConfig({ projectKey: 'pk_abcdefgh', language }, SRC);
      return res.ok ? res.config.language : res.error;
    };
    expect(lang('fr')).toBe('fr');
    expect(lang('DE-at')).toBe('de');
    expect(lang(undefined)).toBeUndefined();
    expect(lang('it')).toMatch(/language must be one of en, fr, de, es/);
    expect(lang(42)).toMatch(/language must be/);
    expect(readSnippetAttributes(attrs({ 'data-project-key': 'pk_abcdefgh', 'data-language': 'es' }))).toEqual({
      projectKey: 'pk_abcdefgh',
      language: 'es',
    });
  });

  it('defaults the realtime url to the origin of the loader src', () => {
    expect(parseWidgetConfig({ projectKey: 'pk_abcdefgh' }, SRC)).toEqual({
      ok: true,
      config: { projectKey: 'pk_abcdefgh', realtimeUrl: 'https://rt.example.com' },
    });
  });

  it('trims the project key', () => {
    const res = parseWidgetConfig({ projectKey: '  pk_abcdefgh \n' }, SRC);
    expect(res.ok && res.config.projectKey).toBe('pk_abcdefgh');
  });

  it('normalises an explicit realtime url: no trailing slash, query or hash, path prefix kept', () => {
    const parse = (realtimeUrl: string) => {
      const res = parseWidgetConfig({ projectKey: 'pk_abcdefgh', realtimeUrl }, SRC);
      return res.ok ? res.config.realtimeUrl : res.error;
    };
    expect(parse('https://chat.example.org/')).toBe('https://chat.example.org');
    expect(parse('http://127.0.0.1:4001')).toBe('http://127.0.0.1:4001');
    expect(parse('https://proxy.example.org/pp/?x=1#y')).toBe('https://proxy.example.org/pp');
    expect(parse('/rt')).toBe('https://rt.example.com/rt');
  });

  it('rejects a missing, short, long or non-string project key', () => {
    expect(parseWidgetConfig({}, SRC).ok).toBe(false);
    expect(parseWidgetConfig({ projectKey: 42 }, SRC).ok).toBe(false);
    expect(parseWidgetConfig({ projectKey: 'pk_1' }, SRC).ok).toBe(false);
    expect(parseWidgetConfig({ projectKey: 'p'.repeat(101) }, SRC).ok).toBe(false);
    expect(parseWidgetConfig(null, SRC).ok).toBe(false);
    expect(parseWidgetConfig('pk_abcdefgh', SRC).ok).toBe(false);
  });

  it('rejects realtime urls that are not http(s)', () => {
    for (const realtimeUrl of ['javascript:alert(1)', 'ftp://x.org', 42, 'http://']) {
      expect(parseWidgetConfig({ projectKey: 'pk_abcdefgh', realtimeUrl }, SRC).ok).toBe(false);
    }
  });

  it('needs an explicit realtime url when the loader src is unknown', () => {
    expect(parseWidgetConfig({ projectKey: 'pk_abcdefgh' }, null)).toEqual({
      ok: false,
      error: expect.stringContaining('realtimeUrl'),
    });
    expect(parseWidgetConfig({ projectKey: 'pk_abcdefgh', realtimeUrl: 'https://x.io' }, null)).toEqual({
      ok: true,
      config: { projectKey: 'pk_abcdefgh', realtimeUrl: 'https://x.io' },
    });
    expect(parseWidgetConfig({ projectKey: 'pk_abcdefgh', realtimeUrl: '/rt' }, null).ok).toBe(false);
  });
});
