import { parseAppearance } from '../shared/appearance.js';
import type { storageKeys } from '../shared/storage.js';
import { DEFAULT_SETTINGS } from '../transport/protocol.js';
import { BUILT_IN } from '../ui/built-in-strings.js';
import { EMPTY_CHAT } from './chat-state.js';
import type { TWidgetState } from './widget-state.js';

/** The state before the server has said anything: what this browser remembers, else the defaults. */
export function initialState(
  local: { get(key: string): string | null },
  keys: ReturnType<typeof storageKeys>,
  language: TWidgetState['language'],
): TWidgetState {
  const lastRead = Number(local.get(keys.lastRead));
  const idle = { status: 'idle' as const, error: null };
  return {
    isOpen: false,
    connection: { phase: 'connecting', error: null, willRetry: false },
    chat: EMPTY_CHAT,
    // Until `session` arrives, look like last time (the loader's launcher already does).
    settings: { ...DEFAULT_SETTINGS, ...parseAppearance(local.get(keys.appearance), DEFAULT_SETTINGS) },
    language,
    t: BUILT_IN.strings,
    lastReadSeq: Number.isFinite(lastRead) && lastRead > 0 ? lastRead : 0,
    presence: null,
    typing: null,
    aiStream: null,
    aiNotice: null,
    receipts: { delivered: 0, read: 0 },
    conversationStatus: 'open',
    isCsatRequested: false,
    hasEmail: local.get(keys.email) === '1',
    forms: {
      preChat: local.get(keys.preChat) === '1' ? { status: 'done', error: null } : idle,
      away: idle,
      csat: idle,
    },
    uploads: [],
    notice: null,
    draft: 0,
    extras: null,
  };
}
