import type { TAiStreamEvent, TPresenceEvent, TTypingEvent, TWidgetSettings } from '@pocketping/protocol';
import type { TFormState, TUpload } from './form-types.js';
import type { TExtras } from '../extras/contract.js';
import type { TLanguage, TStrings } from '../ui/i18n.js';
import type { TChatState } from './chat-state.js';

export type TConnectionPhase = 'connecting' | 'connected' | 'reconnecting' | 'disconnected' | 'error';

export interface TConnectionState {
  phase: TConnectionPhase;
  /** Last connection error; kept until the next successful connect so the visitor can read it. */
  error: string | null;
  willRetry: boolean;
}

export type { TFormState, TUpload } from './form-types.js';

export interface TWidgetState {
  isOpen: boolean;
  connection: TConnectionState;
  chat: TChatState;
  settings: TWidgetSettings;
  /** en/fr/de/es: the init option, else the project's setting, else the browser's language. */
  language: TLanguage;
  /** The texts of `language` (English until its pack has loaded). */
  t: TStrings;
  /** Highest seq the visitor has seen with the panel open. */
  lastReadSeq: number;
  presence: TPresenceEvent | null;
  /** The operator (or AI) is typing; cleared by their message or after a few seconds of silence. */
  typing: TTypingEvent | null;
  /** An AI answer being written (one growing bubble), until its stored message arrives or it is called off. */
  aiStream: TAiStreamEvent | null;
  /** The AI handed over or could not answer: the widget says a team member will answer here. */
  aiNotice: 'handoff' | 'failed' | null;
  /** Watermarks of the visitor's messages in the current conversation. */
  receipts: { delivered: number; read: number };
  conversationStatus: 'open' | 'closed';
  /** A closed conversation waits for the visitor's rating. */
  isCsatRequested: boolean;
  /** The visitor's email is known (pre-chat, away form or identify): no need to ask for it again. */
  hasEmail: boolean;
  forms: { preChat: TFormState; away: TFormState; csat: TFormState };
  uploads: readonly TUpload[];
  /** Length of the visitor's draft once it nears the limit (0 below): the composer shows a counter. */
  draft: number;
  /** A message for the composer area (a file too large, an upload refused); cleared by the next action. */
  notice: string | null;
  /** The composer's emoji picker or the header's menu (both in extras.js), or neither. */
  tool?: 'emoji' | 'menu' | null;
  /** extras.js (forms, upload), once loaded: see TWidgetController.needExtras. */
  extras: TExtras | null;
}
