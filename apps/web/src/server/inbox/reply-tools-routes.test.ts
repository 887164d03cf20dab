// The reply box's tools through the real tenancy wrapper, Postgres, Redis and local storage: saved replies (CRUD,
// who may edit, another tenant's or project's ids, shortcut rules and uniqueness) and an operator's files (uploaded
// with the visitor's checks — type from the bytes, size, the organization's storage quota — then sent with a reply
// that reaches the widget with a signed URL and every chat app through the outbox).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomToken, sha256 } from '@pocketping/core';
import { createConnection, createVisitor, getOrCreateOpenConversation, getStorageUsage } from '@pocketping/db';
import { UPLOAD_LIMITS } from '@pocketping/protocol';
import { setupWebTestEnv, TEST_WEB_URL, type TWebTestEnv } from '../testing/web-test-env';
import { captureRelayedPushes } from '../testing/relay-capture';
import * as savedRoute from '../../app/api/app/orgs/[orgId]/projects/[projectId]/saved-replies/route';
import * as savedOneRoute from '../../app/api/app/orgs/[orgId]/projects/[projectId]/saved-replies/[replyId]/route';
import * as uploadRoute from '../../app/api/app/orgs/[orgId]/projects/[projectId]/conversations/[conversationId]/attachments/route';
import * as messagesRoute from '../../app/api/app/orgs/[orgId]/projects/[projectId]/conversations/[conversationId]/messages/route';

let env: TWebTestEnv;
let storageDir: string;
let relay: Awaited<ReturnType<typeof captureRelayedPushes>>;

interface TWorld {
  orgId: string;
  projectId: string;
  otherProjectId: string;
  ownerCookie: string;
  adminCookie: string;
  agentCookie: string;
}
let a: TWorld;
let b: TWorld;

async function world(label: string): Promise<TWorld> {
  const owner = await env.createUser();
  const org = await env.createOrg(owner.id, label);
  const admin = await env.createUser();
  await env.addMember(org.id, admin.id, 'admin');
  const agent = await env.createUser({ name: `Agent ${label}` });
  await env.addMember(org.id, agent.id, 'agent');
  const project = await env.createProject(org.id, `${label} site`);
  const other = await env.createProject(org.id, `${label} other`);
  return {
    orgId: org.id,
    projectId: project.id,
    otherProjectId: other.id,
    ownerCookie: await env.sessionCookie(owner.id),
    adminCookie: await env.sessionCookie(admin.id),
    agentCookie: await env.sessionCookie(agent.id),
  };
}

const savedBase = (w: TWorld, projectId = w.projectId) =>
  `/api/app/orgs/${w.orgId}/projects/${projectId}/saved-replies`;
const listSaved = (w: TWorld, cookie: string, projectId = w.projectId) =>
  env.call(savedRoute.GET, { path: savedBase(w, projectId), params: { orgId: w.orgId, projectId }, cookie });
const createSaved = (w: TWorld, cookie: string, body: unknown, projectId = w.projectId) =>
  env.call(savedRoute.POST, { path: savedBase(w, projectId), params: { orgId: w.orgId, projectId }, cookie, body });
const updateSaved = (w: TWorld, cookie: string, replyId: string, body: unknown) =>
  env.call(savedOneRoute.PUT, {
    method: 'PUT',
    path: `${savedBase(w)}/${replyId}`,
    params: { orgId: w.orgId, projectId: w.projectId, replyId },
    cookie,
    body,
  });
const deleteSaved = (w: TWorld, cookie: string, replyId: string) =>
  env.call(savedOneRoute.DELETE, {
    method: 'DELETE',
    path: `${savedBase(w)}/${replyId}`,
    params: { orgId: w.orgId, projectId: w.projectId, replyId },
    cookie,
    body: {},
  });

beforeAll(async () => {
  storageDir = await mkdtemp(path.join(tmpdir(), 'pp-web-reply-files-'));
  env = await setupWebTestEnv({ STORAGE_DRIVER: 'local', STORAGE_LOCAL_DIR: storageDir });
  relay = await captureRelayedPushes();
  a = await world('Alpha');
  b = await world('Beta');
});
afterAll(async () => {
  relay?.close();
  await env?.close();
  if (storageDir) await rm(storageDir, { recursive: true, force: true });
});

describe('saved replies', () => {
  it('admins create, edit and delete; every member lists them; shortcuts are checked and unique per project', async () => {
    const created = await createSaved(a, a.adminCookie, {
      title: 'Refund policy',
      shortcut: ' Refund ',
      body: 'Hi {visitor.name}, refunds take **5 days**.\r\n— {operator.name}',
    });
    expect(created.status).toBe(200);
    // Normalised like everything the server stores: lowercase shortcut, message body rules.
    expect(created.json.savedReply).toMatchObject({
      shortcut: 'refund',
      title: 'Refund policy',
      body: 'Hi {visitor.name}, refunds take **5 days**.\n— {operator.name}',
    });
    const id = created.json.savedReply.id as string;

    const asAgent = await listSaved(a, a.agentCookie);
    expect(asAgent.status).toBe(200);
    expect(asAgent.json.savedReplies.map((r: { shortcut: string }) => r.shortcut)).toEqual(['refund']);

    const dup = await createSaved(a, a.ownerCookie, { title: 'Other', shortcut: 'refund', body: 'x' });
    expect(dup.status).toBe(409);
    expect(dup.json.error.details.issues[0].path).toBe('shortcut');
    // The same shortcut in another project of the organization is another reply.
    expect(
      (await createSaved(a, a.ownerCookie, { title: 'T', shortcut: 'refund', body: 'y' }, a.otherProjectId)).status,
    ).toBe(200);

    for (const bad of [
      { title: 'T', shortcut: 'has space', body: 'x' },
      { title: 'T', shortcut: 'x'.repeat(33), body: 'x' },
      { title: 'T', shortcut: 'ok', body: '   ' },
      { title: 'T', shortcut: 'ok', body: 'x'.repeat(4001) },
      { title: '', shortcut: 'ok', body: 'x' },
      { title: 'T', shortcut: 'ok', body: 'x', extra: true },
    ]) {
      const r = await createSaved(a, a.adminCookie, bad);
      expect(r.status, JSON.stringify(bad).slice(0, 80)).toBe(400);
    }

    const second = await createSaved(a, a.adminCookie, { title: 'Hours', shortcut: 'hours', body: '9–5' });
    const renamedOntoTaken = await updateSaved(a, a.adminCookie, second.json.savedReply.id, {
      title: 'Hours',
      shortcut: 'refund',
      body: '9–5',
    });
    expect(renamedOntoTaken.status).toBe(409);

    const edited = await updateSaved(a, a.adminCookie, id, { title: 'Refunds', shortcut: 'refunds', body: 'New text' });
    expect(edited.status).toBe(200);
    expect(edited.json.savedReply).toMatchObject({ id, shortcut: 'refunds', body: 'New text' });

    expect((await deleteSaved(a, a.adminCookie, id)).status).toBe(200);
    expect((await deleteSaved(a, a.adminCookie, id)).status).toBe(404);
    const after = await listSaved(a, a.agentCookie);
    expect(after.json.savedReplies.map((r: { shortcut: string }) => r.shortcut)).toEqual(['hours']);
    // Each change is in the organization's audit log.
    const { db } = await env.app();
    const audit = await db.auditLog.findMany({
      where: { organizationId: a.orgId, targetId: id },
      orderBy: { createdAt: 'asc' },
    });
    expect(audit.map((e) => e.action)).toEqual(['saved_reply.created', 'saved_reply.updated', 'saved_reply.deleted']);
  });

  it('agents may not change them; another organization or project never sees or changes them', async () => {
    const mine = await createSaved(a, a.ownerCookie, { title: 'Mine', shortcut: 'mine', body: 'private text' });
    const id = mine.json.savedReply.id as string;
    expect((await createSaved(a, a.agentCookie, { title: 'T', shortcut: 'agent', body: 'x' })).status).toBe(403);
    expect((await updateSaved(a, a.agentCookie, id, { title: 'T', shortcut: 'mine', body: 'x' })).status).toBe(403);
    expect((await deleteSaved(a, a.agentCookie, id)).status).toBe(403);

    // Beta's owner, naming Alpha's organization: not a member → 404, nothing listed.
    const foreign = await listSaved(a, b.ownerCookie);
    expect(foreign.status).toBe(404);
    // Beta's owner in Beta's own organization, with Alpha's reply id: not found, and Alpha's reply unchanged.
    expect((await updateSaved(b, b.ownerCookie, id, { title: 'X', shortcut: 'x', body: 'x' })).status).toBe(404);
    expect((await deleteSaved(b, b.ownerCookie, id)).status).toBe(404);
    // Alpha's project id under Beta's organization: not found.
    expect((await listSaved(b, b.ownerCookie, a.projectId)).status).toBe(404);
    expect(
      (await createSaved(b, b.ownerCookie, { title: 'T', shortcut: 'steal', body: 'x' }, a.projectId)).status,
    ).toBe(404);
    // Another project of the same organization has its own list.
    const other = await listSaved(a, a.ownerCookie, a.otherProjectId);
    expect(other.json.savedReplies.some((r: { id: string }) => r.id === id)).toBe(false);
    const still = await listSaved(a, a.agentCookie);
    expect(still.json.savedReplies.find((r: { id: string }) => r.id === id)).toMatchObject({ body: 'private text' });
  });
});

const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from('fake png body for the test'),
]);

async function openConversation(w: TWorld) {
  const { db } = await env.app();
  const visitor = await createVisitor(db, w.orgId, {
    projectId: w.projectId,
    tokenHash: sha256(randomToken('vt_')),
    metadata: {},
  });
  return getOrCreateOpenConversation(db, w.orgId, { projectId: w.projectId, visitorId: visitor.id });
}

function upload(
  w: TWorld,
  conversationId: string,
  name: string,
  bytes: Uint8Array | string,
  opts: { cookie?: string; origin?: string; projectId?: string } = {},
) {
  const projectId = opts.projectId ?? w.projectId;
  return env.call(uploadRoute.POST, {
    path: `/api/app/orgs/${w.orgId}/projects/${projectId}/conversations/${conversationId}/attachments?name=${encodeURIComponent(name)}`,
    params: { orgId: w.orgId, projectId, conversationId },
    cookie: opts.cookie ?? w.agentCookie,
    headers: { origin: opts.origin ?? TEST_WEB_URL, 'content-type': 'application/octet-stream' },
    body: bytes,
  });
}

function reply(w: TWorld, conversationId: string, body: Record<string, unknown>) {
  return env.call(messagesRoute.POST, {
    path: `/api/app/orgs/${w.orgId}/projects/${w.projectId}/conversations/${conversationId}/messages`,
    params: { orgId: w.orgId, projectId: w.projectId, conversationId },
    cookie: w.agentCookie,
    body,
  });
}

async function storedFiles(): Promise<number> {
  const walk = async (dir: string): Promise<number> => {
    let n = 0;
    for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      n += e.isDirectory() ? await walk(path.join(dir, e.name)) : 1;
    }
    return n;
  };
  return walk(storageDir);
}

describe('files from the reply box', () => {
  it('an image goes with a reply: stored, signed for the widget, queued for every chat app', async () => {
    const { db } = await env.app();
    const connection = await createConnection(db, a.orgId, {
      projectId: a.projectId,
      kind: 'telegram',
      sealedCredentials: 'v1:fake:alpha',
      targetId: `-100${Date.now()}`,
    });
    const c = await openConversation(a);
    const up = await upload(a, c.id, 'screen/shot".png', PNG);
    expect(up.status).toBe(200);
    // The name is cleaned like a visitor's (no path, no quote); the type comes from the bytes.
    expect(up.json.attachment).toMatchObject({ name: 'shot.png', contentType: 'image/png', size: PNG.length });
    const attachmentId = up.json.attachment.id as string;

    const sent = await reply(a, c.id, { body: '', attachmentIds: [attachmentId], clientId: 'web_filereply1' });
    expect(sent.status).toBe(200);
    expect(sent.json.message.attachments.map((x: { id: string }) => x.id)).toEqual([attachmentId]);
    const row = await db.attachment.findUniqueOrThrow({ where: { id: attachmentId } });
    expect(row).toMatchObject({ uploadedBy: 'operator', messageId: sent.json.message.id });
    const outbox = await db.outboxEvent.findMany({
      where: { organizationId: a.orgId, messageId: sent.json.message.id },
    });
    expect(outbox.map((o) => o.connectionId)).toEqual([connection.id]);
    // The widget's push carries a signed, expiring URL of realtime's file route.
    const push = await relay.waitForRelay((r) => r.room === `conv:${c.id}` && r.event === 'message');
    const pushed = push.args[0] as { attachments: { id: string; url: string | null }[] } | undefined;
    expect(pushed?.attachments[0]?.id).toBe(attachmentId);
    expect(pushed?.attachments[0]?.url).toMatch(/^http:\/\/127\.0\.0\.1:3998\/widget\/files\//);

    // Sent once: naming it again (another reply) is refused and stores nothing.
    const again = await reply(a, c.id, { body: 'again', attachmentIds: [attachmentId] });
    expect(again.status).toBe(403);
    expect(await db.message.count({ where: { conversationId: c.id, body: 'again' } })).toBe(0);
  });

  it('refuses what a visitor upload would refuse, and never keeps the bytes of a refused file', async () => {
    const c = await openConversation(a);
    const before = await storedFiles();
    const html = await upload(a, c.id, 'page.txt', '<html><script>alert(1)</script></html>');
    expect(html.status).toBe(400);
    expect(html.json.error.details.reason).toBe('file_type');
    const exe = await upload(a, c.id, 'tool.exe', Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03, 0, 0, 0, 0x04, 0x00]));
    expect(exe.status).toBe(400);
    const big = await upload(a, c.id, 'big.png', Buffer.concat([PNG, Buffer.alloc(UPLOAD_LIMITS.maxBytes)]));
    expect(big.status).toBe(413);
    expect(await storedFiles()).toBe(before);
    // Cross-site (a form on another origin can send a raw body): refused before anything is read.
    expect((await upload(a, c.id, 'a.png', PNG, { origin: 'https://evil.example' })).status).toBe(403);
    // Another organization's member, another tenant's conversation, or a conversation of another project: 404.
    expect((await upload(a, c.id, 'a.png', PNG, { cookie: b.ownerCookie })).status).toBe(404);
    const foreign = await openConversation(b);
    expect((await upload(a, foreign.id, 'a.png', PNG)).status).toBe(404);
    expect((await upload(a, c.id, 'a.png', PNG, { projectId: a.otherProjectId })).status).toBe(404);
    expect(await storedFiles()).toBe(before);
    // A file of one conversation cannot be sent in another.
    const mine = await upload(a, c.id, 'a.png', PNG);
    const other = await openConversation(a);
    expect((await reply(a, other.id, { body: 'x', attachmentIds: [mine.json.attachment.id] })).status).toBe(403);
    // An empty reply without files is still refused.
    expect((await reply(a, c.id, { body: '  ', attachmentIds: [] })).status).toBe(400);
  });

  it("stops at the organization's storage quota, before reading when full, after storing when it does not fit", async () => {
    const { db } = await env.app();
    const c = await openConversation(b);
    const quota = await (await env.app()).limits.storageQuotaFor(b.orgId);
    const used = await getStorageUsage(db, b.orgId);
    const upB = (name: string) => upload(b, c.id, name, PNG, { cookie: b.ownerCookie });
    // Almost full: the pre-check passes, the exact check (under the meter's lock) refuses and the bytes go.
    await db.organizationStorage.upsert({
      where: { organizationId: b.orgId },
      create: { organizationId: b.orgId, usedBytes: BigInt(quota - 5) },
      update: { usedBytes: BigInt(quota - 5) },
    });
    const before = await storedFiles();
    const nearly = await upB('a.png');
    expect(nearly.status).toBe(413);
    expect(nearly.json.error.details.reason).toBe('storage_quota');
    expect(await storedFiles()).toBe(before);
    expect(await db.attachment.count({ where: { organizationId: b.orgId, conversationId: c.id } })).toBe(0);
    // Full: refused the same way.
    await db.organizationStorage.update({ where: { organizationId: b.orgId }, data: { usedBytes: BigInt(quota) } });
    expect((await upB('b.png')).json.error.details.reason).toBe('storage_quota');
    // Room again: accepted, and the meter counts it.
    await db.organizationStorage.update({ where: { organizationId: b.orgId }, data: { usedBytes: BigInt(used) } });
    expect((await upB('c.png')).status).toBe(200);
    expect(await getStorageUsage(db, b.orgId)).toBe(used + PNG.length);
  });
});
