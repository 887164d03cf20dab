import { widgetEmbed, widgetSnippet } from '../../lib/widget-snippet';

export interface TSnippetVariants {
  /** The one-line tag with data attributes: what onboarding shows. */
  tag: string;
  /** The same with a forced language. */
  tagWithLanguage: string;
  /** The JS API form: a queueing stub, init(), identify(). */
  jsApi: string;
  /** How the customer's server computes the identify() hash. */
  identityHashNode: string;
  identityHashPython: string;
  identityHashPhp: string;
  loaderUrl: string;
  realtimeUrl: string;
}

const js = (v: string) => JSON.stringify(v).replace(/</g, '\\u003c');
const attr = (v: string) => v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Every way to embed the widget of one project, from REALTIME_PUBLIC_URL and the project's public key. */
export function snippetVariants(realtimePublicUrl: string, projectKey: string): TSnippetVariants {
  const embed = widgetEmbed(realtimePublicUrl, projectKey);
  const tag = widgetSnippet(embed);
  return {
    tag,
    tagWithLanguage: tag.replace('></script>', ' data-language="fr"></script>'),
    jsApi: [
      '<script>',
      '  window.PocketPing = window.PocketPing || { q: [] };',
      "  ['init', 'open', 'close', 'toggle', 'identify', 'trigger', 'on', 'off', 'destroy'].forEach(function (m) {",
      '    PocketPing[m] = PocketPing[m] || function () { PocketPing.q.push([m].concat([].slice.call(arguments))); };',
      '  });',
      `  PocketPing.init({ projectKey: ${js(embed.projectKey)}, realtimeUrl: ${js(embed.realtimeUrl)} });`,
      '  // Optional: tell us who the visitor is (hash = HMAC-SHA256 of the id with your identity secret, computed on your server).',
      "  // PocketPing.identify({ id: 'user-42', email: 'ann@example.com', name: 'Ann', hash: '…' });",
      "  // PocketPing.on('message', function (m) { console.log('reply from', m.authorName); });",
      '</script>',
      `<script async src="${attr(embed.loaderUrl)}"></script>`,
    ].join('\n'),
    identityHashNode: [
      "import { createHmac } from 'node:crypto';",
      '// POCKETPING_IDENTITY_SECRET: the secret from Project settings → Identity verification (keep it server-side).',
      "const hash = createHmac('sha256', process.env.POCKETPING_IDENTITY_SECRET).update(String(user.id)).digest('hex');",
    ].join('\n'),
    identityHashPython: [
      'import hmac, hashlib, os',
      "hash = hmac.new(os.environ['POCKETPING_IDENTITY_SECRET'].encode(), str(user.id).encode(), hashlib.sha256).hexdigest()",
    ].join('\n'),
    identityHashPhp: "$hash = hash_hmac('sha256', (string) $user->id, getenv('POCKETPING_IDENTITY_SECRET'));",
    loaderUrl: embed.loaderUrl,
    realtimeUrl: embed.realtimeUrl,
  };
}
