/**
 * The team emails' one layout: the same content as plain text and as simple, inline-styled HTML (what mail clients
 * render), every dynamic value escaped. Links are only ever ours (the dashboard's URLs), never visitor text.
 */
export interface TMailContent {
  subject: string;
  heading: string;
  /** Plain paragraphs; each line of visitor text is quoted as it was written (escaped in the HTML). */
  paragraphs: string[];
  quotes?: string[];
  /** A conversation, message by message: who and when, then the text as written (escaped in the HTML). */
  transcript?: { who: string; when: string; body: string }[];
  /** A list of linked lines (the digest). */
  items?: { label: string; detail: string; url: string }[];
  action?: { label: string; url: string };
  /** Why this email came and how to stop it. */
  footer: { reason: string; preferencesUrl?: string; unsubscribeUrl?: string };
}

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

export function renderMail(c: TMailContent): { subject: string; text: string; html: string } {
  const text = [
    c.heading,
    '',
    ...c.paragraphs.flatMap((p) => [p, '']),
    ...(c.quotes ?? []).flatMap((q) => [...q.split('\n').map((l) => `> ${l}`), '']),
    ...(c.transcript ?? []).flatMap((e) => [`${e.who} · ${e.when}`, ...e.body.split('\n').map((l) => `> ${l}`), '']),
    ...(c.items ?? []).flatMap((i) => [`- ${i.label} — ${i.detail}`, `  ${i.url}`]),
    ...(c.items?.length ? [''] : []),
    ...(c.action ? [`${c.action.label}: ${c.action.url}`, ''] : []),
    '—',
    c.footer.reason,
    ...(c.footer.preferencesUrl ? [`Notification settings: ${c.footer.preferencesUrl}`] : []),
    ...(c.footer.unsubscribeUrl ? [`Unsubscribe: ${c.footer.unsubscribeUrl}`] : []),
  ].join('\n');

  const p = (inner: string, style = '') => `<p style="margin:0 0 14px;${style}">${inner}</p>`;
  const link = (url: string, label: string, style = 'color:#2563eb') =>
    `<a href="${escapeHtml(url)}" style="${style}">${escapeHtml(label)}</a>`;
  const html = [
    '<!doctype html><html><body style="margin:0;padding:24px;background:#f4f5f7;font-family:system-ui,-apple-system,Segoe UI,sans-serif;color:#111827">',
    '<div style="max-width:560px;margin:0 auto;background:#fff;border-radius:10px;padding:24px">',
    `<h1 style="font-size:18px;margin:0 0 16px">${escapeHtml(c.heading)}</h1>`,
    ...c.paragraphs.map((x) => p(escapeHtml(x))),
    ...(c.quotes ?? []).map(
      (q) =>
        `<blockquote style="margin:0 0 12px;padding:8px 12px;border-left:3px solid #d1d5db;color:#374151;white-space:pre-wrap">${escapeHtml(q)}</blockquote>`,
    ),
    ...(c.transcript ?? []).map(
      (e) =>
        `<div style="margin:0 0 12px"><div style="font-size:12px;color:#6b7280;margin-bottom:2px"><strong style="color:#111827">${escapeHtml(e.who)}</strong> · ${escapeHtml(e.when)}</div><div style="padding:8px 12px;border-left:3px solid #d1d5db;color:#374151;white-space:pre-wrap">${escapeHtml(e.body)}</div></div>`,
    ),
    ...(c.items?.length
      ? [
          '<ul style="padding-left:18px;margin:0 0 14px">',
          ...c.items.map(
            (i) =>
              `<li style="margin-bottom:6px">${link(i.url, i.label)} <span style="color:#6b7280">— ${escapeHtml(i.detail)}</span></li>`,
          ),
          '</ul>',
        ]
      : []),
    ...(c.action
      ? [
          p(
            link(
              c.action.url,
              c.action.label,
              'display:inline-block;background:#2563eb;color:#fff;padding:10px 16px;border-radius:6px;text-decoration:none',
            ),
          ),
        ]
      : []),
    '<hr style="border:none;border-top:1px solid #e5e7eb;margin:20px 0">',
    p(
      `${escapeHtml(c.footer.reason)}${c.footer.preferencesUrl ? ` ${link(c.footer.preferencesUrl, 'Notification settings')}` : ''}${
        c.footer.unsubscribeUrl ? ` · ${link(c.footer.unsubscribeUrl, 'Unsubscribe')}` : ''
      }`,
      'font-size:12px;color:#6b7280',
    ),
    '</div></body></html>',
  ].join('');
  return { subject: c.subject, text, html };
}
