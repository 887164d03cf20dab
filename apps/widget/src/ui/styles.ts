// Styles live in a <style> element inside the shadow root: nothing leaks in or out, and no inline style
// attributes are needed (the theme colour goes through CSSOM custom properties, which CSP allows).

/** Host reset and launcher: all the loader needs before the app arrives. */
export const LAUNCHER_CSS = `
:host{all:initial!important}
.pp{--pp-color:#2563eb;--pp-fg:#fff;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#111827;-webkit-font-smoothing:antialiased;text-align:left}
.pp *,.pp *::before,.pp *::after{box-sizing:border-box}
.pp button{font:inherit;margin:0}
.pp svg{display:block;fill:currentColor}
.pp-launcher{position:fixed;right:20px;bottom:20px;z-index:2147483000;width:56px;height:56px;padding:0;border:0;border-radius:50%;display:flex;align-items:center;justify-content:center;background:var(--pp-color);color:var(--pp-fg);cursor:pointer;box-shadow:0 4px 16px rgba(0,0,0,.24);transition:transform .15s ease}
.pp-left .pp-launcher{right:auto;left:20px}
.pp-launcher:hover{transform:scale(1.06)}
.pp-launcher:focus-visible{outline:3px solid var(--pp-color);outline-offset:3px}
.pp-launcher[aria-busy=true]{cursor:progress;opacity:.85}
.pp-launcher svg{width:28px;height:28px}
.pp-badge{position:absolute;top:-3px;right:-3px;min-width:20px;height:20px;padding:0 6px;border-radius:10px;background:#dc2626;color:#fff;font-size:12px;font-weight:600;line-height:20px;text-align:center}
@media (prefers-reduced-motion:reduce){.pp *{transition:none!important}}
`;

export const PANEL_CSS = `
.pp-panel{position:fixed;right:20px;bottom:88px;z-index:2147483000;width:370px;height:580px;max-width:calc(100vw - 40px);max-height:calc(100vh - 108px);display:flex;flex-direction:column;overflow:hidden;background:#fff;border-radius:14px;box-shadow:0 12px 40px rgba(0,0,0,.22)}
.pp-left .pp-panel{right:auto;left:20px}
.pp-header{display:flex;align-items:center;gap:10px;padding:12px;background:var(--pp-color);color:var(--pp-fg)}
.pp-avatar{position:relative;flex:none;width:38px;height:38px;border-radius:50%;display:flex;align-items:center;justify-content:center;background:#ffffff40;font-weight:600}
.pp-avatar img{width:100%;border-radius:50%}
.pp-dot{position:absolute;right:0;bottom:0;width:10px;height:10px;border-radius:50%;background:#9ca3af;box-shadow:0 0 0 2px var(--pp-color)}
.pp-online{background:#22c55e}
.pp-heading{flex:1;min-width:0}
.pp-title{margin:0;font-size:16px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.pp-presence,.pp-meta,.pp-author,.pp-day,.pp-typing,.pp-note,.pp-status,.pp-notice{font-size:12px}
.pp-btn{flex:none;width:32px;height:32px;padding:0;border:0;border-radius:8px;display:flex;align-items:center;justify-content:center;background:none;color:inherit;cursor:pointer}
.pp-btn svg,.pp-send svg{width:20px;height:20px}
.pp-status{padding:6px 16px;background:#f3f4f6}
.pp-status[data-state=connected]{display:none}
.pp-status[data-state=error],.pp-status[data-state=disconnected],.pp-notice{background:#fef2f2;color:#b91c1c}
.pp-messages,.pp-log{flex:1;display:flex;flex-direction:column;gap:10px}
.pp-messages{overflow-y:auto;overscroll-behavior:contain;padding:16px 14px;background:#f9fafb}
.pp-day,.pp-meta,.pp-author,.pp-typing,.pp-note{text-align:center}
.pp-sources{font-size:12px;color:inherit}
.pp-msg{max-width:82%;display:flex;flex-direction:column;align-items:flex-start;gap:4px}
.pp-msg[data-sender=visitor]{align-self:flex-end;align-items:flex-end}
.pp-msg[data-sender=system]{align-self:center;align-items:center}
.pp-ai{margin-left:6px;padding:0 4px;border-radius:4px;background:#ede9fe;color:#5b21b6}
.pp-bubble,.pp-file,.pp-card{padding:8px 12px;border-radius:12px;background:#fff;border:1px solid #e5e7eb;color:#111827;overflow-wrap:anywhere}
.pp-bubble{white-space:pre-wrap}
.pp-bubble a{color:inherit}
.pp-bubble code{background:rgba(127,127,127,.2);font-family:monospace}
.pp-msg[data-sender=visitor] .pp-bubble{background:var(--pp-color);color:var(--pp-fg)}
.pp-msg[data-sender=system] .pp-bubble{border:0;color:#6b7280}
.pp-msg[data-status=sending] .pp-bubble,.pp-msg[data-status=failed] .pp-bubble{opacity:.6}
.pp-msg[data-status=failed] .pp-meta{color:#b91c1c}
.pp-link{padding:0;border:0;background:none;color:inherit;font:inherit;text-decoration:underline;cursor:pointer}
.pp-image img{display:block;max-width:220px;max-height:220px;border-radius:10px}
.pp-file{display:flex;gap:8px;max-width:100%;text-decoration:none}
.pp-name{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.pp-size{color:#6b7280}
.pp-notice{padding:6px 12px}
.pp-composer{display:flex;align-items:flex-end;gap:6px;padding:10px 12px;border-top:1px solid #e5e7eb}
.pp-input{flex:1;min-height:40px;max-height:132px;margin:0;padding:9px 12px;resize:none;border:1px solid #d1d5db;border-radius:10px;color:#111827;font:inherit}
.pp-input:focus{outline:2px solid var(--pp-color)}
.pp-send{flex:none;width:40px;height:40px;padding:0;border:0;border-radius:10px;display:flex;align-items:center;justify-content:center;background:var(--pp-color);color:var(--pp-fg);cursor:pointer}
.pp-send:disabled{opacity:.5}
@media (max-width:480px){.pp-panel{inset:0;width:auto;height:auto;max-width:none;max-height:none;border-radius:0}.pp-open .pp-launcher{display:none}}
`;

/** Styles of the forms (pre-chat, away email, CSAT), shipped with them in extras.js. */
export const FORMS_CSS = `
.pp-card{display:flex;flex-direction:column;gap:8px;margin:0}
.pp-card p,.pp-card legend{margin:0;padding:0;font-weight:600}
.pp-card label{display:flex;flex-direction:column;gap:2px;font-size:12px}
.pp-card input,.pp-card textarea{margin:0;padding:7px 10px;border:1px solid #d1d5db;border-radius:8px;font:inherit}
.pp-card [aria-invalid=true]{border-color:#dc2626}
.pp-err{font-size:12px;color:#b91c1c}
.pp-card .pp-away{white-space:pre-line;font-weight:400}
.pp-row{display:flex;justify-content:flex-end;align-items:center;gap:12px}
.pp-button{padding:7px 14px;border:0;border-radius:8px;background:var(--pp-color);color:var(--pp-fg);font-weight:600;cursor:pointer}
.pp-stars{display:flex;gap:4px;margin:0;padding:0;border:0}
.pp-stars label{font-size:28px;line-height:1;color:#d1d5db;cursor:pointer}
.pp-stars .pp-on{color:#f59e0b}
.pp-stars input{position:absolute;opacity:0;width:1px}
.pp-stars label:focus-within{outline:2px solid var(--pp-color)}
.pp-uploads{margin:0;padding:6px 12px 0;list-style:none;font-size:12px}
.pp-uploads li{display:flex;align-items:center;gap:8px}
.pp-tool{padding:8px 12px;border-top:1px solid #e5e7eb;background:#fff}
.pp-emoji{display:grid;grid-template-columns:repeat(10,1fr);gap:2px;max-height:140px;overflow-y:auto}
.pp-emoji button,.pp-menu-item{margin:0;border:0;border-radius:6px;background:none;font:inherit;cursor:pointer}
.pp-emoji button{padding:4px 0;font-size:20px;line-height:1.2}
.pp-menu-item{display:block;width:100%;padding:8px;text-align:left}
.pp-emoji button:hover,.pp-menu-item:hover{background:#f3f4f6}
`;
