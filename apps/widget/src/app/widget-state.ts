import type { TWidgetSettings } from '@pocketping/protocol';
import type { TChatState } from './chat-state.js';

export type TConnectionPhase = 'connecting' | 'connected' | 'reconnecting' | 'disconnected' | 'error';

export interface TConnectionState {
  phase: TConnectionPhase;
  /** Last connection error; kept until the next successful connect so the visitor can read it. */
  error: string | null;
  willRetry: boolean;
}

export interface TWidgetState {
  isOpen: boolean;
  connection: TConnectionState;
  chat: TChatState;
  settings: TWidgetSettings;
  /** Highest seq the visitor has seen with the panel open. */
  lastReadSeq: number;
}
