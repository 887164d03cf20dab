// State shapes the UI components render, kept apart from the controller and the state they belong to so that
// components (and the lazily loaded extras) can name them without importing the app.
import type { TAttachmentRef } from '@pocketping/protocol';

/** A file the visitor picked, on its way to the upload endpoint or ready to go with the next message. */
export interface TUpload {
  id: string;
  name: string;
  size: number;
  /** 0…1 */
  progress: number;
  status: 'uploading' | 'done' | 'failed';
  error: string | null;
  attachment: TAttachmentRef | null;
}

/** A small form (pre-chat, away email, CSAT): idle until submitted, `done` once the server took it. */
export interface TFormState {
  status: 'idle' | 'sending' | 'done';
  error: string | null;
}

/** What the pre-chat form hands to the controller. */
export interface TPreChatAnswers {
  email?: string;
  name?: string;
  fields?: Record<string, string>;
}
