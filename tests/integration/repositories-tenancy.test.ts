// The repositories the apps call for memberships, invitations, projects, the inbox and downloads: each takes the
// tenant id and finds nothing of another tenant's, whatever id it is given.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseKeyRing, sha256 } from '@pocketping/core';
import {
  appendMessage,
  bootstrapTenant,
  claimInvitation,
  conversationExists,
  countProjectConnections,
  createAttachment,
  createDb,
  createInvitationRow,
  createVisitor,
  deleteMembership,
  deleteProject,
  findDownloadableAttachment,
  findProjectConnectionIdByTarget,
  getConversationWithVisitor,
  getInvitation,
  getMembership,
  getMembershipById,
  getOrCreateOpenConversation,
  getProject,
  getProjectRecord,
  listLatestMessagesWithAttachments,
  listMemberUserIds,
  listOrganizationMembers,
  newId,
  queryInboxPage,
  revokeInvitationRow,
  revokePendingInvitationsBy,
  setMembershipRole,
  updateProjectFields,
  withOrganizationLock,
  type TDb,
} from '@pocketping/db';
import { createTestDatabase, testEncryptionKey, type TTestDatabase } from '@pocketping/testkit';

describe('repositories: tenant scoping of what the apps call', () => {
  let database: TTestDatabase;
  let db: TDb;
  const ring = parseKeyRing(testEncryptionKey());
  let a: Awaited<ReturnType<typeof bootstrapTenant>>;
  let b: Awaited<ReturnType<typeof bootstrapTenant>>;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = createDb(database.url, { poolSize: 5 });
    a = await bootstrapTenant(db, ring, {
      email: 'a@a.test',
      orgName: 'A',
      allowedOrigins: ['https://a.test'],
      telegram: { botToken: '1:aaaaaaaaaaaaaaaaaaaaaaaa', chatId: '-100111' },
    });
    b = await bootstrapTenant(db, ring, { email: 'b@b.test', orgName: 'B', allowedOrigins: ['https://b.test'] });
  });
  afterAll(async () => {
    await db?.$disconnect();
    await database?.drop();
  });

  it('memberships: found in their organization only; changes with another tenant id touch nothing', async () => {
    const mine = await getMembership(db, a.organization.id, a.userId);
    expect(mine?.role).toBe('owner');
    expect(await getMembership(db, b.organization.id, a.userId)).toBeNull();
    expect(await getMembershipById(db, b.organization.id, mine!.id)).toBeNull();
    expect(await listMemberUserIds(db, b.organization.id, [a.userId])).toEqual([]);
    expect((await listOrganizationMembers(db, b.organization.id)).map((m) => m.userId)).toEqual([b.userId]);
    await expect(setMembershipRole(db, b.organization.id, mine!.id, 'agent')).rejects.toThrow();
    await expect(deleteMembership(db, b.organization.id, mine!.id)).rejects.toThrow();
    expect((await getMembership(db, a.organization.id, a.userId))?.role).toBe('owner');
  });

  it('withOrganizationLock runs its work in one transaction: a failure leaves nothing behind', async () => {
    const mine = (await getMembership(db, a.organization.id, a.userId))!;
    await expect(
      withOrganizationLock(db, a.organization.id, async (tx) => {
        await setMembershipRole(tx, a.organization.id, mine.id, 'admin');
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect((await getMembership(db, a.organization.id, a.userId))?.role).toBe('owner');
  });

  it('invitations: another tenant can neither read, revoke, claim nor withdraw them', async () => {
    const inv = await createInvitationRow(db, a.organization.id, {
      email: 'new@a.test',
      role: 'agent',
      tokenHash: sha256(newId()),
      invitedById: a.userId,
      expiresAt: new Date(Date.now() + 60_000),
    });
    expect(await getInvitation(db, b.organization.id, inv.id)).toBeNull();
    await expect(revokeInvitationRow(db, b.organization.id, inv.id)).rejects.toThrow();
    expect(await claimInvitation(db, b.organization.id, inv.id)).toBe(false);
    expect(await revokePendingInvitationsBy(db, b.organization.id, a.userId)).toEqual([]);
    expect((await getInvitation(db, a.organization.id, inv.id))?.revokedAt).toBeNull();
    expect(await claimInvitation(db, a.organization.id, inv.id)).toBe(true);
    expect(await claimInvitation(db, a.organization.id, inv.id)).toBe(false);
  });

  it('projects and connections: another tenant id finds, changes and deletes nothing', async () => {
    expect(await getProjectRecord(db, b.organization.id, a.project.id)).toBeNull();
    await expect(updateProjectFields(db, b.organization.id, a.project.id, { name: 'stolen' })).rejects.toThrow();
    await expect(deleteProject(db, b.organization.id, a.project.id)).rejects.toThrow();
    expect((await getProject(db, a.organization.id, a.project.id))?.name).toBe(a.project.name);
    expect(await countProjectConnections(db, b.organization.id, a.project.id)).toBe(0);
    expect(await countProjectConnections(db, a.organization.id, a.project.id)).toBe(1);
    const scopeB = { organizationId: b.organization.id, projectId: a.project.id };
    expect(await findProjectConnectionIdByTarget(db, scopeB, 'telegram', '-100111')).toBeNull();
    expect(
      await findProjectConnectionIdByTarget(
        db,
        { organizationId: a.organization.id, projectId: a.project.id },
        'telegram',
        '-100111',
      ),
    ).toBe(a.telegram!.connection.id);
  });

  it('inbox reads and downloads: another tenant (or another project) sees nothing', async () => {
    const v = await createVisitor(db, a.organization.id, {
      projectId: a.project.id,
      tokenHash: sha256('inbox-visitor'),
    });
    const c = await getOrCreateOpenConversation(db, a.organization.id, { projectId: a.project.id, visitorId: v.id });
    const sent = await appendMessage(db, a.organization.id, {
      conversationId: c.id,
      sender: 'visitor',
      body: 'hello there',
      source: 'widget',
      clientId: 'inbox-client-1',
    });
    const file = await createAttachment(db, a.organization.id, {
      conversationId: c.id,
      uploadedBy: 'visitor',
      name: 'a.txt',
      contentType: 'text/plain',
      size: 1,
      sha256: sha256('x'),
      storageKey: `k/${newId()}`,
    });
    await db.attachment.update({
      where: { organizationId_id: { organizationId: a.organization.id, id: file.id } },
      data: { messageId: sent.message.id },
    });

    const mineScope = { organizationId: a.organization.id, projectId: a.project.id };
    const theirs = { organizationId: b.organization.id, projectId: a.project.id };
    expect(await conversationExists(db, mineScope, c.id)).toBe(true);
    expect(await conversationExists(db, theirs, c.id)).toBe(false);
    expect(await conversationExists(db, { organizationId: b.organization.id, projectId: b.project.id }, c.id)).toBe(
      false,
    );
    expect(await getConversationWithVisitor(db, theirs, c.id)).toBeNull();
    expect((await getConversationWithVisitor(db, mineScope, c.id))?.visitor.id).toBe(v.id);
    expect(await listLatestMessagesWithAttachments(db, b.organization.id, c.id, 10)).toEqual([]);
    const mine = await listLatestMessagesWithAttachments(db, a.organization.id, c.id, 10);
    expect(mine.map((m) => [m.body, m.attachments.map((x) => x.id)])).toEqual([['hello there', [file.id]]]);
    expect(await findDownloadableAttachment(db, { ...theirs, conversationId: c.id }, file.id)).toBeNull();
    expect((await findDownloadableAttachment(db, { ...mineScope, conversationId: c.id }, file.id))?.storageKey).toBe(
      file.storageKey,
    );

    const page = await queryInboxPage(db, a.organization.id, a.project.id, {
      tab: 'open',
      pattern: '%hello%',
      after: null,
      limit: 10,
    });
    expect(page.map((r) => r.id)).toContain(c.id);
    expect(
      await queryInboxPage(db, b.organization.id, a.project.id, { tab: 'open', pattern: null, after: null, limit: 10 }),
    ).toEqual([]);
  });
});
