import { describe, expect, it } from 'vitest';
import { snippetVariants } from './snippets';

describe('snippet variants', () => {
  it('embeds the project key and realtime URL in every form, escaped', () => {
    const v = snippetVariants('https://rt.example.com/', 'pk_abcdefghijklmno');
    expect(v.tag).toBe(
      '<script async src="https://rt.example.com/widget/loader.js" data-project-key="pk_abcdefghijklmno" data-realtime-url="https://rt.example.com"></script>',
    );
    expect(v.tagWithLanguage).toContain('data-language="fr"></script>');
    expect(v.jsApi).toContain(
      'PocketPing.init({ projectKey: "pk_abcdefghijklmno", realtimeUrl: "https://rt.example.com" });',
    );
    expect(v.jsApi).toContain('<script async src="https://rt.example.com/widget/loader.js"></script>');
    const evil = snippetVariants('https://rt.example.com/</script><script>x', 'pk_abcdefghijklmno');
    expect(evil.jsApi).not.toContain('</script><script>x');
  });
});
