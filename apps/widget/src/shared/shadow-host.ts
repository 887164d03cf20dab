export const HOST_ID = 'pocketping-root';

/**
 * The widget's isolated corner of the page: `<div id="pocketping-root">` with an open shadow root (open so
 * end-to-end tests and support tooling can look inside). A stale host from an earlier init is replaced.
 */
export function createShadowHost(doc: Document): { host: HTMLElement; root: ShadowRoot } {
  doc.getElementById(HOST_ID)?.remove();
  const host = doc.createElement('div');
  host.id = HOST_ID;
  const root = host.attachShadow({ mode: 'open' });
  doc.body.appendChild(host);
  return { host, root };
}

/** Adds a <style> element; the nonce lets it pass a nonce-based `style-src`. */
export function appendStyle(root: ShadowRoot, css: string, nonce: string | undefined): void {
  const style = root.ownerDocument.createElement('style');
  if (nonce) style.nonce = nonce;
  style.textContent = css;
  root.appendChild(style);
}

/** Theme colour through CSSOM custom properties: allowed under CSP, unlike a `style` attribute. */
export function applyTheme(el: HTMLElement, color: string, foreground: string): void {
  el.style.setProperty('--pp-color', color);
  el.style.setProperty('--pp-fg', foreground);
}
