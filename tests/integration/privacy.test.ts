// Data rights and retention against the real Postgres, Redis, the worker and the fake Telegram: the privacy pass
// deletes exactly what is due (files' bytes included) and nothing of another tenant; a visitor's export holds all of
// them and nothing of another visitor; erasure leaves no row or file behind and deletes the bot's posts in the chat
// apps; an organization's deletion revokes its keys at once and purges it when the grace ends, unless cancelled.
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseKeyRing, sha256 } from '@pocketping/core';
import {
  bootstrapTenant,
  cancelOrganizationDeletion,
  createAttachment,
  createVisitor,
  eraseVisitorData,
  exportVisitorData,
  getOrCreateOpenConversation,
  requestOrganizationDeletion,
  SYSTEM_ORIGIN,
  resolveApiKey,
  type TDb,
} from '@pocketping/db';
import { deleteStoredFiles } from '@pocketping/storage';
import { testEncryptionKey, waitFor } from '@pocketping/testkit';
import { startHarness, type THarness } from './pipeline-harness.js';

const DAY = 86_400_000;
let h: THarness;

beforeAll(async () => {
  h = await startHarness();
}, 60_000);
afterAll(async () => {
  await h?.close();
});

async function storeFile(db: TDb, organizationId: string, conversationId: string, name: string) {
  const bytes = Buffer.from(`%PDF-1.4\n% ${name} ${randomBytes(4).toString('hex')}\n`);
  const key = `att/${organizationId}/${conversationId}/${randomBytes(8).toString('hex')}`;
  await h.storage.put(key, bytes, {
    contentType: 'application/pdf',
    sha256: createHash('sha256').update(bytes).digest('hex'),
  });
  return createAttachment(db, organizationId, {
    conversationId,
    uploadedBy: 'visitor',
    name,
    contentType: 'application/pdf',
    size: bytes.length,
    sha256: 'x',
    storageKey: key,
  });
}

/** A conversation of another organization (no chat app), with a message and a file, last active `daysAgo`. */
async function otherTenantConversation(daysAgo: number) {
  const other = await bootstrapTenant(h.db, parseKeyRing(testEncryptionKey()), {
    email: `o-${randomBytes(4).toString('hex')}@other.test`,
    orgName: 'Other',
    allowedOrigins: ['https://other.test'],
  });
  const organizationId = other.organization.id;
  const visitor = await createVisitor(h.db, organizationId, {
    projectId: other.project.id,
    tokenHash: sha256(randomBytes(8).toString('hex')),
    metadata: {},
  });
  const c = await getOrCreateOpenConversation(h.db, organizationId, {
    projectId: other.project.id,
    visitorId: visitor.id,
  });
  await h.db.message.create({
    data: { organizationId, conversationId: c.id, seq: 1, sender: 'visitor', body: 'other tenant', source: 'widget' },
  });
  const att = await storeFile(h.db, organizationId, c.id, 'other.pdf');
  await age(organizationId, c.id, visitor.id, daysAgo);
  return { organizationId, projectId: other.project.id, conversationId: c.id, attachment: att, apiKey: other.apiKey };
}

async function age(organizationId: string, conversationId: string, visitorId: string, daysAgo: number) {
  const at = new Date(Date.now() - daysAgo * DAY);
  await h.db.conversation.update({
    where: { organizationId_id: { organizationId, id: conversationId } },
    data: { lastMessageAt: at, createdAt: at },
  });
  await h.db.visitor.update({
    where: { organizationId_id: { organizationId, id: visitorId } },
    data: { lastSeenAt: at },
  });
}

/** A conversation of the harness's project with one visitor message delivered to both Telegram groups and a file. */
async function deliveredConversation(body: string) {
  const c = await h.newConversation();
  const att = await storeFile(h.db, h.organizationId, c.id, `${body}.pdf`);
  await h.visitorSays(c.id, body, [att.id]);
  await waitFor(
    async () =>
      (await h.db.bridgeMessage.count({
        where: { organizationId: h.organizationId, message: { conversationId: c.id } },
      })) >= 2,
    { what: 'posted to both groups', timeoutMs: 15_000 },
  );
  await waitFor(
    async () =>
      (await h.db.outboxEvent.count({
        where: { organizationId: h.organizationId, conversationId: c.id, status: 'pending' },
      })) === 0,
    { what: 'outbox done' },
  );
  return { ...c, attachment: att };
}

async function rowsAbout(organizationId: string, conversationIds: string[]) {
  const where = { organizationId, conversationId: { in: conversationIds } };
  return {
    conversations: await h.db.conversation.count({ where: { organizationId, id: { in: conversationIds } } }),
    messages: await h.db.message.count({ where }),
    attachments: await h.db.attachment.count({ where }),
    threads: await h.db.bridgeThread.count({ where }),
    bridgeMessages: await h.db.bridgeMessage.count({ where: { organizationId, message: where } }),
    outbox: await h.db.outboxEvent.count({ where }),
    webhookDeliveries: await h.db.webhookDelivery.count({
      where: { organizationId, groupKey: { in: conversationIds } },
    }),
    aiReplies: await h.db.aiReply.count({ where }),
  };
}
const NOTHING = {
  conversations: 0,
  messages: 0,
  attachments: 0,
  threads: 0,
  bridgeMessages: 0,
  outbox: 0,
  webhookDeliveries: 0,
  aiReplies: 0,
};

describe('retention (the privacy pass)', () => {
  it('deletes the conversations past the project retention with their files and mappings, and nothing else', async () => {
    await h.db.project.update({ where: { id: h.projectId }, data: { retentionDays: 30 } });
    const old = await deliveredConversation('old-enough');
    const recent = await deliveredConversation('still-kept');
    await age(h.organizationId, old.id, old.visitorId, 40);
    await age(h.organizationId, recent.id, recent.visitorId, 20);
    const other = await otherTenantConversation(40);
    // Internal rows: a done outbox row and an audit entry past their retention go, a younger one stays.
    const doneOld = await h.db.outboxEvent.create({
      data: {
        organizationId: h.organizationId,
        kind: 'bridge.deliver',
        conversationId: recent.id,
        seq: 99,
        status: 'done',
        createdAt: new Date(Date.now() - 20 * DAY),
      },
    });
    const deadRecent = await h.db.outboxEvent.create({
      data: {
        organizationId: h.organizationId,
        kind: 'bridge.deliver',
        conversationId: recent.id,
        seq: 98,
        status: 'dead',
        createdAt: new Date(Date.now() - 5 * DAY),
      },
    });
    const auditOld = await h.db.auditLog.create({
      data: {
        organizationId: h.organizationId,
        actorType: 'system',
        action: 'x.old',
        createdAt: new Date(Date.now() - 400 * DAY),
      },
    });
    const auditNew = await h.db.auditLog.create({
      data: { organizationId: h.organizationId, actorType: 'system', action: 'x.new' },
    });

    const r = await h.worker.privacyPass();
    expect(r.conversations).toBe(1);
    expect(r.files).toBe(1);
    expect(await rowsAbout(h.organizationId, [old.id])).toEqual(NOTHING);
    expect(await h.db.visitor.count({ where: { id: old.visitorId } })).toBe(0);
    expect(await h.storage.get(old.attachment.storageKey)).toBeNull();

    const kept = await rowsAbout(h.organizationId, [recent.id]);
    expect(kept).toMatchObject({ conversations: 1, messages: 1, attachments: 1, threads: 2 });
    expect(kept.bridgeMessages).toBeGreaterThanOrEqual(2);
    expect(await h.storage.get(recent.attachment.storageKey)).not.toBeNull();
    // The other organization keeps its plan's retention (its project set none): 40 days is well within it.
    expect(await rowsAbout(other.organizationId, [other.conversationId])).toMatchObject({
      conversations: 1,
      messages: 1,
      attachments: 1,
    });
    expect(await h.storage.get(other.attachment.storageKey)).not.toBeNull();

    expect(await h.db.outboxEvent.count({ where: { id: doneOld.id } })).toBe(0);
    expect(await h.db.outboxEvent.count({ where: { id: deadRecent.id } })).toBe(1);
    expect(await h.db.auditLog.count({ where: { id: auditOld.id } })).toBe(0);
    expect(await h.db.auditLog.count({ where: { id: auditNew.id } })).toBe(1);

    // Idempotent: a second pass (and two at once) find nothing more to delete.
    const [again, twin] = await Promise.all([h.worker.privacyPass(), h.worker.privacyPass()]);
    expect(again.conversations + twin.conversations).toBe(0);
    await h.db.project.update({ where: { id: h.projectId }, data: { retentionDays: null } });
  }, 60_000);
});

describe('visitor export and erasure', () => {
  it('the export holds everything of that visitor and nothing of another', async () => {
    const mine = await deliveredConversation('mine-secret');
    const theirs = await deliveredConversation('theirs-secret');
    await h.db.visitor.update({
      where: { organizationId_id: { organizationId: h.organizationId, id: mine.visitorId } },
      data: { email: 'me@visitor.test', name: 'Me', timeZone: 'Europe/Paris' },
    });
    for (const [visitorId, url] of [
      [mine.visitorId, 'https://shop.test/mine-page'],
      [theirs.visitorId, 'https://shop.test/theirs-secret-page'],
    ] as const)
      await h.db.visitorPageView.create({
        data: { organizationId: h.organizationId, visitorId, url, clientAt: BigInt(Date.now()), seenAt: new Date() },
      });
    const scope = { organizationId: h.organizationId, projectId: null };
    const data = await exportVisitorData(h.db, scope, mine.visitorId);
    expect(data?.visitor).toMatchObject({
      id: mine.visitorId,
      email: 'me@visitor.test',
      name: 'Me',
      timeZone: 'Europe/Paris',
    });
    expect(data?.pagesVisited.map((p) => p.url)).toEqual(['https://shop.test/mine-page']);
    expect(data?.conversations.map((c) => c.id)).toEqual([mine.id]);
    const conv = data!.conversations[0]!;
    expect(conv.messages.map((m) => m.body)).toContain('mine-secret');
    expect(conv.files).toEqual([expect.objectContaining({ id: mine.attachment.id, name: 'mine-secret.pdf' })]);
    expect(conv.chatAppCopies).toHaveLength(2);
    // The text and the file are posted in each group; every copy is named with its platform id.
    expect(
      conv.chatAppCopies.every(
        (c) => c.messages.length >= 1 && c.messages.every((m) => m.messageId === conv.messages[0]!.id),
      ),
    ).toBe(true);
    const json = JSON.stringify(data);
    expect(json).not.toContain('theirs-secret');
    expect(json).not.toContain(theirs.visitorId);
    // Another tenant's scope, or a restricted key of another project, sees no such visitor.
    const other = await otherTenantConversation(1);
    expect(
      await exportVisitorData(h.db, { organizationId: other.organizationId, projectId: null }, mine.visitorId),
    ).toBeNull();
    expect(
      await exportVisitorData(h.db, { organizationId: h.organizationId, projectId: other.projectId }, mine.visitorId),
    ).toBeNull();
  }, 60_000);

  it('erasure leaves no row or file behind and deletes the bot posts in the chat apps', async () => {
    const mine = await deliveredConversation('erase-me');
    const theirs = await deliveredConversation('keep-them');
    const ta = await h.topicOf(h.a, mine.id);
    const tb = await h.topicOf(h.b, mine.id);
    const postsBefore = h.botPosts(h.a, ta).length + h.botPosts(h.b, tb).length;
    expect(h.botPosts(h.a, ta).every((m) => !m.deleted)).toBe(true);

    const other = await otherTenantConversation(1);
    expect(
      await eraseVisitorData(h.db, { organizationId: other.organizationId, projectId: null }, mine.visitorId),
    ).toBeNull();

    const erased = await eraseVisitorData(h.db, { organizationId: h.organizationId, projectId: null }, mine.visitorId);
    expect(erased).toMatchObject({ conversations: 1, platformDeletions: postsBefore });
    expect(erased!.storageKeys).toEqual([mine.attachment.storageKey]);
    await deleteStoredFiles(h.storage, erased!.storageKeys, {
      log: h.worker.ctx.log,
      tenantId: h.organizationId,
      reason: 'test',
    });
    await h.producer.enqueuePlatformDeletions(h.organizationId);

    expect(await rowsAbout(h.organizationId, [mine.id])).toEqual(NOTHING);
    expect(await h.db.visitor.count({ where: { id: mine.visitorId } })).toBe(0);
    expect(await h.storage.get(mine.attachment.storageKey)).toBeNull();
    await waitFor(() => h.botPosts(h.a, ta).every((m) => m.deleted) && h.botPosts(h.b, tb).every((m) => m.deleted), {
      what: 'bot posts deleted in both groups',
      timeoutMs: 15_000,
    });
    await waitFor(
      async () =>
        (await h.db.platformDeletion.count({ where: { organizationId: h.organizationId, status: 'pending' } })) === 0,
      { what: 'deletions recorded' },
    );
    expect(
      await h.db.platformDeletion.count({ where: { organizationId: h.organizationId, status: 'done' } }),
    ).toBeGreaterThanOrEqual(2);

    // The other visitor of the same project keeps everything, posts included.
    expect(await rowsAbout(h.organizationId, [theirs.id])).toMatchObject({
      conversations: 1,
      messages: 1,
      attachments: 1,
    });
    expect(await h.storage.get(theirs.attachment.storageKey)).not.toBeNull();
    const theirTopic = await h.topicOf(h.a, theirs.id);
    expect(h.botPosts(h.a, theirTopic).some((m) => !m.deleted)).toBe(true);
    expect(await rowsAbout(other.organizationId, [other.conversationId])).toMatchObject({ conversations: 1 });
  }, 60_000);
});

describe('organization deletion', () => {
  it('revokes the API keys at once, is cancellable, and purges everything when the grace ends', async () => {
    const doomed = await otherTenantConversation(1);
    const bystander = await otherTenantConversation(1);
    const now = new Date();
    const owner = await h.db.membership.findFirstOrThrow({ where: { organizationId: doomed.organizationId } });
    const scheduledFor = new Date(now.getTime() + 7 * DAY);
    const first = await requestOrganizationDeletion(h.db, {
      origin: SYSTEM_ORIGIN,
      organizationId: doomed.organizationId,
      userId: owner.userId,
      now,
      scheduledFor,
    });
    expect(first).toMatchObject({ apiKeysRevoked: 1, connections: [] });
    expect(await resolveApiKey(h.db, doomed.apiKey.key)).toBeNull();
    // A second request while one is scheduled changes nothing.
    expect(
      await requestOrganizationDeletion(h.db, {
        origin: SYSTEM_ORIGIN,
        organizationId: doomed.organizationId,
        userId: owner.userId,
        now,
        scheduledFor,
      }),
    ).toBeNull();

    // Within the grace: nothing purged. Cancelled: a later pass past the old date purges nothing either.
    await h.worker.privacyPass({ now: () => new Date(now.getTime() + 6 * DAY) });
    expect(await h.db.organization.count({ where: { id: doomed.organizationId } })).toBe(1);
    expect(
      await cancelOrganizationDeletion(h.db, {
        organizationId: doomed.organizationId,
        userId: owner.userId,
        origin: SYSTEM_ORIGIN,
      }),
    ).toBe(true);
    await h.worker.privacyPass({ now: () => new Date(now.getTime() + 8 * DAY) });
    expect(await h.db.organization.count({ where: { id: doomed.organizationId } })).toBe(1);

    await requestOrganizationDeletion(h.db, {
      origin: SYSTEM_ORIGIN,
      organizationId: doomed.organizationId,
      userId: owner.userId,
      now,
      scheduledFor,
    });
    const r = await h.worker.privacyPass({ now: () => new Date(now.getTime() + 8 * DAY) });
    expect(r.organizationsPurged).toBe(1);
    expect(await h.db.organization.count({ where: { id: doomed.organizationId } })).toBe(0);
    expect(await h.db.conversation.count({ where: { organizationId: doomed.organizationId } })).toBe(0);
    expect(await h.db.project.count({ where: { organizationId: doomed.organizationId } })).toBe(0);
    expect(await h.db.auditLog.count({ where: { organizationId: doomed.organizationId } })).toBe(0);
    expect(await h.storage.get(doomed.attachment.storageKey)).toBeNull();
    // The owner's account is personal: it stays (without the organization).
    expect(await h.db.user.count({ where: { id: owner.userId } })).toBe(1);

    expect(await h.db.organization.count({ where: { id: bystander.organizationId } })).toBe(1);
    expect(await rowsAbout(bystander.organizationId, [bystander.conversationId])).toMatchObject({
      conversations: 1,
      attachments: 1,
    });
    expect(await h.storage.get(bystander.attachment.storageKey)).not.toBeNull();
  }, 60_000);
});
