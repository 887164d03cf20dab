// Prints the widget's two gzipped sizes and how they are measured: what every page view pays (loader.js, which
// draws the launcher itself) and what the widget costs once the visitor opens it (the largest per-language app
// build). Reads apps/widget/dist; pass --build to rebuild it first (the build enforces the same budgets).
//   node bench/widget-size.mjs [--build]
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUDGETS, formatReport, kb, measureWidget } from '../apps/widget/size-report.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const widget = path.join(root, 'apps/widget');
const dist = path.join(widget, 'dist');

if (process.argv.includes('--build') || !existsSync(path.join(dist, 'loader.js'))) {
  execFileSync(process.execPath, ['build.mjs'], { cwd: widget, stdio: ['ignore', 'ignore', 'inherit'] });
}
const report = await measureWidget(dist);
process.stdout.write(`${formatReport(report)}

how: each file of apps/widget/dist gzipped on its own with zlib level 6 (the usual on-the-fly server level; -9 shown
for comparison), since each is its own HTTP response. "After opening" is the largest of app.js / app-fr.js /
app-de.js / app-es.js: Preact, UI, transport and one language's texts; the loader picks the build of the visitor's
language. lang-xx.js is only fetched on the first visit to a site whose project language differs from the browser's;
extras.js (pre-chat/away/CSAT forms, file upload) only the first time one of those is needed.

page view      ${kb(report.pageView.gzip).padStart(9)}  (budget ${kb(BUDGETS.pageView)})
after opening  ${kb(report.afterOpening.gzip).padStart(9)}  (budget ${kb(BUDGETS.afterOpening)})
`);
