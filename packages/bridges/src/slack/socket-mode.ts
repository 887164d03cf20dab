import type * as TSocketModeModule from '@slack/socket-mode';
import { DEFAULT_SLACK_API_URL } from './create-slack-client.js';

export interface TSlackSocketMode {
  /** True between Slack's `hello` and a disconnect. */
  isConnected(): boolean;
  close(): Promise<void>;
}

/**
 * Socket Mode for installs without a public URL: one WebSocket for the app (xapp- token), Events API envelopes
 * arrive on it instead of at the Request URL. `onEvent` gets the same event_callback body the HTTP route gets;
 * the envelope is acknowledged only after it resolves, so an event that could not be stored is not acked and
 * Slack redelivers it (retry_attempt) — the same "store, then answer" contract as the HTTP route.
 */
export async function startSlackSocketMode(input: {
  appToken: string;
  apiUrl?: string;
  onEvent(body: unknown, meta: { retryNum: number }): Promise<void>;
  onError(err: unknown): void;
  onStateChange?(state: 'connected' | 'disconnected'): void;
}): Promise<TSlackSocketMode> {
  // Loaded on demand and hidden from bundlers: apps/web imports this package too, and must not bundle a WebSocket
  // client (undici) it never uses; only the worker ever calls this function.
  const { LogLevel, SocketModeClient } = (await import(
    /* webpackIgnore: true */ '@slack/socket-mode'
  )) as typeof TSocketModeModule;
  const client = new SocketModeClient({
    appToken: input.appToken,
    logLevel: LogLevel.ERROR,
    clientOptions: { slackApiUrl: input.apiUrl ?? DEFAULT_SLACK_API_URL },
  });
  let connected = false;
  client.on('connected', () => {
    connected = true;
    input.onStateChange?.('connected');
  });
  client.on('disconnected', () => {
    connected = false;
    input.onStateChange?.('disconnected');
  });
  client.on('slack_event', (e: { ack: () => Promise<void>; type: string; body: unknown; retry_num?: number }) => {
    void (async () => {
      if (e.type !== 'events_api') {
        // Interactivity and slash commands are not used; ack so Slack does not show the user an error.
        await e.ack().catch((err: unknown) => input.onError(err));
        return;
      }
      try {
        await input.onEvent(e.body, { retryNum: e.retry_num ?? 0 });
      } catch (err) {
        input.onError(err);
        return;
      }
      await e.ack().catch((err: unknown) => input.onError(err));
    })();
  });
  await client.start();
  return {
    isConnected: () => connected,
    async close() {
      await client.disconnect().catch(() => undefined);
    },
  };
}
