import { describe, expect, it } from 'vitest';
import { htmlToText } from './html-to-text.js';
import { parseSitemap } from './crawl-site.js';
import { detectLanguage } from './detect-language.js';

describe('htmlToText', () => {
  it('keeps the readable text with headings, drops scripts, navigation and hidden parts, resolves links', () => {
    const page = htmlToText(
      `<html><head><title> Billing  &amp; plans </title><base href="/docs/"><style>p{}</style></head><body>
       <header>Site header</header><nav><a href="/x">Menu</a></nav>
       <main><h1>Billing</h1><p>Plans are billed&nbsp;monthly.</p><script>alert(1)</script>
       <h2>Refunds</h2><ul><li>Within 14 days</li><li>Pro rata</li></ul>
       <div hidden>secret</div><a href="refunds#top">Refunds page</a><a href="mailto:a@b.c">Mail</a>
       <a href="https://other.example/page" rel="nofollow">Other</a></main><footer>Footer</footer></body></html>`,
      'https://example.com/start',
    );
    expect(page.title).toBe('Billing & plans');
    expect(page.text).toBe(
      '# Billing\n\nPlans are billed monthly.\n\n## Refunds\n\n- Within 14 days\n- Pro rata\n\nRefunds pageMail Other',
    );
    expect(page.links).toEqual(['https://example.com/x', 'https://example.com/docs/refunds']);
    expect(page.noindex).toBe(false);
  });

  it('reads robots meta tags', () => {
    const p = htmlToText('<meta name="robots" content="noindex, nofollow"><p>x</p>', 'https://e.com/');
    expect(p).toMatchObject({ noindex: true, nofollow: true });
  });
});

describe('parseSitemap', () => {
  it('reads page and sitemap locations, CDATA and entities included', () => {
    expect(
      parseSitemap(
        '<urlset><url><loc>https://e.com/a?x=1&amp;y=2</loc></url><url><loc><![CDATA[https://e.com/b]]></loc></url></urlset>',
      ),
    ).toEqual({ pages: ['https://e.com/a?x=1&y=2', 'https://e.com/b'], sitemaps: [] });
    expect(parseSitemap('<sitemapindex><sitemap><loc>https://e.com/s1.xml</loc></sitemap></sitemapindex>')).toEqual({
      pages: [],
      sitemaps: ['https://e.com/s1.xml'],
    });
  });
});

describe('detectLanguage', () => {
  it('English text is english; French, German or Japanese text is simple', () => {
    expect(
      detectLanguage('How do I reset my password? Open the settings and choose the link that is sent to you.'),
    ).toBe('english');
    expect(
      detectLanguage(
        'Pour réinitialiser votre mot de passe, ouvrez les réglages et choisissez le lien qui vous est envoyé par courriel dans les minutes qui suivent votre demande sur notre site.',
      ),
    ).toBe('simple');
    expect(detectLanguage('パスワードを再設定する')).toBe('simple');
    expect(detectLanguage('Refund policy')).toBe('english');
  });
});
