/**
 * Counts the widget events and HTTP uploads being handled, so a draining node can wait for the writes it has started (a send that
 * commits after its socket closed is still answered by the client's retry with the same clientId) before it closes
 * its database pools.
 */
export interface TInFlight {
  run<T>(work: () => Promise<T>): Promise<T>;
  count(): number;
  /** Resolves when nothing is in flight, or after `timeoutMs` (false then). */
  idle(timeoutMs: number): Promise<boolean>;
}

export function createInFlight(): TInFlight {
  let n = 0;
  let waiters: (() => void)[] = [];
  const settle = () => {
    if (n > 0) return;
    const ws = waiters;
    waiters = [];
    for (const w of ws) w();
  };
  return {
    async run(work) {
      n += 1;
      try {
        return await work();
      } finally {
        n -= 1;
        settle();
      }
    },
    count: () => n,
    idle(timeoutMs) {
      if (n === 0) return Promise.resolve(true);
      return new Promise((resolve) => {
        const t = setTimeout(
          () => {
            waiters = waiters.filter((w) => w !== done);
            resolve(false);
          },
          Math.max(0, timeoutMs),
        );
        const done = () => {
          clearTimeout(t);
          resolve(true);
        };
        waiters.push(done);
      });
    },
  };
}
