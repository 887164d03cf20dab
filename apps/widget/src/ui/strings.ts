// English only for now; the `language` setting picks a table in a later iteration.

/** Separate export so the loader does not bundle the whole table for its one label. */
export const OPEN_CHAT_LABEL = 'Open chat';

export const STRINGS = {
  openChat: OPEN_CHAT_LABEL,
  closeChat: 'Close chat',
  unread: (n: number) => `${n} unread message${n === 1 ? '' : 's'}`,
  chatWith: (name: string) => `Chat with ${name}`,
  messages: 'Messages',
  inputLabel: 'Message',
  placeholder: 'Write a message…',
  send: 'Send',
  sending: 'Sending…',
  failed: 'Not sent',
  retry: 'Retry',
  deleted: 'Message deleted',
  edited: 'edited',
  ai: 'AI assistant',
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Connection lost, reconnecting…',
  disconnected: 'Disconnected',
  connectError: (error: string, willRetry: boolean) => `Cannot connect: ${error}${willRetry ? ' (retrying…)' : ''}`,
} as const;
