import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { AppError } from '@pocketping/core';
import { getVisitor, type TDb } from '@pocketping/db';
import {
  isVisitorConnected,
  queueVisitorEvent,
  takeVisitorEvents,
  widgetRooms,
  type TRoomEmitter,
} from '@pocketping/jobs';
import { VISITOR_PUSH_EVENT, type TVisitorPushEvent } from '@pocketping/protocol';

export interface TPushVisitorEventPorts {
  db: TDb;
  redis: Redis;
  /** REDIS_PREFIX: the same as realtime's (connection counts and the queue live there). */
  redisPrefix: string;
  /** The `/widget` namespace: realtime's own, or a Socket.IO Redis emitter's `.of('/widget')`. */
  widget: TRoomEmitter;
}

/** The largest `data` accepted, serialized (it travels to a browser). */
export const VISITOR_EVENT_DATA_MAX_BYTES = 8 * 1024;

export const ZPushVisitorEvent = z
  .object({
    organizationId: z.string().min(1).max(64),
    projectId: z.string().min(1).max(64),
    visitorId: z.string().min(1).max(64),
    name: z
      .string()
      .min(1)
      .max(100)
      .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only')
      // The widget's own events of PocketPing.on() keep their meaning.
      .refine(
        (n) => !['open', 'close', 'message', 'unread'].includes(n),
        'open, close, message and unread are reserved',
      ),
    data: z.unknown().optional(),
  })
  .strict()
  .refine((v) => Buffer.byteLength(JSON.stringify(v.data ?? null)) <= VISITOR_EVENT_DATA_MAX_BYTES, {
    message: `data is larger than ${VISITOR_EVENT_DATA_MAX_BYTES} bytes`,
    path: ['data'],
  });
export type TPushVisitorEventInput = z.input<typeof ZPushVisitorEvent>;

/**
 * A named event with data for one visitor's widgets (`PocketPing.on(name, fn)` on the site). Live when a widget of
 * the visitor is open (room `visitor:<id>` on every realtime node); otherwise queued (bounded, see
 * visitor-event-queue.ts) and delivered when the visitor's widget connects again. The visitor must belong to the
 * tenant's project, else not_found (like another tenant's).
 */
export async function pushVisitorEvent(
  ports: TPushVisitorEventPorts,
  input: TPushVisitorEventInput,
): Promise<{ event: TVisitorPushEvent; delivery: 'live' | 'queued' }> {
  const parsed = ZPushVisitorEvent.safeParse(input);
  if (!parsed.success)
    throw new AppError('bad_request', 'Invalid visitor event', {
      issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    });
  const { organizationId, projectId, visitorId, name, data } = parsed.data;
  const visitor = await getVisitor(ports.db, organizationId, visitorId);
  if (!visitor || visitor.projectId !== projectId) throw new AppError('not_found', 'Visitor not found');
  const event: TVisitorPushEvent = {
    id: `ve_${randomBytes(12).toString('hex')}`,
    name,
    data: data ?? null,
    sentAt: new Date().toISOString(),
  };
  const room = ports.widget.to(widgetRooms.visitor(visitorId));
  if (await isVisitorConnected(ports.redis, ports.redisPrefix, visitorId)) {
    room.emit(VISITOR_PUSH_EVENT, event);
    return { event, delivery: 'live' };
  }
  await queueVisitorEvent(ports.redis, ports.redisPrefix, visitorId, event);
  // The visitor may have connected between the check and the queueing; then their connect may have drained the
  // queue before our event was in it. Whoever takes the queue now delivers it (taking is atomic: never twice).
  if (await isVisitorConnected(ports.redis, ports.redisPrefix, visitorId)) {
    for (const e of await takeVisitorEvents(ports.redis, ports.redisPrefix, visitorId))
      room.emit(VISITOR_PUSH_EVENT, e);
    return { event, delivery: 'live' };
  }
  return { event, delivery: 'queued' };
}
