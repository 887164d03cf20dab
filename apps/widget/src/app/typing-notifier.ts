export interface TTypingNotifier {
  /** The composer changed: `hasText` false (emptied) stops typing at once. */
  input(hasText: boolean): void;
  /** Sent, blurred, closed, disconnected: typing is over. */
  stop(): void;
}

/**
 * Debounces `typing:update`: one `true` when typing starts, refreshed every `refreshMs` while it goes on (the
 * server forgets a typing state after 6 s), and always one `false` at the end — after `idleMs` without input,
 * or at once on stop().
 */
export function createTypingNotifier(
  send: (isTyping: boolean) => void,
  opts: { refreshMs?: number; idleMs?: number } = {},
): TTypingNotifier {
  const refreshMs = opts.refreshMs ?? 3000;
  const idleMs = opts.idleMs ?? 4000;
  let isTyping = false;
  let lastSentAt = 0;
  let idleTimer: ReturnType<typeof setTimeout> | undefined;

  function stop() {
    clearTimeout(idleTimer);
    if (!isTyping) return;
    isTyping = false;
    send(false);
  }

  return {
    input(hasText) {
      if (!hasText) return stop();
      if (!isTyping || Date.now() - lastSentAt >= refreshMs) {
        isTyping = true;
        lastSentAt = Date.now();
        send(true);
      }
      clearTimeout(idleTimer);
      idleTimer = setTimeout(stop, idleMs);
    },
    stop,
  };
}
