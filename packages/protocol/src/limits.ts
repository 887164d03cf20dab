/** Limits shared by the widget, realtime and the bridges. */
export const LIMITS = {
  messageBodyMax: 4000,
  clientIdMax: 64,
  historyPageMax: 100,
  authorNameMax: 120,
} as const;

/** Attachment limits (kept apart from LIMITS, which the widget mirrors field by field). */
export const UPLOAD_LIMITS = {
  /** Cap of `POST /widget/uploads`: larger bodies are answered 413. */
  maxBytes: 10 * 1024 * 1024,
  perMessageMax: 10,
  nameMax: 200,
} as const;
