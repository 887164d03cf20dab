import type { AwayForm } from '../ui/away-form.js';
import type { CsatPrompt } from '../ui/csat-prompt.js';
import type { PreChatForm } from '../ui/pre-chat-form.js';
import type { uploadFile } from '../transport/upload-file.js';
import type { UploadList } from '../ui/upload-list.js';
import type { TFormStrings, TLanguage } from '../ui/i18n.js';

/**
 * extras.js: what only some visitors ever need — the pre-chat, away and CSAT forms and the file upload — loaded
 * on first use so the chat that every visitor opens stays within its size budget.
 */
export interface TExtras {
  PreChatForm: typeof PreChatForm;
  AwayForm: typeof AwayForm;
  CsatPrompt: typeof CsatPrompt;
  uploadFile: typeof uploadFile;
  UploadList: typeof UploadList;
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
