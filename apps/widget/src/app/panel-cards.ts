import type { TWidgetState } from './widget-state.js';

/** Which optional cards the conversation shows right now. */
export function panelCards(state: TWidgetState) {
  const preChat = state.settings.preChat;
  const hasWritten = state.chat.pending.length > 0 || state.chat.messages.some((m) => m.sender === 'visitor');
  const wantsPreChat = !!preChat?.enabled && state.forms.preChat.status !== 'done' && !state.hasEmail;
  const gate = wantsPreChat && preChat.mode === 'before' && !hasWritten;
  const preChatCard = wantsPreChat && preChat.mode === 'after' && hasWritten;
  // Not on a closed conversation: the rating is what matters there.
  const away =
    !preChatCard &&
    hasWritten &&
    state.conversationStatus === 'open' &&
    state.presence?.status === 'away' &&
    (!state.hasEmail || state.forms.away.status === 'done');
  const csat = state.isCsatRequested || (state.forms.csat.status === 'done' && state.conversationStatus === 'closed');
  return { gate, preChatCard, away, csat };
}
