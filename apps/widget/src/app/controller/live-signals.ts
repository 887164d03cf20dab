// What the team side signals while the visitor watches: typing, an AI answer being written, delivery and read
// receipts, the conversation closed or reopened, operator presence.
import type { TTransportHandlers } from '../../transport/connect-widget-socket.js';
import type { TCore } from './core.js';

export function createLiveSignals(core: TCore): Pick<
  TTransportHandlers,
  'onTyping' | 'onAiStream' | 'onReceipt' | 'onConversation' | 'onPresence'
> & {
  stop(): void;
} {
  const { get, set } = core;
  let typingTimer: ReturnType<typeof setTimeout> | undefined;
  return {
    onTyping(event) {
      clearTimeout(typingTimer);
      set({ typing: event.isTyping ? event : null });
      // Never trust a typing indicator to be cleared: a lost `false` must not leave it on forever.
      if (event.isTyping) typingTimer = setTimeout(() => set({ typing: null }), core.deps.typingTimeoutMs ?? 6000);
    },
    onAiStream(event) {
      const current = get().chat.conversationId;
      if (current && event.conversationId !== current) return;
      if (event.state === 'streaming' || event.state === 'done') {
        // A late partial never overwrites the final text of the same answer.
        const shown = get().aiStream;
        if (shown?.streamId === event.streamId && shown.state === 'done' && event.state === 'streaming') return;
        set({ aiStream: event, aiNotice: null, typing: null });
      } else set({ aiStream: null, aiNotice: event.state === 'cancelled' ? get().aiNotice : event.state });
    },
    onReceipt({ conversationId, kind, seq }) {
      const { chat, receipts } = get();
      if (conversationId !== chat.conversationId) return;
      const read = kind === 'read' ? Math.max(receipts.read, seq) : receipts.read;
      const delivered = Math.max(receipts.delivered, kind === 'delivered' ? seq : read);
      if (delivered !== receipts.delivered || read !== receipts.read) set({ receipts: { delivered, read } });
    },
    onConversation({ conversationId, status, csatRequested }) {
      const current = get().chat.conversationId;
      if (current && conversationId !== current) return;
      const isAsking = status === 'closed' && csatRequested;
      set({ conversationStatus: status, isCsatRequested: isAsking });
      if (isAsking) core.setForm('csat', { status: 'idle', error: null });
    },
    onPresence: (presence) => set({ presence }),
    stop() {
      clearTimeout(typingTimer);
      set({ typing: null });
    },
  };
}
