import type { Namespace } from 'socket.io';
import type { Redis } from 'ioredis';
import type { TLogger } from '@pocketping/core';
import { getOperatorsOnline, widgetRooms } from '@pocketping/jobs';
import { WidgetEvents, computePresence, type TPresenceEvent, type TProjectSettings } from '@pocketping/protocol';

export interface TPresenceWatcher {
  /** A socket of this project connected on this node; returns the presence to send it right away. */
  add(projectId: string, settings: TProjectSettings): Promise<TPresenceEvent>;
  remove(projectId: string): void;
  /** One pass over the projects served by this node (also run on a timer). */
  check(): Promise<void>;
  stop(): void;
}

/**
 * Operator presence for the widgets connected to THIS node. The switch to online is pushed at once by whoever
 * records operator activity (touchOperatorPresence + the emitter); the switch back to away has no event (a Redis
 * key expires), so each node re-reads the keys of the projects it serves every `intervalMs` and tells its own
 * sockets (`local`) when a status changed. One MGET per pass, whatever the number of sockets.
 */
export function createPresenceWatcher(deps: {
  redis: Redis;
  prefix: string;
  widget: Namespace;
  intervalMs: number;
  log: TLogger;
}): TPresenceWatcher {
  const projects = new Map<string, { sockets: number; settings: TProjectSettings; last: TPresenceEvent | null }>();
  const same = (a: TPresenceEvent | null, b: TPresenceEvent) =>
    a !== null && a.status === b.status && a.replyTimeMinutes === b.replyTimeMinutes;

  async function check(): Promise<void> {
    const ids = [...projects.keys()];
    const now = new Date();
    for (let i = 0; i < ids.length; i += 500) {
      const batch = ids.slice(i, i + 500);
      const online = await getOperatorsOnline(deps.redis, deps.prefix, batch);
      for (const id of batch) {
        const entry = projects.get(id);
        if (!entry) continue;
        const next = computePresence(entry.settings, online.get(id) ?? false, now);
        if (!same(entry.last, next)) {
          entry.last = next;
          // Not to the tabs of a conversation beyond the quota: they keep showing away (the leave-your-email form).
          deps.widget.local
            .to(widgetRooms.project(id))
            .except(widgetRooms.overQuota(id))
            .emit(WidgetEvents.presence, next);
        }
      }
    }
  }

  const timer = setInterval(() => {
    check().catch((err: unknown) =>
      deps.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'presence check failed'),
    );
  }, deps.intervalMs);
  timer.unref();

  return {
    async add(projectId, settings) {
      const entry = projects.get(projectId) ?? { sockets: 0, settings, last: null };
      entry.sockets += 1;
      entry.settings = settings;
      projects.set(projectId, entry);
      const online = (await getOperatorsOnline(deps.redis, deps.prefix, [projectId])).get(projectId) ?? false;
      const now = computePresence(settings, online, new Date());
      entry.last ??= now;
      return now;
    },
    remove(projectId) {
      const entry = projects.get(projectId);
      if (!entry) return;
      entry.sockets -= 1;
      if (entry.sockets <= 0) projects.delete(projectId);
    },
    check,
    stop() {
      clearInterval(timer);
    },
  };
}
