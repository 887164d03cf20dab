/** Limits shared by the widget, realtime and the bridges. */
export const LIMITS = {
  messageBodyMax: 4000,
  clientIdMax: 64,
  historyPageMax: 100,
  authorNameMax: 120,
} as const;
