import { WIDGET_NAMESPACE } from './protocol.js';

/**
 * socket.io-client reads the namespace from the URL path, so a realtime URL with a path prefix
 * (https://example.com/chat behind a reverse proxy) must become namespace URL + engine path
 * (https://example.com/widget, path /chat/socket.io) instead of being taken as namespace `/chat/widget`.
 */
export function resolveSocketTarget(realtimeUrl: string): { url: string; path: string } {
  const url = new URL(realtimeUrl);
  const prefix = url.pathname.replace(/\/+$/, '');
  return { url: url.origin + WIDGET_NAMESPACE, path: `${prefix}/socket.io` };
}
