// The stats roll-up (StatsConversation, folded incrementally before each report) gives exactly the figures computed
// directly from the conversations and messages: on seeded data around local midnights, a DST change and a zone whose
// offset is not whole hours, for a project and the organization, for periods on and off the hour; and again after
// the changes that move figures (a late first reply, a close, a reopen, a rating, a deleted conversation, a new one).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseKeyRing } from '@pocketping/core';
import {
  bootstrapTenant,
  createDb,
  createProject,
  getStatsReport,
  saveCsat,
  setConversationStatus,
  appendMessage,
  STATS_CHANNELS,
  type TConversationStats,
  type TDb,
} from '@pocketping/db';
import { createTestDatabase, testEncryptionKey, type TTestDatabase } from '@pocketping/testkit';
import { nextDate, startOfLocalDay } from '../../apps/web/src/server/stats/stats-report.js';

let database: TTestDatabase;
let db: TDb;
let org: string;
let big: string;
let small: string;
let otherOrg: string;

/** A small deterministic generator, so a failure can be replayed. */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const H = 3_600_000;
// Around the New York DST change (2026-03-08 07:00 UTC) and many local midnights (UTC, New York, Kathmandu +5:45).
const START = Date.parse('2026-03-01T00:00:00Z');
const SPAN_H = 14 * 24;

/** `n` conversations started in the fortnight; `touched`: their last update (a new row's is now), else their last message. */
async function seed(
  organizationId: string,
  projects: string[],
  n: number,
  rand: () => number,
  tag: string,
  touched?: Date,
) {
  const visitors: { id: string; organizationId: string; projectId: string; tokenHash: string }[] = [];
  const conversations: {
    id: string;
    organizationId: string;
    projectId: string;
    visitorId: string;
    status: 'open' | 'closed';
    nextSeq: number;
    createdAt: Date;
    updatedAt: Date;
    lastMessageAt: Date;
    closedAt: Date | null;
    csatScore: number | null;
  }[] = [];
  const messages: {
    id: string;
    organizationId: string;
    conversationId: string;
    seq: number;
    sender: 'visitor' | 'operator' | 'ai' | 'system';
    visibility: 'public' | 'internal';
    body: string;
    source: string;
    createdAt: Date;
  }[] = [];
  for (let i = 0; i < n; i++) {
    const projectId = projects[i % projects.length]!;
    // Half of them within 20 minutes of a whole hour (local midnights of every zone above fall on them).
    const hour = Math.floor(rand() * SPAN_H);
    const offset = rand() < 0.5 ? (rand() - 0.5) * 40 * 60_000 : rand() * H;
    const createdAt = new Date(START + hour * H + Math.round(offset));
    const id = `${tag}c${i}`;
    visitors.push({ id: `${tag}v${i}`, organizationId, projectId, tokenHash: `${tag}t${i}` });
    let seq = 0;
    let t = createdAt.getTime();
    const push = (sender: (typeof messages)[number]['sender'], source: string, visibility: 'public' | 'internal') => {
      t += Math.round(1_000 + rand() * 2 * H);
      seq += 1;
      messages.push({
        id: `${id}m${seq}`,
        organizationId,
        conversationId: id,
        seq,
        sender,
        visibility,
        body: 'x',
        source,
        createdAt: new Date(t),
      });
    };
    const kind = rand();
    if (kind < 0.1) push('system', 'system', 'public'); // nobody wrote: neither answered nor unanswered
    if (kind >= 0.1) push('visitor', 'widget', 'public');
    if (kind >= 0.1 && rand() < 0.3) push('operator', 'web', 'internal'); // a note never counts as a reply
    if (kind >= 0.25) {
      const r = rand();
      if (r < 0.2) push('ai', 'ai', 'public');
      else push('operator', ['web', 'telegram', 'slack', 'discord', 'api', 'email'][Math.floor(r * 6)]!, 'public');
      if (rand() < 0.5) push('visitor', 'widget', 'public');
    }
    const closed = rand() < 0.6;
    conversations.push({
      id,
      organizationId,
      projectId,
      visitorId: `${tag}v${i}`,
      status: closed ? 'closed' : 'open',
      nextSeq: seq + 1,
      createdAt,
      // Last touched long ago: only what changes after the first fold is folded again.
      updatedAt: touched ?? new Date(t),
      lastMessageAt: new Date(t),
      closedAt: closed ? new Date(t + Math.round(rand() * 3 * H)) : null,
      csatScore: closed && rand() < 0.5 ? 1 + Math.floor(rand() * 5) : null,
    });
  }
  await db.visitor.createMany({ data: visitors });
  await db.conversation.createMany({ data: conversations });
  await db.message.createMany({ data: messages });
}

function localParts(at: Date, timeZone: string) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    weekday: 'short',
  }).formatToParts(at);
  const p = (t: string) => parts.find((x) => x.type === t)!.value;
  const weekday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(p('weekday')) + 1;
  return { date: `${p('year')}-${p('month')}-${p('day')}`, weekday, hour: Number(p('hour')) };
}

function percentile(sorted: number[], f: number): number | null {
  if (sorted.length === 0) return null;
  const pos = f * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

const round1 = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);

/** The figures straight from Conversation and Message, computed here in JS without the roll-up. */
async function direct(
  scope: { organizationId: string; projectId: string | null },
  q: { since: Date; until: Date; timeZone: string },
): Promise<Omit<TConversationStats, 'perDay'> & { perDay: Record<string, number> }> {
  const convs = await db.conversation.findMany({
    where: {
      organizationId: scope.organizationId,
      ...(scope.projectId ? { projectId: scope.projectId } : {}),
      createdAt: { gte: q.since, lt: q.until },
    },
    include: { messages: { orderBy: { seq: 'asc' } } },
  });
  const fr: number[] = [];
  const res: number[] = [];
  const channels = new Map<string, number>();
  const csat: number[] = [];
  const perDay: Record<string, number> = {};
  const heat = new Map<string, number>();
  let unanswered = 0;
  for (const c of convs) {
    const v = c.messages.find((m) => m.sender === 'visitor');
    const r = v
      ? c.messages.find(
          (m) => m.seq > v.seq && m.visibility === 'public' && (m.sender === 'operator' || m.sender === 'ai'),
        )
      : undefined;
    if (v && !r) unanswered++;
    if (v && r) {
      fr.push((r.createdAt.getTime() - v.createdAt.getTime()) / 1000);
      const ch =
        r.sender === 'ai'
          ? 'ai'
          : r.source === 'web'
            ? 'dashboard'
            : ['telegram', 'slack', 'discord', 'api'].includes(r.source)
              ? r.source
              : 'other';
      channels.set(ch, (channels.get(ch) ?? 0) + 1);
    }
    if (c.status === 'closed' && c.closedAt) res.push((c.closedAt.getTime() - c.createdAt.getTime()) / 1000);
    if (c.csatScore !== null) csat.push(c.csatScore);
    const l = localParts(c.createdAt, q.timeZone);
    perDay[l.date] = (perDay[l.date] ?? 0) + 1;
    heat.set(`${l.weekday}:${l.hour}`, (heat.get(`${l.weekday}:${l.hour}`) ?? 0) + 1);
  }
  fr.sort((a, b) => a - b);
  res.sort((a, b) => a - b);
  return {
    conversations: convs.length,
    closed: convs.filter((c) => c.status === 'closed').length,
    unanswered,
    firstResponse: {
      count: fr.length,
      medianSeconds: round1(percentile(fr, 0.5)),
      p90Seconds: round1(percentile(fr, 0.9)),
    },
    resolution: {
      count: res.length,
      medianSeconds: round1(percentile(res, 0.5)),
      p90Seconds: round1(percentile(res, 0.9)),
    },
    csat: {
      count: csat.length,
      average: csat.length ? Math.round((csat.reduce((a, b) => a + b, 0) / csat.length) * 100) / 100 : null,
      distribution: [1, 2, 3, 4, 5].map((score) => ({ score, count: csat.filter((s) => s === score).length })),
    },
    answeredBy: STATS_CHANNELS.map((channel) => ({ channel, count: channels.get(channel) ?? 0 })),
    perDay,
    heatmap: Array.from({ length: 7 * 24 }, (_, i) => {
      const weekday = Math.floor(i / 24) + 1;
      const hour = i % 24;
      return { weekday, hour, conversations: heat.get(`${weekday}:${hour}`) ?? 0 };
    }),
  };
}

function expectSame(got: TConversationStats, want: Awaited<ReturnType<typeof direct>>, label: string) {
  const { perDay, firstResponse, resolution, ...rest } = want;
  expect({ ...got, perDay: undefined, firstResponse: undefined, resolution: undefined }, label).toEqual({
    ...rest,
    perDay: undefined,
    firstResponse: undefined,
    resolution: undefined,
  });
  for (const [g, w] of [
    [got.firstResponse, firstResponse],
    [got.resolution, resolution],
  ] as const) {
    expect(g.count, label).toBe(w.count);
    for (const k of ['medianSeconds', 'p90Seconds'] as const) {
      if (w[k] === null) expect(g[k], label).toBeNull();
      else expect(Math.abs(g[k]! - w[k]), `${label} ${k}`).toBeLessThanOrEqual(0.1 + 1e-9);
    }
  }
  // Every day of the period is listed; the direct count only has days with conversations.
  const days = Object.fromEntries(got.perDay.filter((d) => d.conversations > 0).map((d) => [d.date, d.conversations]));
  expect(days, label).toEqual(perDay);
}

const periods = (): { name: string; since: Date; until: Date; timeZone: string }[] => {
  const local = (from: string, to: string, timeZone: string) => ({
    name: `${from}..${to} ${timeZone}`,
    since: startOfLocalDay(from, timeZone),
    until: startOfLocalDay(nextDate(to), timeZone),
    timeZone,
  });
  return [
    local('2026-03-02', '2026-03-10', 'America/New_York'), // across the DST change
    local('2026-03-03', '2026-03-09', 'Asia/Kathmandu'), // +5:45
    local('2026-03-01', '2026-03-14', 'UTC'),
    local('2026-03-05', '2026-03-05', 'Pacific/Chatham'), // +13:45, one day
    // Off the hour, as /api/v1/stats allows.
    {
      name: 'instants',
      since: new Date('2026-03-04T10:07:13.250Z'),
      until: new Date('2026-03-11T21:52:01Z'),
      timeZone: 'Europe/Paris',
    },
  ];
};

async function expectRollupMatches(step: string) {
  for (const p of periods()) {
    for (const scope of [
      { organizationId: org, projectId: big },
      { organizationId: org, projectId: null },
      { organizationId: otherOrg, projectId: null },
    ]) {
      const report = await getStatsReport(db, scope, p);
      const label = `${step}: ${p.name} ${scope.projectId ?? scope.organizationId}`;
      expectSame(report.current, await direct(scope, p), label);
      const length = p.until.getTime() - p.since.getTime();
      const before = { ...p, since: new Date(p.since.getTime() - length), until: p.since };
      expectSame(report.previous, await direct(scope, before), `${label} (previous)`);
    }
  }
}

beforeAll(async () => {
  database = await createTestDatabase('pp_stats_rollup');
  db = createDb(database.url, { poolSize: 6 });
  const keys = parseKeyRing(testEncryptionKey());
  const a = await bootstrapTenant(db, keys, {
    email: 'a@stats.test',
    orgName: 'A',
    allowedOrigins: ['https://a.test'],
  });
  org = a.organization.id;
  big = a.project.id;
  small = (await createProject(db, org, { name: 'Small', allowedOrigins: ['https://small.test'] })).id;
  const b = await bootstrapTenant(db, keys, {
    email: 'b@stats.test',
    orgName: 'B',
    allowedOrigins: ['https://b.test'],
  });
  otherOrg = b.organization.id;
  await seed(org, [big, big, small], 400, prng(7), 'a');
  await seed(otherOrg, [b.project.id], 60, prng(11), 'b');
}, 60_000);

afterAll(async () => {
  await db?.$disconnect();
  await database?.drop();
});

describe('stats roll-up', () => {
  it('equals the direct computation, at first read (the backfill) and after each change that moves a figure', async () => {
    await expectRollupMatches('backfill');
    expect(await db.statsConversation.count({ where: { organizationId: org } })).toBe(400);

    // Changes through the code paths the product uses (each bumps the conversation's updatedAt).
    const unansweredOne = await db.conversation.findFirstOrThrow({
      where: { organizationId: org, status: 'open', messages: { some: { sender: 'visitor' } } },
      orderBy: { createdAt: 'asc' },
      include: { messages: { orderBy: { seq: 'desc' }, take: 1 } },
    });
    await appendMessage(db, org, {
      conversationId: unansweredOne.id,
      sender: 'operator',
      body: 'late answer',
      source: 'slack',
      deliver: false,
    });
    const open = await db.conversation.findMany({ where: { organizationId: org, status: 'open' }, take: 3 });
    for (const c of open) await setConversationStatus(db, org, c.id, 'closed');
    const reopened = await db.conversation.findFirstOrThrow({
      where: { organizationId: org, status: 'closed', csatScore: null, id: { notIn: open.map((c) => c.id) } },
    });
    await setConversationStatus(db, org, reopened.id, 'open');
    // A rating of a conversation closed long ago: the rating alone must bring it back into the fold.
    const rated = await db.conversation.findFirstOrThrow({
      where: {
        organizationId: org,
        status: 'closed',
        csatScore: null,
        id: { notIn: [...open.map((c) => c.id), reopened.id] },
      },
    });
    await saveCsat(db, org, { conversationId: rated.id, visitorId: rated.visitorId, score: 2 });
    const gone = await db.conversation.findFirstOrThrow({ where: { organizationId: org, projectId: big } });
    await db.visitor.delete({ where: { id: gone.visitorId } });
    await seed(org, [big], 5, prng(99), 'late', new Date());

    await expectRollupMatches('after changes');
  }, 120_000);
});
