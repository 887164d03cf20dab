// The one Markdown reading of a message body, for the widget (Preact) and the dashboard inbox (React): the same
// text gives the same tree everywhere, and each renders that tree with text nodes only. No dependencies, no DOM:
// the widget bundles it within its size budget.
export { parseMarkdown, safeHref, type TInline } from './parse-markdown.js';
