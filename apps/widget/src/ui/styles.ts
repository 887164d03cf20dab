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
.pp-panel{position:fixed;right:20px;bottom:88px;z-index:2147483000;width:370px;height:560px;max-width:calc(100vw - 40px);max-height:calc(100vh - 108px);display:flex;flex-direction:column;overflow:hidden;background:#fff;border-radius:14px;box-shadow:0 12px 40px rgba(0,0,0,.22)}
.pp-left .pp-panel{right:auto;left:20px}
.pp-header{display:flex;align-items:center;gap:8px;padding:14px 12px 14px 18px;background:var(--pp-color);color:var(--pp-fg)}
.pp-title{flex:1;margin:0;font-size:16px;font-weight:600;line-height:1.3;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.pp-icon-btn{width:32px;height:32px;padding:0;border:0;border-radius:8px;display:flex;align-items:center;justify-content:center;background:transparent;color:inherit;cursor:pointer}
.pp-icon-btn:hover{background:rgba(127,127,127,.2)}
.pp-icon-btn svg{width:20px;height:20px}
.pp-status{padding:6px 18px;font-size:12px;background:#f3f4f6;color:#374151}
.pp-status[data-state=connected]{display:none}
.pp-status[data-state=error],.pp-status[data-state=disconnected]{background:#fef2f2;color:#b91c1c}
.pp-messages{flex:1;overflow-y:auto;overscroll-behavior:contain;padding:16px 14px;display:flex;flex-direction:column;gap:10px;background:#f9fafb}
.pp-msg{max-width:82%;display:flex;flex-direction:column;align-items:flex-start;align-self:flex-start}
.pp-msg[data-sender=visitor]{align-self:flex-end;align-items:flex-end}
.pp-msg[data-sender=system]{align-self:center;align-items:center;max-width:100%}
.pp-author{margin:0 6px 2px;font-size:12px;color:#6b7280}
.pp-bubble{padding:8px 12px;border-radius:14px;background:#fff;border:1px solid #e5e7eb;white-space:pre-wrap;overflow-wrap:anywhere}
.pp-msg[data-sender=visitor] .pp-bubble{background:var(--pp-color);color:var(--pp-fg);border-color:transparent}
.pp-msg[data-sender=system] .pp-bubble{background:transparent;border:0;padding:0 8px;font-size:12px;color:#6b7280;text-align:center}
.pp-msg[data-status=sending] .pp-bubble{opacity:.7}
.pp-msg[data-status=failed] .pp-bubble{opacity:.7;outline:1px solid #dc2626}
.pp-deleted{font-style:italic;color:#6b7280}
.pp-meta{margin:2px 6px 0;font-size:11px;color:#6b7280}
.pp-msg[data-status=failed] .pp-meta{color:#b91c1c}
.pp-retry{padding:0;border:0;background:none;color:inherit;font-size:inherit;font-weight:600;text-decoration:underline;cursor:pointer}
.pp-composer{display:flex;align-items:flex-end;gap:8px;padding:10px 12px;border-top:1px solid #e5e7eb;background:#fff}
.pp-input{flex:1;min-height:40px;max-height:132px;margin:0;padding:9px 12px;resize:none;border:1px solid #d1d5db;border-radius:10px;background:#fff;color:#111827;font:inherit;line-height:1.45;outline:none}
.pp-input:focus{border-color:var(--pp-color);box-shadow:0 0 0 1px var(--pp-color)}
.pp-send{flex:none;width:40px;height:40px;padding:0;border:0;border-radius:10px;display:flex;align-items:center;justify-content:center;background:var(--pp-color);color:var(--pp-fg);cursor:pointer}
.pp-send svg{width:20px;height:20px}
.pp-send:focus-visible,.pp-icon-btn:focus-visible{outline:2px solid #111827;outline-offset:2px}
@media (max-width:480px){.pp-panel{inset:0;width:auto;height:auto;max-width:none;max-height:none;border-radius:0}.pp-open .pp-launcher{display:none}}
`;
