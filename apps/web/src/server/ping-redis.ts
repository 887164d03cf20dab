import { once } from 'node:events';
import type { TWebContext } from './context';

/** The producer connection refuses commands while (re)connecting; give a fresh one its chance to come up. */
export async function pingRedis(redis: TWebContext['producer']['redis'], timeoutMs: number): Promise<string> {
  // The signal removes the listener when Redis stays down; once() also rejects on the client's 'error' event.
  if (redis.status !== 'ready') await once(redis, 'ready', { signal: AbortSignal.timeout(timeoutMs) });
  return redis.ping();
}
