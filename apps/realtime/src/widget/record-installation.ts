import type { TLogger } from '@pocketping/core';
import { recordWidgetSeen, type TDb } from '@pocketping/db';

/**
 * Records that the widget is installed (onboarding's "installation detected"): the first accepted handshake of a
 * project sets widgetFirstSeenAt, later ones refresh widgetLastSeenAt at most once a minute per project and node.
 * Fire and forget: it never delays or fails a handshake.
 */
export function createInstallationRecorder(db: TDb, log: TLogger, throttleMs = 60_000, max = 10_000) {
  const lastWrite = new Map<string, number>();
  return (organizationId: string, projectId: string): void => {
    const now = Date.now();
    const last = lastWrite.get(projectId);
    if (last !== undefined && now - last < throttleMs) return;
    if (lastWrite.size >= max) lastWrite.clear();
    lastWrite.set(projectId, now);
    const failed = (err: unknown) => {
      lastWrite.delete(projectId);
      log.warn({ err, tenantId: organizationId, projectId }, 'could not record widget installation');
    };
    try {
      recordWidgetSeen(db, organizationId, projectId).catch(failed);
    } catch (err) {
      failed(err); // a synchronous throw must not reach the handshake either
    }
  };
}
