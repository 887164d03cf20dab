// Assignment and tags (issue 16): the rules in the conversation actions (members of the organization only, another
// tenant's conversation not found, tags normalized and limited, a departing member's conversations unassigned), the
// chat-app commands parsed and run through a bridge's inbound path (two Telegram connections: the trace note is
// mirrored to the other app), and the webhook event written with the change.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '@pocketping/core';
import { commandHelp, parseOperatorCommand } from '@pocketping/bridges';
import { assignConversation, changeConversationTags, matchMember } from '@pocketping/conversations';
import {
  createMembership,
  createOrganizationWithOwner,
  createProject,
  createUser,
  createVisitor,
  deleteMembership,
  getOrCreateOpenConversation,
  listProjectTags,
} from '@pocketping/db';
import { MAX_TAGS_PER_CONVERSATION, normalizeTag } from '@pocketping/protocol';
import { waitFor } from '@pocketping/testkit';
import { startHarness, type THarness } from './pipeline-harness.js';

describe('command parsing and matching (pure)', () => {
  it('parses /assign, /tag, /untag with / and !, and lists them in /help', () => {
    expect(parseOperatorCommand('/assign me')).toEqual({ name: 'assign', to: { kind: 'me' } });
    expect(parseOperatorCommand('!assign ME')).toEqual({ name: 'assign', to: { kind: 'me' } });
    expect(parseOperatorCommand('/assign none')).toEqual({ name: 'assign', to: { kind: 'none' } });
    expect(parseOperatorCommand('/assign@pocketping_bot bob')).toEqual({
      name: 'assign',
      to: { kind: 'member', query: 'bob' },
    });
    expect(parseOperatorCommand('/assign')).toEqual({ name: 'unknown', raw: '/assign' });
    expect(parseOperatorCommand('/tag  VIP lead ')).toEqual({ name: 'tag', tag: 'VIP lead' });
    expect(parseOperatorCommand('!untag vip')).toEqual({ name: 'untag', tag: 'vip' });
    expect(parseOperatorCommand('/tag')).toEqual({ name: 'unknown', raw: '/tag' });
    expect(commandHelp('!')).toContain('!assign me');
    expect(commandHelp('/')).toContain('/tag <name>');
  });

  it('normalizes tags: trimmed, one space, lower-case, 1–32 characters', () => {
    expect(normalizeTag('  Billing   Issue ')).toBe('billing issue');
    expect(normalizeTag('   ')).toBeNull();
    expect(normalizeTag('x'.repeat(32))).toBe('x'.repeat(32));
    expect(normalizeTag('x'.repeat(33))).toBeNull();
  });

  it('matches a member by exact name or email, then by a unique prefix; ambiguity guesses nobody', () => {
    const members = [
      { userId: 'u1', name: 'Ana Lima', email: 'ana@x.test' },
      { userId: 'u2', name: 'Bob Stone', email: 'bob@x.test' },
      { userId: 'u3', name: 'Bobby Tables', email: 'tables@x.test' },
    ];
    expect(matchMember(members, 'ana')).toEqual({ kind: 'one', member: members[0] });
    expect(matchMember(members, 'stone')).toEqual({ kind: 'one', member: members[1] });
    expect(matchMember(members, 'bob@x.test')).toEqual({ kind: 'one', member: members[1] });
    expect(matchMember(members, 'bob')).toMatchObject({ kind: 'ambiguous' });
    expect(matchMember(members, 'zed')).toEqual({ kind: 'none' });
  });
});

describe('assignment and tags (worker in-process, two Telegram connections)', () => {
  let h: THarness;
  let ownerId: string;
  let bobId: string;
  beforeAll(async () => {
    h = await startHarness();
    // The harness owner is the Telegram fake's default operator by name: `/assign me` maps to them.
    const owner = await h.db.membership.findFirstOrThrow({ where: { organizationId: h.organizationId } });
    ownerId = owner.userId;
    await h.db.user.update({ where: { id: ownerId }, data: { name: 'Olivia Operator' } });
    bobId = (await createUser(h.db, { email: 'bob@harness.test', name: 'Bob Builder' })).id;
    await createMembership(h.db, h.organizationId, bobId, 'agent');
  });
  afterAll(async () => {
    await h?.close();
  });

  const ports = () => h.worker.ctx.conversations;
  const actor = { authorName: 'Test', source: 'api' };
  const assigneeOf = async (id: string) =>
    (await h.db.conversation.findUniqueOrThrow({ where: { id } })).assigneeId ?? null;

  const conversationWithTopics = () => h.conversationWithTopics();

  it('refuses a user who is not a member and a conversation of another organization; writes the webhook row', async () => {
    const c = await h.newConversation();
    const stranger = await createUser(h.db, { email: 'stranger@elsewhere.test', name: 'Stranger' });
    await expect(
      assignConversation(ports(), h.organizationId, { conversationId: c.id, assigneeId: stranger.id, actor }),
    ).rejects.toMatchObject({ code: 'unprocessable', message: expect.stringMatching(/member of this organization/) });
    expect(await assigneeOf(c.id)).toBeNull();

    // Another tenant: its own member, its own conversation — neither crosses over.
    const other = await createOrganizationWithOwner(h.db, { email: 'owner@other.test', orgName: 'Other' });
    const otherProject = await createProject(h.db, other.organization.id, { name: 'O', allowedOrigins: [] });
    const otherVisitor = await createVisitor(h.db, other.organization.id, {
      projectId: otherProject.id,
      tokenHash: 'x'.repeat(64),
    });
    const otherConv = await getOrCreateOpenConversation(h.db, other.organization.id, {
      projectId: otherProject.id,
      visitorId: otherVisitor.id,
    });
    await expect(
      assignConversation(ports(), h.organizationId, { conversationId: c.id, assigneeId: other.userId, actor }),
    ).rejects.toMatchObject({ code: 'unprocessable' });
    await expect(
      assignConversation(ports(), h.organizationId, { conversationId: otherConv.id, assigneeId: ownerId, actor }),
    ).rejects.toSatisfy((e: unknown) => e instanceof AppError && e.code === 'not_found');
    await expect(
      changeConversationTags(ports(), h.organizationId, { conversationId: otherConv.id, add: ['x'] }),
    ).rejects.toMatchObject({ code: 'not_found' });
    expect(await assigneeOf(otherConv.id)).toBeNull();

    // A member: stored, the trace note written once, the webhook event row in the same transaction.
    await h.db.webhookEndpoint.create({
      data: {
        organizationId: h.organizationId,
        projectId: h.projectId,
        url: 'https://hooks.example.test/in',
        events: ['conversation.assigned'],
        secret: 'sealed',
      },
    });
    const r = await assignConversation(ports(), h.organizationId, {
      conversationId: c.id,
      assigneeId: bobId,
      actor: { authorName: 'Olivia Operator', source: 'web' },
    });
    expect(r).toMatchObject({ changed: true, assignee: { id: bobId, name: 'Bob Builder' } });
    const again = await assignConversation(ports(), h.organizationId, {
      conversationId: c.id,
      assigneeId: bobId,
      actor,
    });
    expect(again.changed).toBe(false);
    const notes = await h.db.message.findMany({ where: { conversationId: c.id, visibility: 'internal' } });
    expect(notes.map((n) => `${n.authorName}: ${n.body}`)).toEqual([
      'Olivia Operator: assigned this conversation to Bob Builder',
    ]);
    const deliveries = await h.db.webhookDelivery.findMany({
      where: { organizationId: h.organizationId, eventType: 'conversation.assigned', groupKey: c.id },
    });
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]?.payload).toMatchObject({
      type: 'conversation.assigned',
      data: { conversation: { id: c.id, assigneeId: bobId }, assignee: { id: bobId, name: 'Bob Builder' } },
    });
    await h.db.webhookEndpoint.deleteMany({ where: { organizationId: h.organizationId } });
  });

  it('a member who leaves the organization leaves nothing assigned to them', async () => {
    const carol = await createUser(h.db, { email: 'carol@harness.test', name: 'Carol' });
    const m = await createMembership(h.db, h.organizationId, carol.id, 'agent');
    const c = await h.newConversation();
    await assignConversation(ports(), h.organizationId, { conversationId: c.id, assigneeId: carol.id, actor });
    expect(await assigneeOf(c.id)).toBe(carol.id);
    await deleteMembership(h.db, h.organizationId, m.id);
    expect(await assigneeOf(c.id)).toBeNull();
  });

  it('tags: normalized, deduplicated, at most 10, a bad one refused in words; suggestions from the project', async () => {
    const c = await h.newConversation();
    const r = await changeConversationTags(ports(), h.organizationId, {
      conversationId: c.id,
      add: ['  VIP ', 'vip', 'Billing  Issue'],
    });
    expect(r).toEqual({ changed: true, tags: ['vip', 'billing issue'] });
    await expect(
      changeConversationTags(ports(), h.organizationId, { conversationId: c.id, add: ['x'.repeat(33)] }),
    ).rejects.toMatchObject({ code: 'unprocessable', message: expect.stringMatching(/1 to 32 characters/) });
    await expect(
      changeConversationTags(ports(), h.organizationId, { conversationId: c.id, add: [' '] }),
    ).rejects.toMatchObject({ code: 'unprocessable' });
    const more = Array.from({ length: MAX_TAGS_PER_CONVERSATION - 2 }, (_, i) => `t${i}`);
    await changeConversationTags(ports(), h.organizationId, { conversationId: c.id, add: more });
    await expect(
      changeConversationTags(ports(), h.organizationId, { conversationId: c.id, add: ['one-too-many'] }),
    ).rejects.toMatchObject({ code: 'unprocessable', message: expect.stringMatching(/at most 10 tags/) });
    const stored = (await h.db.conversation.findUniqueOrThrow({ where: { id: c.id } })).tags;
    expect(stored).toHaveLength(MAX_TAGS_PER_CONVERSATION);
    expect(stored).not.toContain('one-too-many');
    // Removing and adding in one change stays within the limit.
    const swapped = await changeConversationTags(ports(), h.organizationId, {
      conversationId: c.id,
      add: ['swap'],
      remove: ['t0'],
    });
    expect(swapped.tags).toContain('swap');
    expect(swapped.tags).not.toContain('t0');
    expect(await listProjectTags(h.db, h.organizationId, h.projectId)).toEqual(expect.arrayContaining(['vip', 'swap']));
  });

  it('/assign me, /assign <name>, /assign none, /tag, /untag from a chat app; trace notes mirrored to the other app', async () => {
    const { c, ta, tb } = await conversationWithTopics();
    const answers = () =>
      h
        .botPosts(h.a, ta)
        .slice(1)
        .map((m) => m.text ?? '');
    await h.operatorWrites(h.a, ta, { text: '/assign me' });
    expect(await assigneeOf(c.id)).toBe(ownerId);
    await waitFor(() => answers().includes('Conversation assigned to Olivia Operator.'), { what: '/assign me answer' });

    await h.operatorWrites(h.a, ta, { text: '/assign bob' });
    expect(await assigneeOf(c.id)).toBe(bobId);

    // A chat-app user who is no member by name: told clearly, nothing changes.
    await h.operatorWrites(h.a, ta, { text: '/assign me', from: { id: 74, first_name: 'Cy' } });
    await waitFor(() => answers().some((t) => t.startsWith("I can't tell which PocketPing member you are")), {
      what: 'unmapped answer',
    });
    expect(await assigneeOf(c.id)).toBe(bobId);
    await h.operatorWrites(h.a, ta, { text: '/assign zed' });
    await waitFor(() => answers().some((t) => t.startsWith('Nobody on your team matches “zed”')), {
      what: 'no match answer',
    });

    await h.operatorWrites(h.a, ta, { text: '!assign none' });
    expect(await assigneeOf(c.id)).toBeNull();

    await h.operatorWrites(h.a, ta, { text: '/tag Hot Lead' });
    expect((await h.db.conversation.findUniqueOrThrow({ where: { id: c.id } })).tags).toEqual(['hot lead']);
    await h.operatorWrites(h.a, ta, { text: `/tag ${'y'.repeat(40)}` });
    await waitFor(() => answers().some((t) => t.includes('is not a tag: a tag is 1 to 32 characters')), {
      what: 'bad tag answer',
    });
    await h.operatorWrites(h.a, ta, { text: '/untag HOT lead' });
    expect((await h.db.conversation.findUniqueOrThrow({ where: { id: c.id } })).tags).toEqual([]);

    // The other app gets the assignment trail as notes (tags are labels, not notes); the visitor sees none of it.
    await waitFor(() => h.botPosts(h.b, tb).length === 4, { what: 'assignment notes mirrored' });
    expect(
      h
        .botPosts(h.b, tb)
        .slice(1)
        .map((m) => m.text),
    ).toEqual([
      '📝 Note by Olivia Operator (via Telegram): assigned this conversation to Olivia Operator',
      '📝 Note by Olivia Operator (via Telegram): assigned this conversation to Bob Builder',
      '📝 Note by Olivia Operator (via Telegram): unassigned this conversation',
    ]);
    expect(h.pushed.messages.some((p) => p.message.body.includes('assigned'))).toBe(false);
  });
});
