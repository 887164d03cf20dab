// Team notifications end to end: real Postgres and Redis, the worker in-process (pipeline harness, two Telegram
// groups), and a real SMTP server (the fake relay) behind nodemailer. What is proven: a waiting visitor is announced
// once per wait — to each member who wants it at once, never to one who turned it off — after the project's delay
// (the delayed job is promoted instead of waited for); an answer before it cancels it; without a working chat app it
// goes at once; digest members get one digest listing who still waits; a hard bounce suppresses the address (no
// retries), a temporary one is retried; each recipient's hourly limit delays the rest instead of dropping them.
// Transcripts: a requested one carries the visitor's public conversation (senders, times, AI marked, file names) and
// never an internal note, only for that visitor's own conversation; at close, once per close, only when enabled.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Queue, type Job } from 'bullmq';
import { changeConversationStatus, postAiMessage, postOperatorMessage } from '@pocketping/conversations';
import { verifyConversationLinkToken, verifyUnsubscribeToken } from '@pocketping/core';
import { createMembership, createUser, setNotificationPreference, type Prisma } from '@pocketping/db';
import {
  JOBS,
  QUEUES,
  bullPrefix,
  conversationWaitingJobId,
  createMailJobs,
  createRedis,
  createTranscriptJobs,
  createVisitorConnections,
  visitorPostedJobId,
} from '@pocketping/jobs';
import { startFakeSmtp, waitFor, type TFakeSmtp } from '@pocketping/testkit';
import { scheduleWaitNotice } from '../../apps/worker/src/notifications/schedule-wait-notice.js';
import { startHarness, type THarness } from './pipeline-harness.js';

let h: THarness;
let smtp: TFakeSmtp;
let notifications: Queue;
let mailQueue: Queue;
const WEB = 'https://app.pocketping.test';
const OWNER = 'o@harness.test';
const agent = { email: 'agent@harness.test', id: '' };
const quiet = { email: 'quiet@harness.test', id: '' };
const digester = { email: 'digest@harness.test', id: '' };
/** The mail worker's clock for its hourly limit: real time unless a test pins it. */
let mailNow: number | undefined;

beforeAll(async () => {
  smtp = await startFakeSmtp({ viewerPort: false });
  h = await startHarness({
    notifications: {
      smtpUrl: smtp.url,
      from: 'PocketPing <no-reply@pocketping.test>',
      webPublicUrl: WEB,
      digestEveryMs: 3_600_000,
      perRecipientPerHour: 3,
      mailClock: () => mailNow ?? Date.now(),
    },
  });
  for (const m of [agent, quiet, digester]) {
    const u = await createUser(h.db, { email: m.email, name: m.email.split('@')[0]! });
    m.id = u.id;
    await createMembership(h.db, h.organizationId, u.id, 'agent');
  }
  await setNotificationPreference(h.db, quiet.id, 'waiting', 'off');
  await setNotificationPreference(h.db, digester.id, 'waiting', 'digest');
  const connection = createRedis(h.redis.url, 'producer');
  notifications = new Queue(QUEUES.notifications, { connection, prefix: bullPrefix(h.redis) });
  mailQueue = new Queue(QUEUES.mail, { connection, prefix: bullPrefix(h.redis) });
}, 120_000);

afterAll(async () => {
  await notifications?.close();
  await mailQueue?.close();
  await h?.close();
  await smtp?.close();
});

beforeEach(async () => {
  smtp.clear();
  await setProject({ waitNotifyMinutes: 5 });
  await h.db.bridgeConnection.updateMany({ where: { organizationId: h.organizationId }, data: { status: 'active' } });
});

async function setProject(settings: Prisma.InputJsonObject) {
  const p = await h.db.project.findUniqueOrThrow({ where: { id: h.projectId } });
  await h.db.project.update({
    where: { id: h.projectId },
    data: { settings: { ...(p.settings as Prisma.JsonObject), ...settings } },
  });
}

/** The wait's delayed job, once the worker scheduled it from `visitor.posted`. */
const waitJob = (conversationId: string, seq: number) =>
  waitFor(() => notifications.getJob(conversationWaitingJobId(conversationId, seq)), {
    what: `wait job of ${conversationId}#${seq}`,
    timeoutMs: 15_000,
  }) as Promise<Job>;

const mailsTo = (to: string) => smtp.mails().filter((m) => m.to.includes(to));

describe('waiting-visitor emails', () => {
  it('announces a wait once, after the delay, to each member who wants it at once', async () => {
    const c = await h.newConversation();
    const first = await h.visitorSays(c.id, 'Is the <b>blue</b> mug back in stock?');
    await h.visitorSays(c.id, 'Anyone there?');
    const job = await waitJob(c.id, first.message.seq);
    // Scheduled for the first message's time + 5 minutes (both messages are one wait: one job).
    const fireAt = job.timestamp + (job.opts.delay ?? 0);
    expect(fireAt - new Date(first.message.createdAt).getTime()).toBeGreaterThanOrEqual(5 * 60_000 - 1_000);
    expect(fireAt - new Date(first.message.createdAt).getTime()).toBeLessThanOrEqual(5 * 60_000 + 1_000);
    expect(await notifications.getJob(conversationWaitingJobId(c.id, first.message.seq + 1))).toBeUndefined();
    expect(mailsTo(OWNER)).toHaveLength(0);

    await job.promote();
    const mail = await smtp.waitForMail(agent.email, (m) => m.subject.includes('waiting'), 15_000);
    await smtp.waitForMail(OWNER, (m) => m.subject.includes('waiting'), 15_000);
    expect(mail.subject).toMatch(/^Visitor #\d{4} is waiting for an answer \(/);
    // Multipart: the text and the HTML say the same, visitor text escaped in the HTML.
    expect(mail.text).toContain('> Is the <b>blue</b> mug back in stock?');
    expect(mail.text).toContain('> Anyone there?');
    expect(mail.html).toContain('Is the &lt;b&gt;blue&lt;/b&gt; mug back in stock?');
    expect(mail.html).not.toContain('<b>blue</b>');
    expect(mail.links).toContain(`${WEB}/app/o/${h.organizationId}/p/${h.projectId}/inbox/${c.id}`);
    expect(mail.links).toContain(`${WEB}/app/account/notifications`);
    // One-click unsubscribe headers (RFC 8058) with a token naming this user and kind only.
    expect(mail.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    const oneClick = /^<(.+)>$/.exec(mail.headers['list-unsubscribe'] ?? '')?.[1] ?? '';
    expect(oneClick.startsWith(`${WEB}/api/unsubscribe/`)).toBe(true);
    const token = decodeURIComponent(oneClick.slice(`${WEB}/api/unsubscribe/`.length));
    expect(verifyUnsubscribeToken(h.worker.ctx.keyRing, token)).toEqual({
      userId: agent.id,
      kind: 'waiting',
    });

    // A second firing of the same wait (a duplicate job, another worker) finds it claimed and queues no email.
    const dup = await notifications.add(JOBS.conversationWaiting, job.data, {
      jobId: `dup-${randomBytes(4).toString('hex')}`,
    });
    const outcome = await waitFor(async () => (await notifications.getJob(dup.id!))?.returnvalue, {
      what: 'duplicate processed',
    });
    expect(outcome).toEqual({ outcome: 'already notified' });
    expect(mailsTo(agent.email).filter((m) => m.subject.includes('waiting'))).toHaveLength(1);
    expect(mailsTo(OWNER).filter((m) => m.subject.includes('waiting'))).toHaveLength(1);
    expect(mailsTo(quiet.email)).toHaveLength(0);
    expect(mailsTo(digester.email)).toHaveLength(0);
  });

  it('an answer before the delay cancels the email; the next message starts a new wait', async () => {
    const c = await h.newConversation();
    const first = await h.visitorSays(c.id, 'Hello?');
    const job = await waitJob(c.id, first.message.seq);
    await postOperatorMessage(h.worker.ctx.conversations, h.organizationId, {
      conversationId: c.id,
      projectId: h.projectId,
      authorName: 'Ann',
      body: 'Hi! Looking now.',
      visibility: 'public',
      source: 'web',
    });
    await job.promote();
    await waitFor(async () => (await job.getState()) === 'completed', { what: 'job done' });
    expect((await notifications.getJob(job.id!))?.returnvalue).toMatchObject({ outcome: 'answered' });

    const again = await h.visitorSays(c.id, 'Thanks, and one more question');
    const next = await waitJob(c.id, again.message.seq);
    expect(next.id).not.toBe(job.id);
    expect(mailsTo(OWNER)).toHaveLength(0);
  });

  it('goes at once when no chat app of the project works (the email is the only alert)', async () => {
    await h.db.bridgeConnection.updateMany({ where: { organizationId: h.organizationId }, data: { status: 'broken' } });
    const c = await h.newConversation();
    await h.visitorSays(c.id, 'Is anyone reading this?');
    const mail = await smtp.waitForMail(OWNER, (m) => m.text.includes('Is anyone reading this?'), 15_000);
    expect(mail.text).toContain('No chat app of this project works right now');
  });

  it('never when the project turned it off (and without AI the worker is not even asked)', async () => {
    await setProject({ waitNotifyMinutes: 0 });
    const c = await h.newConversation();
    const sent = await h.visitorSays(c.id, 'Quiet project');
    // visitorSays awaits realtime's follow-up: its gate said no, so no job exists that could schedule an email.
    const visitorQueue = new Queue(QUEUES.visitor, {
      connection: createRedis(h.redis.url, 'producer'),
      prefix: bullPrefix(h.redis),
    });
    try {
      expect(await visitorQueue.getJob(visitorPostedJobId(c.id, sent.message.seq))).toBeUndefined();
    } finally {
      await visitorQueue.close();
    }
    // And a worker asked anyway (a stale gate) schedules nothing.
    await setProject({ waitNotifyMinutes: 0 });
    expect(
      await scheduleWaitNotice(h.worker.ctx, h.organizationId, { projectId: h.projectId, conversationId: c.id }),
    ).toBe('off');
    expect(await notifications.getJob(conversationWaitingJobId(c.id, sent.message.seq))).toBeUndefined();
  });

  it('digest members get one digest of who still waits, then nothing until something new waits', async () => {
    const waiting = await h.newConversation();
    const answered = await h.newConversation();
    const w = await h.visitorSays(waiting.id, 'Still waiting here');
    const a = await h.visitorSays(answered.id, 'Will be answered');
    for (const [cid, seq] of [
      [waiting.id, w.message.seq],
      [answered.id, a.message.seq],
    ] as const) {
      const job = await waitJob(cid, seq);
      await job.promote();
      await waitFor(async () => (await job.getState()) === 'completed', { what: 'wait notice' });
    }
    await postOperatorMessage(h.worker.ctx.conversations, h.organizationId, {
      conversationId: answered.id,
      projectId: h.projectId,
      authorName: 'Ann',
      body: 'Answered',
      visibility: 'public',
      source: 'web',
    });
    const later = new Date(Date.now() + 3_600_000 + 1_000);
    expect(await h.worker.digestPass!(later)).toMatchObject({ emails: 1 });
    const digest = await smtp.waitForMail(digester.email, (m) => m.subject.includes('waiting'), 15_000);
    expect(digest.links).toContain(`${WEB}/app/o/${h.organizationId}/p/${h.projectId}/inbox/${waiting.id}`);
    expect(digest.links).not.toContain(`${WEB}/app/o/${h.organizationId}/p/${h.projectId}/inbox/${answered.id}`);
    // The next pass, right after: not due; an hour later: nothing new waits, no email.
    expect(await h.worker.digestPass!(new Date(later.getTime() + 1_000))).toMatchObject({ emails: 0 });
    expect(await h.worker.digestPass!(new Date(later.getTime() + 3_600_000 + 1_000))).toMatchObject({ emails: 0 });
    expect(mailsTo(digester.email)).toHaveLength(1);
  });
});

describe('the mail queue', () => {
  const mail = (to: string, n: number) => ({
    to,
    subject: `Test ${n}`,
    text: `Body ${n}`,
    html: `<p>Body ${n}</p>`,
    kind: 'test',
  });

  it('a hard bounce suppresses the address and is not retried; a temporary refusal is retried', async () => {
    const producerRedis = createRedis(h.redis.url, 'producer');
    const jobs = createMailJobs(producerRedis, h.redis);
    try {
      smtp.refuseRecipient('gone@harness.test', 550);
      await jobs.enqueue('bounce-1', mail('gone@harness.test', 1));
      await waitFor(async () => (await mailQueue.getJob('bounce-1'))?.failedReason, { what: 'bounce failed' });
      const failed = (await mailQueue.getJob('bounce-1'))!;
      expect(failed.attemptsMade).toBe(1);
      expect(await h.db.mailSuppression.findUnique({ where: { email: 'gone@harness.test' } })).toMatchObject({
        reason: expect.stringContaining('550'),
      });
      // The next email to that address is skipped without talking to the relay.
      await jobs.enqueue('bounce-2', mail('gone@harness.test', 2));
      await waitFor(async () => (await mailQueue.getJob('bounce-2'))?.returnvalue, { what: 'skipped' });
      expect((await mailQueue.getJob('bounce-2'))!.returnvalue).toEqual({ outcome: 'suppressed' });

      smtp.refuseRecipient('busy@harness.test', 451, 1);
      await jobs.enqueue('temp-1', mail('busy@harness.test', 1));
      const job = await waitFor(
        async () => {
          const j = await mailQueue.getJob('temp-1');
          return j && j.attemptsMade >= 1 && (await j.getState()) === 'delayed' ? j : undefined;
        },
        { what: 'temporary failure scheduled for a retry' },
      );
      await job.promote();
      const got = await smtp.waitForMail('busy@harness.test', () => true, 15_000);
      expect(got.subject).toBe('Test 1');
      expect(await h.db.mailSuppression.count({ where: { email: 'busy@harness.test' } })).toBe(0);
    } finally {
      await jobs.close();
      producerRedis.disconnect();
    }
  });

  it("past a recipient's hourly limit the next emails wait for the next hour (never dropped)", async () => {
    const producerRedis = createRedis(h.redis.url, 'producer');
    const jobs = createMailJobs(producerRedis, h.redis);
    const to = `limit-${randomBytes(3).toString('hex')}@harness.test`;
    // The limit counts per clock hour: pinned to the start of this hour, the test never straddles an hour's end
    // (real time past it would start a fresh count and send the 4th).
    const hour = Math.floor(Date.now() / 3_600_000);
    mailNow = hour * 3_600_000;
    try {
      for (let n = 1; n <= 5; n++) await jobs.enqueue(`limit-${to}-${n}`, mail(to, n));
      await waitFor(() => mailsTo(to).length >= 3, { what: 'three sent' });
      // The 4th and 5th are queued again for the next hour (ids naming it), not sent now and not dropped.
      const deferred = await waitFor(
        async () => {
          const found = await Promise.all([4, 5].map((n) => mailQueue.getJob(`limit-${to}-${n}-h${hour + 1}`)));
          return found.every(Boolean) ? found : undefined;
        },
        { what: 'the 4th and 5th deferred' },
      );
      for (const j of deferred) {
        expect(await j!.getState()).toBe('delayed');
        expect(j!.timestamp + (j!.opts.delay ?? 0)).toBeGreaterThanOrEqual((hour + 1) * 3_600_000);
      }
      expect(mailsTo(to)).toHaveLength(3);
    } finally {
      mailNow = undefined;
      await jobs.close();
      producerRedis.disconnect();
    }
  });
});

describe("the team's replies emailed to a visitor who left", () => {
  const later = (ms = 3 * 60_000) => new Date(Date.now() + ms);
  const operatorSays = (conversationId: string, body: string) =>
    postOperatorMessage(h.worker.ctx.conversations, h.organizationId, {
      conversationId,
      projectId: h.projectId,
      authorName: 'Ann',
      body,
      visibility: 'public',
      source: 'web',
    });
  async function visitorWithEmail() {
    const c = await h.newConversation();
    const email = `v-${randomBytes(3).toString('hex')}@visitor.test`;
    await h.db.visitor.update({ where: { id: c.visitorId }, data: { email } });
    await h.visitorSays(c.id, 'Do you ship to Norway?');
    return { ...c, email };
  }

  it('one email per burst of unread replies, with a signed link back into the conversation', async () => {
    const c = await visitorWithEmail();
    await operatorSays(c.id, 'Yes, **5 days** on average.');
    await operatorSays(c.id, 'And shipping is free above 50 €.');
    // Within the grace period the widget may still show it: nothing yet.
    expect((await h.worker.visitorReplyPass!(new Date())).emails).toBe(0);
    await h.worker.visitorReplyPass!(later());
    const mail = await smtp.waitForMail(c.email, () => true, 15_000);
    expect(mail.subject).toBe('Ann replied to your message (' + (await projectName()) + ')');
    expect(mail.text).toContain('> Yes, **5 days** on average.');
    expect(mail.text).toContain('> And shipping is free above 50 €.');
    expect(mail.text).not.toContain('Do you ship to Norway?');
    const link = mail.links.find((l) => l.startsWith(`${WEB}/chat/`))!;
    const claims = verifyConversationLinkToken(
      h.worker.ctx.keyRing,
      decodeURIComponent(link.slice(`${WEB}/chat/`.length)),
    );
    expect(claims).toMatchObject({ organizationId: h.organizationId, conversationId: c.id, visitorId: c.visitorId });
    expect(claims!.expiresAt * 1000).toBeGreaterThan(Date.now() + 13 * 86_400_000);

    // The same replies are never emailed twice; a new reply is, alone.
    expect((await h.worker.visitorReplyPass!(later())).emails).toBe(0);
    await operatorSays(c.id, 'Anything else?');
    await h.worker.visitorReplyPass!(later());
    const second = await smtp.waitForMail(c.email, (m) => m.id !== mail.id, 15_000);
    expect(second.text).toContain('> Anything else?');
    expect(second.text).not.toContain('5 days');
  });

  it('nothing when the visitor read it, is still connected, left no email, or the project turned it off', async () => {
    const read = await visitorWithEmail();
    const r = await operatorSays(read.id, 'Read in the widget');
    await h.db.conversation.update({ where: { id: read.id }, data: { visitorLastReadSeq: r.message.seq } });

    const online = await visitorWithEmail();
    await operatorSays(online.id, 'Seen live');
    const tabs = createVisitorConnections(h.worker.ctx.redis, h.redis.prefix, `node-${randomBytes(3).toString('hex')}`);
    await tabs.heartbeat();
    await tabs.connected(online.visitorId);

    const anonymous = await h.newConversation();
    await h.visitorSays(anonymous.id, 'No email given');
    await operatorSays(anonymous.id, 'Nobody to email');

    const result = await h.worker.visitorReplyPass!(later());
    expect(result.emails).toBe(0);

    await setProject({ emailVisitorReplies: false });
    await tabs.disconnected(online.visitorId);
    expect((await h.worker.visitorReplyPass!(later())).emails).toBe(0);
    await setProject({ emailVisitorReplies: true });
    // Once they left (and the project allows it), the visitor who was online gets theirs.
    expect((await h.worker.visitorReplyPass!(later())).emails).toBe(1);
    await smtp.waitForMail(online.email, (m) => m.text.includes('Seen live'), 15_000);
    expect(mailsTo(read.email)).toHaveLength(0);
    await tabs.stop();
  });
});

describe('transcripts emailed to the visitor', () => {
  const operatorSays = (conversationId: string, body: string, visibility: 'public' | 'internal' = 'public') =>
    postOperatorMessage(h.worker.ctx.conversations, h.organizationId, {
      conversationId,
      projectId: h.projectId,
      authorName: 'Ann',
      body,
      visibility,
      source: 'web',
    });
  async function conversationWithEmail(withEmail = true) {
    const c = await h.newConversation();
    const email = `t-${randomBytes(3).toString('hex')}@visitor.test`;
    if (withEmail) await h.db.visitor.update({ where: { id: c.visitorId }, data: { email } });
    const first = await h.visitorSays(c.id, 'Where is my <b>order</b>?');
    return { ...c, email, first };
  }
  const close = (conversationId: string, status: 'open' | 'closed' = 'closed') =>
    changeConversationStatus(h.worker.ctx.conversations, h.organizationId, {
      conversationId,
      status,
      actor: { authorName: 'Ann', source: 'web' },
    });
  const processed = async (jobId: string) =>
    waitFor(async () => (await notifications.getJob(jobId))?.returnvalue as { outcome: string } | undefined, {
      what: `job ${jobId} processed`,
      timeoutMs: 15_000,
    });

  it('on request: every public message with sender and time, AI marked, files by name, notes never', async () => {
    const c = await conversationWithEmail();
    const file = await h.db.attachment.create({
      data: {
        organizationId: h.organizationId,
        conversationId: c.id,
        uploadedBy: 'visitor',
        name: 'invoice-42.pdf',
        contentType: 'application/pdf',
        size: 12,
        sha256: 'x'.repeat(64),
        storageKey: `k-${randomBytes(4).toString('hex')}`,
      },
    });
    await h.visitorSays(c.id, 'Here is the invoice', [file.id]);
    await postAiMessage(h.worker.ctx.conversations, h.organizationId, {
      conversationId: c.id,
      projectId: h.projectId,
      assistantName: 'Robo',
      body: 'It ships **tomorrow**.',
      visitorSeq: c.first.message.seq,
    });
    await operatorSays(c.id, 'Secret: customer is grumpy', 'internal');
    await operatorSays(c.id, 'Confirmed, tomorrow & free.');

    const producerRedis = createRedis(h.redis.url, 'producer');
    const transcripts = createTranscriptJobs(producerRedis, h.redis);
    const to = `copy-${randomBytes(3).toString('hex')}@visitor.test`;
    await transcripts.request(
      { organizationId: h.organizationId, conversationId: c.id, visitorId: c.visitorId, email: to },
      'r1' + c.id,
    );
    expect(await processed(`transcript-r1${c.id}`)).toEqual({ outcome: 'queued' });
    const mail = await smtp.waitForMail(to, () => true, 15_000);
    expect(mail.subject).toBe(`Your conversation with ${await projectName()}`);
    expect(mail.text).toMatch(/You · \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC\n> Where is my <b>order<\/b>\?/);
    expect(mail.text).toContain('> Here is the invoice\n> [File: invoice-42.pdf]');
    expect(mail.text).toContain('Robo (AI assistant) · ');
    expect(mail.text).toContain('Ann · ');
    expect(mail.text).toContain('> Confirmed, tomorrow & free.');
    // In order, and the internal note nowhere.
    expect(mail.text.indexOf('Where is my')).toBeLessThan(mail.text.indexOf('ships'));
    expect(mail.text.indexOf('ships')).toBeLessThan(mail.text.indexOf('Confirmed'));
    expect(mail.text + mail.html).not.toContain('grumpy');
    // The HTML part says the same, every value escaped.
    expect(mail.html).toContain('Where is my &lt;b&gt;order&lt;/b&gt;?');
    expect(mail.html).not.toContain('<b>order</b>');
    expect(mail.html).toContain('Confirmed, tomorrow &amp; free.');
    expect(mail.html).toContain('[File: invoice-42.pdf]');

    // A job naming someone else's visitor (or another organization) reads nothing and sends nothing.
    const stranger = await conversationWithEmail();
    await transcripts.request(
      { organizationId: h.organizationId, conversationId: c.id, visitorId: stranger.visitorId, email: stranger.email },
      'r2' + c.id,
    );
    expect(await processed(`transcript-r2${c.id}`)).toEqual({ outcome: 'not found' });
    await transcripts.request(
      { organizationId: 'org_of_someone_else', conversationId: c.id, visitorId: c.visitorId, email: stranger.email },
      'r3' + c.id,
    );
    expect(await processed(`transcript-r3${c.id}`)).toEqual({ outcome: 'not found' });
    expect(mailsTo(stranger.email)).toHaveLength(0);
    await transcripts.close();
    producerRedis.disconnect();
  });

  it('at close when the project enables it: once per close, to a visitor with a known email only', async () => {
    const c = await conversationWithEmail();
    await operatorSays(c.id, 'All sorted!');
    const anonymous = await conversationWithEmail(false);
    // Off by default: closing sends nothing.
    await close(c.id);
    await close(anonymous.id);
    expect((await h.worker.closeTranscriptPass!()).emails).toBe(0);

    await setProject({ emailTranscriptOnClose: true });
    await close(c.id, 'open');
    await close(c.id);
    await close(anonymous.id, 'open');
    await close(anonymous.id);
    // The scheduled pass may run at the same moment: the claim makes one email either way.
    await h.worker.closeTranscriptPass!();
    const mail = await smtp.waitForMail(c.email, () => true, 15_000);
    expect(mail.text).toContain('closed this conversation');
    expect(mail.text).toContain('> All sorted!');
    expect((await h.worker.closeTranscriptPass!()).emails).toBe(0);
    const row = await h.db.conversation.findUniqueOrThrow({ where: { id: c.id } });
    expect(row.transcriptClosedAt?.getTime()).toBe(row.closedAt?.getTime());
    expect(mailsTo(c.email)).toHaveLength(1);

    // Reopened and closed again: a new close, a new transcript with what was said since.
    await close(c.id, 'open');
    await operatorSays(c.id, 'One more thing.');
    await close(c.id);
    await h.worker.closeTranscriptPass!();
    await smtp.waitForMail(c.email, (m) => m.text.includes('One more thing.'), 15_000);
    expect(mailsTo(c.email)).toHaveLength(2);
    expect(mailsTo(anonymous.email)).toHaveLength(0);
    await setProject({ emailTranscriptOnClose: false });
  });
});

async function projectName() {
  return (await h.db.project.findUniqueOrThrow({ where: { id: h.projectId } })).name;
}
