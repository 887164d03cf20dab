// How the widget's weight is measured — shared by build.mjs (which fails over budget) and bench/widget-size.mjs.
// Each file is gzipped on its own (zlib level 6, the default of most servers and CDNs that compress on the fly),
// because each is its own HTTP response. Two figures matter:
//   page view    = loader.js — the snippet's script; it draws the launcher itself, in plain DOM
//   after opening = the largest app build (app.js, app-fr.js, …: Preact, UI, transport and one language's texts)
//   switching     = + the largest language pack: the first visit to a site whose project language differs from
//                   the browser's (afterwards the loader remembers it and loads the right build at once)
//   extras        = + extras.js: pre-chat/away/CSAT forms and the file upload, fetched the first time one is needed
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

// afterOpening was 20 KiB; the AI answer streaming (its event check, one growing bubble, the handoff notice) took the
// opened widget from 19.98 to ~20.5 KiB, so it moved to 20.5 KiB. The page-view budget is unchanged.
// Issue 16 moved it to 21 KiB, measured with bench/widget-size.mjs on the largest build (app-fr.js / app-de.js):
// the controller split by concern first paid for itself (20,990 → 20,965 B: the uploads and form submissions moved
// to extras.js, loaded on first use); then the defects fixed in the widget — the character counter near the
// 4,000-character limit (no silent cut), the previous conversation kept above a "Conversation closed" divider with a
// fresh state for the next one, the delivered watermark restored after a reload, their texts in four languages —
// added 279 B (20,983 → 21,262 B, app-fr.js). Headroom left: 242 B.
// The server's named events for PocketPing.on(name, fn) (one socket listener) came on top of that (~30 B).
// Issue 16's preview bubble, emoji and "email me this conversation" kept both budgets: the bubble lives in loader.js
// (4.25 → 5.03 kB page view), the picker and the menu in extras.js (5.79 → 7.5 kB, on first use); app.js keeps only
// their two buttons, the `transcript` event and `tool()` (+200 B), paid for by moving the upload wrapper out of
// mount-app into extras.js and two small cuts (app-de.js 21,463 → 21,466 B: 38 B of headroom left).
// The visitor context (time zone, the session's pages) lives in the loader (page view 4.26 → 4.54 KiB): it records
// the pages and builds the handshake's browser part (page, referrer, zone, pages), which moved out of the app, so
// the app only gained the in-page navigation report (app-fr.js 21,479 → 21,490 B).
export const BUDGETS = { pageView: 7 * 1024, afterOpening: 21 * 1024 };

export async function measureWidget(dist) {
  const names = (await readdir(dist)).filter((n) => n.endsWith('.js')).sort();
  const files = {};
  for (const name of names) {
    const code = await readFile(join(dist, name));
    files[name] = {
      raw: code.length,
      gzip: gzipSync(code, { level: 6 }).length,
      gzip9: gzipSync(code, { level: 9 }).length,
    };
  }
  const largest = (re) =>
    names
      .filter((n) => re.test(n))
      .reduce((best, n) => (best === null || files[n].gzip > files[best].gzip ? n : best), null);
  const app = largest(/^app(-[a-z]{2})?\.js$/);
  const pack = largest(/^lang-[a-z]{2}\.js$/);
  if (!files['loader.js'] || !app) throw new Error(`${dist} has no loader.js/app.js: build the widget first`);
  const sum = (list) => ({ gzip: list.reduce((t, n) => t + files[n].gzip, 0), files: list });
  return {
    files,
    pageView: sum(['loader.js']),
    afterOpening: sum([app]),
    switching: sum(pack ? [app, pack] : [app]),
    extras: sum(files['extras.js'] ? [app, 'extras.js'] : [app]),
  };
}

export function kb(bytes) {
  return `${(bytes / 1024).toFixed(2)} kB`;
}

export function formatReport(report) {
  const lines = ['file               raw        gzip -6    gzip -9'];
  for (const [name, f] of Object.entries(report.files)) {
    lines.push(`${name.padEnd(14)} ${kb(f.raw).padStart(9)}  ${kb(f.gzip).padStart(9)}  ${kb(f.gzip9).padStart(9)}`);
  }
  lines.push('');
  lines.push(
    `every page view (${report.pageView.files.join(' + ')}, launcher included): ${kb(report.pageView.gzip)} gzipped — budget ${kb(BUDGETS.pageView)}`,
  );
  lines.push(
    `after opening   (${report.afterOpening.files.join(' + ')}): ${kb(report.afterOpening.gzip)} gzipped — budget ${kb(BUDGETS.afterOpening)}`,
  );
  lines.push(
    `  + language switch on a first visit (${report.switching.files.join(' + ')}): ${kb(report.switching.gzip)}`,
  );
  lines.push(`  + forms/upload on first use (${report.extras.files.join(' + ')}): ${kb(report.extras.gzip)}`);
  return lines.join('\n');
}
