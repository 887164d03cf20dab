// Runs the fake Stripe as a long-lived local process for `npm start` (no internet, no Stripe account needed):
//
//   node --import tsx packages/testkit/src/serve-fake-stripe.ts --port 8086 --key sk_test_… \
//     --webhook-url http://localhost:3000/api/webhooks/stripe --webhook-secret whsec_…
//
// Point STRIPE_API_HOST/PORT/PROTOCOL at 127.0.0.1/<port>/http, STRIPE_SECRET_KEY at the same key and
// STRIPE_WEBHOOK_SECRET at the same secret. The billing page's Upgrade opens the fake's Checkout page (Pay, or the
// declined card), "Manage billing" its portal. A small console at http://127.0.0.1:<port>/ moves the fake's clock
// (renewals, trial ends) and makes a customer's card fail. Local demo tool only: it binds 127.0.0.1 and keeps nothing.
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { startFakeStripe } from './fake-stripe.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8086' },
    'console-port': { type: 'string', default: '8087' },
    key: { type: 'string' },
    'webhook-url': { type: 'string' },
    'webhook-secret': { type: 'string' },
  },
});
const port = Number(values.port);
const consolePort = Number(values['console-port']);
const valid =
  Number.isInteger(port) &&
  port > 0 &&
  port < 65536 &&
  Number.isInteger(consolePort) &&
  /^sk_test_[A-Za-z0-9]{8,}$/.test(values.key ?? '') &&
  /^whsec_[A-Za-z0-9]{8,}$/.test(values['webhook-secret'] ?? '') &&
  /^https?:\/\//.test(values['webhook-url'] ?? '');
if (!valid) {
  console.error(
    'usage: node --import tsx packages/testkit/src/serve-fake-stripe.ts [--port 8086] [--console-port 8087] ' +
      '--key sk_test_<8+ alphanumerics> --webhook-url <url> --webhook-secret whsec_<8+ alphanumerics>',
  );
  process.exit(2);
}
const fake = await startFakeStripe({
  port,
  secretKeys: [values.key!],
  webhookUrl: values['webhook-url']!,
  webhookSecret: values['webhook-secret']!,
}).catch((err: NodeJS.ErrnoException) => {
  console.error(
    err.code === 'EADDRINUSE'
      ? `fake Stripe: port ${port} is already in use — another demo still running?`
      : `fake Stripe: failed to start: ${err.message}`,
  );
  process.exit(1);
});

// The operator console: time travel and failing cards, for trying renewals, trials and past_due locally.
const consoleServer = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (url.pathname === '/health') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    return;
  }
  if (req.method === 'POST') {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString('utf8');
      if (body.length > 10_000) req.destroy();
    });
    req.on('end', () => {
      const form = new URLSearchParams(body);
      const act = async () => {
        if (url.pathname === '/advance') await fake.advanceClock(Math.max(0, Number(form.get('days') ?? 0)) * 86400);
        if (url.pathname === '/card') fake.setCardFailing(form.get('customer') ?? '', form.get('failing') === 'true');
      };
      act().then(
        () => res.writeHead(303, { location: '/' }).end(),
        (err: unknown) => res.writeHead(400).end(err instanceof Error ? err.message : 'error'),
      );
    });
    return;
  }
  const events = fake
    .events()
    .slice(-20)
    .reverse()
    .map((e) => `<li>${new Date(e.created * 1000).toISOString()} ${e.type} ${e.id}</li>`)
    .join('');
  res
    .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
    .end(
      `<!doctype html><meta charset="utf-8"><title>Fake Stripe console</title><h1>Fake Stripe console</h1>` +
        `<p>Clock: ${new Date(fake.now() * 1000).toISOString()}</p>` +
        `<form method="post" action="/advance"><input name="days" type="number" min="0" value="31"> days ` +
        `<button>Advance the clock</button></form>` +
        `<form method="post" action="/card"><input name="customer" placeholder="cus_…"> <select name="failing">` +
        `<option value="true">card fails</option><option value="false">card pays</option></select> <button>Set</button></form>` +
        `<h2>Latest events</h2><ul>${events}</ul>`,
    );
});
await new Promise<void>((resolve) => consoleServer.listen(consolePort, '127.0.0.1', resolve));
process.stdout.write(`fake Stripe listening on ${fake.baseUrl} (console http://127.0.0.1:${consolePort}/)\n`);
const stop = () => {
  consoleServer.close();
  void fake.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
