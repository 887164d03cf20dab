import { signUnsubscribeToken } from '@pocketping/core';
import { claimDigest, getNotificationUser, listDigestDue, listDigestItems, releaseDigest } from '@pocketping/db';
import { renderMail } from './mail-layout.js';
import { notificationLinks } from './links.js';
import type { TNotifyDeps } from './notify-waiting.js';

const ago = (from: Date, now: Date) => {
  const m = Math.max(1, Math.round((now.getTime() - from.getTime()) / 60_000));
  return m < 90 ? `waiting ${m} min` : `waiting ${Math.round(m / 60)} h`;
};

/**
 * notify.digest — every `everyMs`, each user in digest mode whose last digest is that old gets one email listing the
 * waits announced since, that still wait (nothing when none does). The claim moves the user's digest time first, so
 * two workers never send the same digest; a failure to queue gives it back.
 */
export async function runDigestPass(
  deps: TNotifyDeps,
  everyMs: number,
  now = new Date(),
): Promise<{ users: number; emails: number }> {
  const links = notificationLinks(deps.webPublicUrl);
  const due = await listDigestDue(deps.db, 'waiting', everyMs, now);
  let emails = 0;
  for (const userId of due) {
    const since = await claimDigest(deps.db, userId, 'waiting', everyMs, now);
    if (!since) continue;
    try {
      const [user, items] = await Promise.all([
        getNotificationUser(deps.db, userId),
        listDigestItems(deps.db, userId, { since, until: now }),
      ]);
      if (!user || items.length === 0) continue;
      const mail = renderMail({
        subject: `${items.length} visitor${items.length === 1 ? '' : 's'} waiting for an answer`,
        heading: `${items.length} conversation${items.length === 1 ? '' : 's'} still wait${items.length === 1 ? 's' : ''} for an answer`,
        paragraphs: ['These visitors wrote and nobody has answered yet:'],
        items: items.map((i) => ({
          label: `${i.visitorLabel} (${i.projectName})`,
          detail: ago(i.waitingSince, now),
          url: links.conversation(i.organizationId, i.projectId, i.conversationId),
        })),
        footer: {
          reason: 'You get this digest of waiting visitors because you chose it in your notification settings.',
          preferencesUrl: links.preferences,
          unsubscribeUrl: links.unsubscribe(signUnsubscribeToken(deps.keyRing, userId, 'waiting')),
        },
      });
      await deps.mail.enqueue(`mail-digest-${userId}-${now.getTime()}`, {
        to: user.email,
        ...mail,
        kind: 'waiting-digest',
        unsubscribeUrl: links.oneClickUnsubscribe(signUnsubscribeToken(deps.keyRing, userId, 'waiting')),
      });
      emails += 1;
    } catch (err) {
      await releaseDigest(deps.db, userId, 'waiting', since).catch(() => undefined);
      deps.log.warn({ userId, err: err instanceof Error ? err.message : String(err) }, 'digest not sent');
    }
  }
  return { users: due.length, emails };
}
