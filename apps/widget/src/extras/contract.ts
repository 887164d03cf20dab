import type { AwayForm } from '../ui/away-form.js';
import type { CsatPrompt } from '../ui/csat-prompt.js';
import type { PreChatForm } from '../ui/pre-chat-form.js';
import type { UploadList } from '../ui/upload-list.js';
import type { Tool } from '../ui/tool.js';
import type { TFormStrings, TLanguage } from '../ui/i18n.js';

/**
 * extras.js: what only some visitors ever need — the pre-chat, away and CSAT forms, the file upload, the emoji picker
 * and the menu — loaded
 * on first use so the chat that every visitor opens stays within its size budget.
 */
export interface TExtras {
  PreChatForm: typeof PreChatForm;
  AwayForm: typeof AwayForm;
  CsatPrompt: typeof CsatPrompt;
  UploadList: typeof UploadList;
  /** The emoji picker and the menu ("Email me this conversation"). */
  Tool: typeof Tool;
  /** The forms' texts in every language (they are few; one file serves all visitors). */
  strings: Record<TLanguage, TFormStrings>;
  css: string;
}

/** Global through which extras.js hands itself to the app. */
export const EXTRAS_GLOBAL = '__pocketpingExtras';

/**
 * The app's Preact, shared with extras.js (a separate bundle): two copies of Preact cannot render into one tree.
 * build.mjs maps extras.js's `preact` imports onto this object.
 */
export const PREACT_GLOBAL = '__pocketpingPreact';

declare global {
  interface Window {
    [EXTRAS_GLOBAL]?: TExtras;
    [PREACT_GLOBAL]?: Record<string, unknown>;
  }
}
