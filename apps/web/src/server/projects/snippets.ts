import { widgetEmbed, widgetSnippet } from '../../lib/widget-snippet';

export interface TSnippetVariants {
  /** The one-line tag with data attributes: what onboarding shows. */
  tag: string;
  /** The same with a forced language. */
  tagWithLanguage: string;
  /** The JS API form: a queueing stub, init(), identify(). */
  jsApi: string;
  /** How the customer's server makes the identify() token (a JWT, HS256, signed with the identity secret). */
  identityHashNode: string;
  identityHashPython: string;
  identityHashPhp: string;
  loaderUrl: string;
  realtimeUrl: string;
}

const js = (v: string) => JSON.stringify(v).replace(/</g, '\\u003c');
const attr = (v: string) =>
  v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

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
      '  // Optional: tell us who the visitor is (token = a JWT your server signs with the identity secret; its fields show as verified).',
      "  // PocketPing.identify({ id: 'user-42', email: 'ann@example.com', name: 'Ann', token: '…' });",
      "  // PocketPing.on('message', function (m) { console.log('reply from', m.authorName); });",
      '</script>',
      `<script async src="${attr(embed.loaderUrl)}"></script>`,
    ].join('\n'),
    identityHashNode: [
      "import { createHmac } from 'node:crypto';",
      '// POCKETPING_IDENTITY_SECRET: the secret from Project settings → Identity verification (keep it server-side).',
      "const b64 = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');",
      'const claims = { sub: String(user.id), email: user.email, name: user.name, exp: Math.floor(Date.now() / 1000) + 3600 };',
      "const unsigned = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`;",
      "const token = `${unsigned}.${createHmac('sha256', process.env.POCKETPING_IDENTITY_SECRET).update(unsigned).digest('base64url')}`;",
    ].join('\n'),
    identityHashPython: [
      'import jwt, os, time  # PyJWT',
      "claims = {'sub': str(user.id), 'email': user.email, 'name': user.name, 'exp': int(time.time()) + 3600}",
      "token = jwt.encode(claims, os.environ['POCKETPING_IDENTITY_SECRET'], algorithm='HS256')",
    ].join('\n'),
    identityHashPhp: [
      "$b64 = fn($s) => rtrim(strtr(base64_encode($s), '+/', '-_'), '=');",
      "$claims = ['sub' => (string) $user->id, 'email' => $user->email, 'name' => $user->name, 'exp' => time() + 3600];",
      "$unsigned = $b64(json_encode(['alg' => 'HS256', 'typ' => 'JWT'])) . '.' . $b64(json_encode($claims));",
      "$token = $unsigned . '.' . $b64(hash_hmac('sha256', $unsigned, getenv('POCKETPING_IDENTITY_SECRET'), true));",
    ].join('\n'),
    loaderUrl: embed.loaderUrl,
    realtimeUrl: embed.realtimeUrl,
  };
}
