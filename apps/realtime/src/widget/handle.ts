import type { Socket } from 'socket.io';
import type { z } from 'zod';
import { AppError, toAppError, type TLogger } from '@pocketping/core';
import { findUnstorableString } from '@pocketping/db';
import type { TAckError } from '@pocketping/protocol';
import type { TRateLimiter } from '../rate-limit.js';
import type { TInFlight } from '../in-flight.js';
import type { TWidgetSocketData } from './authenticate.js';
import { IP_EVENT_LIMIT, type TEventLimits, type TLimitedEvent } from './event-limits.js';

export type TWidgetSocket = Socket & { data: TWidgetSocketData };

export function ackError(err: unknown): { ok: false; error: TAckError } {
  const e = toAppError(err);
  const code =
    e.code === 'conflict' || e.code === 'unprocessable'
      ? 'bad_request'
      : e.code === 'unavailable'
        ? 'internal'
        : e.code;
  return { ok: false, error: { code, message: e.message, ...(e.details === undefined ? {} : { details: e.details }) } };
}

/** Who an event is counted for. `ip` is already the rate-limit address (IPv6 /64, core's rateLimitAddress). */
export interface TLimitSubject {
  visitorId: string;
  projectId: string;
  ip: string;
  /** The visitor already has a conversation: the project's circuit breaker does not apply (event-limits.ts). */
  established: boolean;
}

/**
 * Counts one hit on each scope of an event (one atomic Redis call, all or nothing); throws rate_limited naming the
 * scope that is exhausted.
 */
export async function enforceLimits(
  limiter: TRateLimiter,
  name: string,
  limits: TEventLimits,
  who: TLimitSubject,
  ipLimit = IP_EVENT_LIMIT,
): Promise<void> {
  const exhausted = await limiter.hitAll([
    { key: `ev:ip:${who.ip}`, limit: ipLimit[0], windowSec: ipLimit[1] },
    { key: `${name}:visitor:${who.visitorId}`, limit: limits.visitor[0], windowSec: limits.visitor[1] },
    ...(limits.project && !who.established
      ? [{ key: `${name}:project:${who.projectId}`, limit: limits.project[0], windowSec: limits.project[1] }]
      : []),
  ]);
  if (exhausted === 0) throw new AppError('rate_limited', 'Too many requests from this address; slow down');
  if (exhausted === 1)
    throw new AppError('rate_limited', `Too many ${name} requests; wait a few seconds`, {
      retryAfterSec: limits.visitor[1],
    });
  if (exhausted === 2)
    throw new AppError('rate_limited', 'This site is receiving too many requests; retry shortly', {
      retryAfterSec: limits.project?.[1] ?? 60,
    });
}

/**
 * Wraps an event handler: rate-limits, validates the payload with its zod schema, answers through the ack (when
 * the client gave one) with either the result or a documented error code. Nothing a client sends can throw past here.
 */
export function handle<S extends z.ZodType, R>(
  socket: TWidgetSocket,
  event: TLimitedEvent,
  opts: { schema: S; limits: TEventLimits; limiter: TRateLimiter; log: TLogger; inFlight: TInFlight },
  fn: (input: z.infer<S>) => Promise<R>,
): void {
  socket.on(event, (...args: unknown[]) => {
    // Socket.IO hands the ack over as the LAST argument: a client sending extra arguments still gets its answer.
    const ack = args[args.length - 1];
    const reply = typeof ack === 'function' ? (ack as (r: unknown) => void) : () => undefined;
    const payload = typeof args[0] === 'function' ? undefined : args[0];
    const { visitorId, projectId, ip, organizationId } = socket.data;
    opts.inFlight
      .run(async () => {
        // A conversation this socket knows of (from the session or its own sends) makes the visitor established.
        const established = socket.data.joinedConversationId !== null || socket.data.openConversationId !== null;
        await enforceLimits(opts.limiter, event, opts.limits, { visitorId, projectId, ip, established });
        const parsed = opts.schema.safeParse(payload ?? {});
        if (!parsed.success) {
          throw new AppError(
            'bad_request',
            'Invalid payload',
            parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
          );
        }
        // Postgres cannot store NUL or a lone surrogate: refuse them here, naming the field, not with `internal` at the write.
        const unstorable = findUnstorableString(parsed.data);
        if (unstorable !== null) {
          const message = 'contains a character that cannot be stored (NUL or an unpaired surrogate)';
          throw new AppError('bad_request', `Invalid payload: ${unstorable || 'payload'} ${message}`, [
            { path: unstorable, message },
          ]);
        }
        return fn(parsed.data);
      })
      .then(
        (result) => reply(result),
        (err: unknown) => {
          if (!(err instanceof AppError))
            opts.log.error({ err, tenantId: organizationId, event }, 'widget handler failed');
          reply(ackError(err));
        },
      );
  });
}
