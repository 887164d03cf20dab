import { verifyUnsubscribeToken } from '@pocketping/core';
import { NOTIFICATION_KINDS, setNotificationPreference, type TNotificationKind } from '@pocketping/db';
import type { TWebContext } from '../context';

/** What each notification kind is called on the unsubscribe page and in the settings. */
export const NOTIFICATION_KIND_LABELS: Record<TNotificationKind, string> = {
  waiting: 'Emails about visitors waiting for an answer',
};

/** The user and kind a (signed) unsubscribe token names, if it is valid and the kind still exists. */
export function readUnsubscribeToken(
  app: Pick<TWebContext, 'keyRing'>,
  token: string,
): { userId: string; kind: TNotificationKind } | null {
  const claims = verifyUnsubscribeToken(app.keyRing, token);
  if (!claims || !(NOTIFICATION_KINDS as readonly string[]).includes(claims.kind)) return null;
  return { userId: claims.userId, kind: claims.kind as TNotificationKind };
}

/** Turns the token's kind off for its user; false for a bad token or a deleted account. */
export async function unsubscribeWithToken(app: Pick<TWebContext, 'keyRing' | 'db'>, token: string): Promise<boolean> {
  const claims = readUnsubscribeToken(app, token);
  if (!claims) return false;
  return setNotificationPreference(app.db, claims.userId, claims.kind, 'off');
}
