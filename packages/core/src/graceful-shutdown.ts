import type { TLogger } from './logger.js';

/** SIGTERM/SIGINT → `close()` once, then exit; a close that hangs is cut after `graceMs`. */
export function exitOnSignals(log: TLogger, close: () => Promise<void>, graceMs = 10_000): void {
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down');
    close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
    setTimeout(() => process.exit(1), graceMs).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}
