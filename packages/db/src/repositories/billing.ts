import {
  BILLING_INTERVALS,
  PLAN_IDS,
  SUBSCRIPTION_STATUSES,
  TRIAL_DAYS,
  TRIAL_PLAN,
  type TBillingInterval,
  type TBillingState,
  type TPlanId,
  type TSubscriptionSnapshot,
  type TSubscriptionStatus,
} from '@pocketping/billing';
import type { TDb, TDbOrTx, TTx } from '../client.js';

const DAY_MS = 24 * 3600 * 1000;

const asPlan = (v: string): TPlanId => ((PLAN_IDS as readonly string[]).includes(v) ? (v as TPlanId) : 'free');
const asInterval = (v: string | null): TBillingInterval | null =>
  v && (BILLING_INTERVALS as readonly string[]).includes(v) ? (v as TBillingInterval) : null;
const asStatus = (v: string): TSubscriptionStatus =>
  (SUBSCRIPTION_STATUSES as readonly string[]).includes(v) ? (v as TSubscriptionStatus) : 'none';

/**
 * The organization's billing state. Without a row (never went to Checkout) a new organization is on the card-less
 * trial of TRIAL_PLAN until createdAt + TRIAL_DAYS; the entitlements side turns an ended trial into Free. Null for an
 * organization that does not exist.
 */
export async function loadBillingState(db: TDb, organizationId: string): Promise<TBillingState | null> {
  const org = await db.organization.findUnique({
    where: { id: organizationId },
    select: { createdAt: true, billing: true },
  });
  if (!org) return null;
  const row = org.billing;
  if (!row || (row.status === 'none' && row.stripeSubscriptionId === null && row.plan === 'free' && !row.trialEndsAt)) {
    return {
      organizationId,
      plan: TRIAL_PLAN,
      interval: null,
      status: 'trialing',
      trialEndsAt: new Date(org.createdAt.getTime() + TRIAL_DAYS * DAY_MS),
      pastDueSince: null,
      currentPeriodEnd: null,
      cancelAtPeriodEnd: false,
    };
  }
  return {
    organizationId,
    plan: asPlan(row.plan),
    interval: asInterval(row.interval),
    status: asStatus(row.status),
    trialEndsAt: row.trialEndsAt,
    pastDueSince: row.pastDueSince,
    currentPeriodEnd: row.currentPeriodEnd,
    cancelAtPeriodEnd: row.cancelAtPeriodEnd,
  };
}

/** The Stripe customer of the organization, if one was created. */
export async function getStripeCustomerId(db: TDb, organizationId: string): Promise<string | null> {
  const row = await db.organizationBilling.findUnique({
    where: { organizationId },
    select: { stripeCustomerId: true },
  });
  return row?.stripeCustomerId ?? null;
}

/**
 * Records the organization's Stripe customer, once: when a customer is already recorded (a concurrent checkout won)
 * that one is kept and returned, so an organization never ends up with two customers in our books.
 */
export async function claimStripeCustomerId(db: TDb, organizationId: string, customerId: string): Promise<string> {
  await db.$executeRaw`
    INSERT INTO "OrganizationBilling" ("organizationId", "stripeCustomerId", "updatedAt")
    VALUES (${organizationId}, ${customerId}, now())
    ON CONFLICT ("organizationId") DO UPDATE SET "stripeCustomerId" = EXCLUDED."stripeCustomerId", "updatedAt" = now()
    WHERE "OrganizationBilling"."stripeCustomerId" IS NULL`;
  const row = await db.organizationBilling.findUniqueOrThrow({
    where: { organizationId },
    select: { stripeCustomerId: true },
  });
  return row.stripeCustomerId ?? customerId;
}

/** The organization a Stripe customer belongs to (the webhook job's tenant lookup), or null for a stranger. */
export async function findOrganizationByStripeCustomer(db: TDb, customerId: string): Promise<string | null> {
  const row = await db.organizationBilling.findUnique({
    where: { stripeCustomerId: customerId },
    select: { organizationId: true },
  });
  return row?.organizationId ?? null;
}

export interface TStripeEventInput {
  id: string;
  type: string;
  eventCreatedAt: Date;
  customerId: string | null;
  subscriptionId: string | null;
}

export interface TStripeEventRecord extends TStripeEventInput {
  organizationId: string | null;
  processedAt: Date | null;
  outcome: string | null;
}

/**
 * Stores a webhook event on its id. `new` the first time; `duplicate` when the id is known (then `processed` says
 * whether its job already ran: an unprocessed duplicate is queued again, a processed one changes nothing).
 */
export async function recordStripeEvent(
  db: TDb,
  input: TStripeEventInput,
): Promise<{ status: 'new' | 'duplicate'; processed: boolean }> {
  const inserted = await db.$executeRaw`
    INSERT INTO "StripeEvent" ("id", "type", "eventCreatedAt", "customerId", "subscriptionId")
    VALUES (${input.id}, ${input.type}, ${input.eventCreatedAt}, ${input.customerId}, ${input.subscriptionId})
    ON CONFLICT ("id") DO NOTHING`;
  if (inserted === 1) return { status: 'new', processed: false };
  const row = await db.stripeEvent.findUnique({ where: { id: input.id }, select: { processedAt: true } });
  return { status: 'duplicate', processed: Boolean(row?.processedAt) };
}

export async function getStripeEvent(db: TDbOrTx, id: string): Promise<TStripeEventRecord | null> {
  return db.stripeEvent.findUnique({
    where: { id },
    select: {
      id: true,
      type: true,
      eventCreatedAt: true,
      customerId: true,
      subscriptionId: true,
      organizationId: true,
      processedAt: true,
      outcome: true,
    },
  });
}

/** Stripe events whose job never ran (lost enqueue, retries exhausted while Stripe was down): the sweeper queues them again. */
export async function listStaleStripeEvents(
  db: TDb,
  input: { olderThanMs: number; limit: number },
): Promise<{ id: string }[]> {
  return db.stripeEvent.findMany({
    where: { processedAt: null, receivedAt: { lt: new Date(Date.now() - input.olderThanMs) } },
    orderBy: { receivedAt: 'asc' },
    take: input.limit,
    select: { id: true },
  });
}

export async function markStripeEventProcessed(
  db: TDbOrTx,
  id: string,
  result: { organizationId: string | null; outcome: 'applied' | 'stale' | 'ignored' },
): Promise<void> {
  await db.stripeEvent.update({
    where: { id },
    data: { organizationId: result.organizationId, outcome: result.outcome, processedAt: new Date() },
  });
}

/** What the billing job writes: the subscription as Stripe says it is now. */
export type TBillingFromStripe = TSubscriptionSnapshot;

/** How long one organization's billing job may hold its lock (it covers one Stripe read, bounded by the client's timeout). */
const BILLING_LOCK_TIMEOUT_MS = 60_000;

/**
 * Runs `fn` holding the organization's billing lock (a transaction-scoped Postgres advisory lock, so it is shared by
 * every worker process and released on commit, rollback or a dropped connection). The billing job re-reads Stripe
 * and writes inside it: two jobs for one organization then read and write one after the other, and the last write is
 * always the last read — without it, a job that read Stripe earlier could write after one that read later.
 */
export async function withBillingLock<T>(db: TDb, organizationId: string, fn: (tx: TTx) => Promise<T>): Promise<T> {
  return db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`billing:${organizationId}`}, 0))`;
      return fn(tx);
    },
    { maxWait: 10_000, timeout: BILLING_LOCK_TIMEOUT_MS },
  );
}

/**
 * Writes the organization's billing as Stripe says it is now (`state` was read from Stripe under `withBillingLock`,
 * so it is never older than what is stored). `stripeEventCreatedAt` keeps the newest event applied; the answer is
 * `applied` for an event not older than that one and `stale` for an older event arriving late — whose re-read state
 * is still written, being the freshest read there is. `pastDueSince` starts when the status becomes past_due and is
 * kept while it stays so; any other status clears it.
 */
export async function applyBillingFromStripe(
  db: TDbOrTx,
  organizationId: string,
  state: TBillingFromStripe,
  eventCreatedAt: Date,
  now: Date = new Date(),
): Promise<'applied' | 'stale'> {
  const pastDue = state.status === 'past_due';
  const rows = await db.$queryRaw<{ stale: boolean }[]>`
    WITH before AS (
      SELECT "stripeEventCreatedAt" AS at FROM "OrganizationBilling" WHERE "organizationId" = ${organizationId}
    )
    INSERT INTO "OrganizationBilling" ("organizationId", "stripeSubscriptionId", "plan", "interval", "status",
      "trialEndsAt", "pastDueSince", "currentPeriodEnd", "cancelAtPeriodEnd", "stripeEventCreatedAt", "updatedAt")
    VALUES (${organizationId}, ${state.stripeSubscriptionId}, ${state.plan}, ${state.interval}, ${state.status},
      ${state.trialEndsAt}, ${pastDue ? now : null}, ${state.currentPeriodEnd}, ${state.cancelAtPeriodEnd},
      ${eventCreatedAt}, now())
    ON CONFLICT ("organizationId") DO UPDATE SET
      "stripeSubscriptionId" = EXCLUDED."stripeSubscriptionId",
      "plan" = EXCLUDED."plan",
      "interval" = EXCLUDED."interval",
      "status" = EXCLUDED."status",
      "trialEndsAt" = EXCLUDED."trialEndsAt",
      "pastDueSince" = CASE WHEN ${pastDue} THEN COALESCE("OrganizationBilling"."pastDueSince", ${now}) ELSE NULL END,
      "currentPeriodEnd" = EXCLUDED."currentPeriodEnd",
      "cancelAtPeriodEnd" = EXCLUDED."cancelAtPeriodEnd",
      "stripeEventCreatedAt" = GREATEST("OrganizationBilling"."stripeEventCreatedAt", EXCLUDED."stripeEventCreatedAt"),
      "updatedAt" = now()
    RETURNING COALESCE((SELECT at FROM before) > ${eventCreatedAt}, false) AS stale`;
  return rows[0]?.stale ? 'stale' : 'applied';
}

/** The billing emails, each sent once per organization and occurrence. */
export type TBillingNoticeKind = 'payment_failed' | 'trial_ending';

/** Claims one billing email (true = this caller sends it); a claim already made answers false. */
export async function claimBillingNotice(
  db: TDbOrTx,
  organizationId: string,
  notice: { kind: TBillingNoticeKind; occurrence: string },
): Promise<boolean> {
  const inserted = await db.$executeRaw`
    INSERT INTO "BillingNotice" ("organizationId", kind, occurrence)
    VALUES (${organizationId}, ${notice.kind}, ${notice.occurrence})
    ON CONFLICT DO NOTHING`;
  return inserted === 1;
}

/** Gives a claimed billing email back (it could not be sent), so the next attempt sends it. */
export async function releaseBillingNotice(
  db: TDbOrTx,
  organizationId: string,
  notice: { kind: TBillingNoticeKind; occurrence: string },
): Promise<void> {
  await db.billingNotice.deleteMany({ where: { organizationId, ...notice } });
}
