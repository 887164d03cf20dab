import type { Namespace } from 'socket.io';
import type { Redis } from 'ioredis';
import type { TLogger } from '@pocketping/core';
import { getOperatorsOnline, widgetRooms } from '@pocketping/jobs';
import { WidgetEvents, computePresence, type TPresenceEvent, type TProjectSettings } from '@pocketping/protocol';

export interface TPresenceWatcher {
  /** A socket of this project connected on this node; returns the presence to send it right away. */
  add(projectId: string, settings: TProjectSettings, organizationId?: string): Promise<TPresenceEvent>;
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
  /**
   * The project's measured first-response time in minutes (null: not enough answered conversations), shown instead
   * of its configured reply time. Asked at most once per `replyTimeCacheMs` per project (default 10 minutes).
   */
  measuredReplyTime?: (organizationId: string, projectId: string) => Promise<number | null>;
  replyTimeCacheMs?: number;
}): TPresenceWatcher {
  const projects = new Map<
    string,
    { sockets: number; settings: TProjectSettings; last: TPresenceEvent | null; organizationId?: string }
  >();
  const measured = new Map<string, { minutes: number | null; at: number }>();
  const cacheMs = deps.replyTimeCacheMs ?? 10 * 60_000;
  /** The measured reply time, fetched when missing or stale; a failed read keeps the configured one. */
  async function refreshReplyTime(organizationId: string | undefined, projectId: string): Promise<void> {
    const cached = measured.get(projectId);
    if (!deps.measuredReplyTime || !organizationId || (cached && Date.now() - cached.at < cacheMs)) return;
    measured.set(projectId, { minutes: cached?.minutes ?? null, at: Date.now() });
    try {
      measured.set(projectId, { minutes: await deps.measuredReplyTime(organizationId, projectId), at: Date.now() });
    } catch (err) {
      deps.log.warn({ err: err instanceof Error ? err.message : String(err), projectId }, 'reply time not measured');
    }
  }
  /** The settings with the measured reply time, when there is one. */
  const withMeasured = (projectId: string, settings: TProjectSettings): TProjectSettings => {
    const minutes = measured.get(projectId)?.minutes;
    return minutes ? { ...settings, replyTimeMinutes: minutes } : settings;
  };
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
        await refreshReplyTime(entry.organizationId, id);
        const next = computePresence(withMeasured(id, entry.settings), online.get(id) ?? false, now);
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
    async add(projectId, settings, organizationId) {
      const entry = projects.get(projectId) ?? { sockets: 0, settings, last: null };
      entry.sockets += 1;
      entry.settings = settings;
      if (organizationId) entry.organizationId = organizationId;
      projects.set(projectId, entry);
      const [onlineMap] = await Promise.all([
        getOperatorsOnline(deps.redis, deps.prefix, [projectId]),
        refreshReplyTime(organizationId, projectId),
      ]);
      const online = onlineMap.get(projectId) ?? false;
      const now = computePresence(withMeasured(projectId, settings), online, new Date());
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
