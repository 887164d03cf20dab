// Fake SMTP server on 127.0.0.1 — a real SMTP endpoint (the `smtp-server` package speaks the protocol, `mailparser`
// decodes MIME), so the web app's nodemailer transport is exercised exactly as against a real relay. Every mail is
// captured in memory: recipients, subject, text, HTML and the links found in both. Tests read them through
// `mails()` / `waitForMail()`; people read them in a tiny HTTP mail viewer (list, open a mail, click its links),
// which is what `npm start` prints so a newcomer can click the verification link of their first sign-up.
//
// Simplifications: no STARTTLS (the web app connects with plain `smtp://`), any AUTH is accepted, nothing is relayed.
// Test and local-demo tool only: it binds 127.0.0.1 and trusts whoever can reach that.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { simpleParser, type AddressObject } from 'mailparser';

export interface TCapturedMail {
  /** Sequential id, "1", "2", … (also the viewer's URL: /mail/<id>). */
  id: string;
  from: string;
  /** Lower-cased recipient addresses (the SMTP envelope's RCPT TO). */
  to: string[];
  subject: string;
  text: string;
  html: string | null;
  /** Every http(s) link of the mail, HTML hrefs first then links in the text, without duplicates. */
  links: string[];
  /** Lower-cased header names → their raw value (List-Unsubscribe, List-Unsubscribe-Post, …). */
  headers: Record<string, string>;
  receivedAt: Date;
}

export interface TFakeSmtp {
  host: string;
  port: number;
  /** What to put in SMTP_URL: `smtp://127.0.0.1:<port>`. */
  url: string;
  /** The mail viewer (`http://127.0.0.1:<port>/`), or null when started without it. */
  viewerUrl: string | null;
  /** Captured mails, oldest first. */
  mails(): TCapturedMail[];
  /** Resolves with the first mail (already received or arriving later) to `to` that matches `predicate`. */
  waitForMail(to: string, predicate?: (mail: TCapturedMail) => boolean, timeoutMs?: number): Promise<TCapturedMail>;
  clear(): void;
  /**
   * Answers RCPT TO of `address` with `code` (550 = a hard bounce, 451 = try later), `times` times (default: always),
   * as a real relay refuses a mailbox.
   */
  refuseRecipient(address: string, code: number, times?: number): void;
  close(): Promise<void>;
}

export interface TFakeSmtpOptions {
  /** SMTP port (0 = a free one). */
  port?: number;
  /** Viewer port: a number (0 = a free one) to serve it, false for no viewer. Default: a free port. */
  viewerPort?: number | false;
  host?: string;
  /** Biggest mail accepted, in bytes (default 10 MB). */
  maxBytes?: number;
}

const LINK_IN_TEXT = /https?:\/\/[^\s<>"'()]+/g;
const HREF = /href\s*=\s*(?:"([^"]*)"|'([^']*)')/gi;

function decodeEntities(s: string): string {
  return s.replace(
    /&(amp|lt|gt|quot|#39|#x27);/g,
    (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'" })[e] ?? '',
  );
}

/** The links a person could click: http(s) hrefs of the HTML part, then bare links of the text part. */
export function extractLinks(text: string, html: string | null): string[] {
  const out: string[] = [];
  const add = (raw: string) => {
    const link = raw.trim().replace(/[.,;:!?]+$/, '');
    if (/^https?:\/\//i.test(link) && !out.includes(link)) out.push(link);
  };
  if (html) for (const m of html.matchAll(HREF)) add(decodeEntities(m[1] ?? m[2] ?? ''));
  for (const m of text.matchAll(LINK_IN_TEXT)) add(m[0]);
  return out;
}

function addressText(a: AddressObject | AddressObject[] | undefined): string {
  if (!a) return '';
  return (Array.isArray(a) ? a : [a]).map((x) => x.text).join(', ');
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export async function startFakeSmtp(opts: TFakeSmtpOptions = {}): Promise<TFakeSmtp> {
  const host = opts.host ?? '127.0.0.1';
  const captured: TCapturedMail[] = [];
  const waiters = new Set<{
    to: string;
    predicate: (m: TCapturedMail) => boolean;
    resolve: (m: TCapturedMail) => void;
  }>();
  let seq = 0;
  const refusals = new Map<string, { code: number; left: number }>();

  const record = (mail: TCapturedMail) => {
    captured.push(mail);
    for (const w of waiters) {
      if (mail.to.includes(w.to) && w.predicate(mail)) {
        waiters.delete(w);
        w.resolve(mail);
      }
    }
  };

  const smtp = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    size: opts.maxBytes ?? 10 * 1024 * 1024,
    banner: 'PocketPing fake SMTP',
    logger: false,
    onAuth(_auth, _session, callback) {
      callback(null, { user: 'test' });
    },
    onRcptTo(address, _session, callback) {
      const key = address.address.toLowerCase();
      const refusal = refusals.get(key);
      if (refusal && refusal.left > 0) {
        refusal.left -= 1;
        const err = Object.assign(new Error(refusal.code >= 500 ? 'mailbox unavailable' : 'try again later'), {
          responseCode: refusal.code,
        });
        callback(err);
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          const text = parsed.text ?? '';
          const html = typeof parsed.html === 'string' ? parsed.html : null;
          record({
            id: String(++seq),
            from: addressText(parsed.from) || (session.envelope.mailFrom ? session.envelope.mailFrom.address : ''),
            to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
            subject: parsed.subject ?? '',
            text,
            html,
            links: extractLinks(text, html),
            headers: Object.fromEntries(
              parsed.headerLines.map((h) => [h.key.toLowerCase(), h.line.slice(h.line.indexOf(':') + 1).trim()]),
            ),
            receivedAt: new Date(),
          });
          callback();
        })
        .catch((err: Error) => callback(err));
    },
  });
  await new Promise<void>((resolve, reject) => {
    smtp.once('error', reject);
    smtp.listen(opts.port ?? 0, host, () => resolve());
  });
  // After startup, a broken client connection must not crash the test process.
  smtp.on('error', () => undefined);
  const port = (smtp.server.address() as AddressInfo).port;

  let viewer: Server | null = null;
  let viewerUrl: string | null = null;
  if (opts.viewerPort !== false) {
    viewer = createServer((req, res) => serveViewer(req, res, captured, () => captured.splice(0)));
    await new Promise<void>((resolve, reject) => {
      viewer!.once('error', reject);
      viewer!.listen(typeof opts.viewerPort === 'number' ? opts.viewerPort : 0, host, () => resolve());
    });
    viewerUrl = `http://${host}:${(viewer.address() as AddressInfo).port}/`;
  }

  return {
    host,
    port,
    url: `smtp://${host}:${port}`,
    viewerUrl,
    mails: () => [...captured],
    waitForMail(to, predicate = () => true, timeoutMs = 10_000) {
      const addr = to.toLowerCase();
      const found = captured.find((m) => m.to.includes(addr) && predicate(m));
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const waiter = {
          to: addr,
          predicate,
          resolve: (m: TCapturedMail) => {
            clearTimeout(timer);
            resolve(m);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          const seen = captured.map((m) => `  ${m.to.join(',')}: ${m.subject}`).join('\n') || '  (none)';
          reject(new Error(`fake SMTP: no matching mail to ${addr} within ${timeoutMs} ms; received:\n${seen}`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    clear() {
      captured.splice(0);
    },
    refuseRecipient(address, code, times = Number.POSITIVE_INFINITY) {
      refusals.set(address.toLowerCase(), { code, left: times });
    },
    async close() {
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
      if (viewer) {
        viewer.closeAllConnections();
        await new Promise<void>((resolve) => viewer!.close(() => resolve()));
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Mail viewer: GET / (list), GET /mail/<id> (one mail), GET /api/mails (JSON), POST /clear.
// ---------------------------------------------------------------------------------------------------------------

const STYLE = `body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
main{max-width:860px;margin:0 auto;padding:16px}h1{font-size:20px}a{color:#2454d6}
table{width:100%;border-collapse:collapse;background:#fff}td,th{padding:8px;border-bottom:1px solid #e3e6eb;text-align:left;vertical-align:top}
.muted{color:#6b7280;font-size:13px}pre{white-space:pre-wrap;word-break:break-word;background:#fff;padding:12px;border:1px solid #e3e6eb}
ul.links li{margin:4px 0;word-break:break-all}iframe{width:100%;height:420px;border:1px solid #e3e6eb;background:#fff}
button{font:inherit;padding:4px 10px}`;

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>`;
}

function serveViewer(req: IncomingMessage, res: ServerResponse, mails: TCapturedMail[], clear: () => void): void {
  const url = new URL(req.url ?? '/', 'http://viewer');
  const send = (status: number, type: string, body: string) => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-frame-options': 'DENY' });
    res.end(body);
  };
  if (req.method === 'POST' && url.pathname === '/clear') {
    clear();
    res.writeHead(303, { location: '/' });
    res.end();
    return;
  }
  if (req.method !== 'GET') return send(405, 'text/plain', 'method not allowed');
  if (url.pathname === '/health') return send(200, 'application/json', '{"ok":true}');
  if (url.pathname === '/api/mails') return send(200, 'application/json', JSON.stringify(mails));
  if (url.pathname === '/') {
    const rows = [...mails]
      .reverse()
      .map(
        (m) =>
          `<tr><td><a href="/mail/${m.id}">${escapeHtml(m.subject || '(no subject)')}</a></td><td>${escapeHtml(m.to.join(', '))}</td><td class="muted">${m.receivedAt.toISOString().replace('T', ' ').slice(0, 19)} UTC</td></tr>`,
      )
      .join('');
    const body = `<h1>Captured mail</h1><p class="muted">Every mail the local PocketPing sends lands here instead of a real inbox. Newest first; refresh to see new ones.</p>
${mails.length ? `<table><thead><tr><th>Subject</th><th>To</th><th>Received</th></tr></thead><tbody>${rows}</tbody></table><form method="post" action="/clear"><p><button>Delete all</button></p></form>` : '<p>No mail yet. Sign up on the dashboard and the confirmation mail shows up here.</p>'}`;
    return send(200, 'text/html; charset=utf-8', page('Captured mail', body));
  }
  const match = /^\/mail\/(\d+)$/.exec(url.pathname);
  const mail = match ? mails.find((m) => m.id === match[1]) : undefined;
  if (!mail)
    return send(
      404,
      'text/html; charset=utf-8',
      page('Not found', '<p>No such mail. <a href="/">Back to the list</a></p>'),
    );
  const links = mail.links.map((l) => `<li><a href="${escapeHtml(l)}">${escapeHtml(l)}</a></li>`).join('');
  const body = `<p><a href="/">← All mail</a></p><h1>${escapeHtml(mail.subject || '(no subject)')}</h1>
<p class="muted">From ${escapeHtml(mail.from)} · to ${escapeHtml(mail.to.join(', '))} · ${mail.receivedAt.toISOString()}</p>
${links ? `<h2>Links</h2><ul class="links">${links}</ul>` : ''}
<h2>Text</h2><pre>${escapeHtml(mail.text)}</pre>
${mail.html ? `<h2>HTML</h2><iframe sandbox="allow-popups allow-popups-to-escape-sandbox allow-top-navigation-by-user-activation" title="HTML part" srcdoc="${escapeHtml(`<base target="_top">${mail.html}`)}"></iframe>` : ''}`;
  return send(200, 'text/html; charset=utf-8', page(mail.subject, body));
}
