import type { TLimitsStore } from '@pocketping/billing';
import type { TDb } from '../client.js';
import { getStorageUsage } from './attachments.js';
import { loadBillingState } from './billing.js';
import {
  addAiUsage,
  countActiveChatApps,
  countActiveProjects,
  countConversationsSince,
  countSeats,
  getAiUsage,
} from './usage.js';

/** The Postgres side of @pocketping/billing's limits, wired once per app: `createLimits({ store: createLimitsStore(db), … })`. */
export function createLimitsStore(db: TDb): TLimitsStore {
  return {
    // An organization that does not exist (deleted meanwhile) gets nothing: Free, no trial.
    loadBillingState: async (org) =>
      (await loadBillingState(db, org)) ?? {
        organizationId: org,
        plan: 'free',
        interval: null,
        status: 'none',
        trialEndsAt: null,
        pastDueSince: null,
        currentPeriodEnd: null,
        cancelAtPeriodEnd: false,
      },
    countActiveProjects: (org) => countActiveProjects(db, org),
    countSeats: (org, now) => countSeats(db, org, now),
    countActiveChatApps: (org, projectId) => countActiveChatApps(db, org, projectId),
    async maxActiveChatApps(org) {
      const rows = await db.bridgeConnection.groupBy({
        by: ['projectId'],
        where: { organizationId: org, pausedAt: null, status: { not: 'disabled' } },
        _count: { _all: true },
      });
      return rows.reduce((max, r) => Math.max(max, r._count._all), 0);
    },
    storageUsedBytes: (org) => getStorageUsage(db, org),
    countConversationsSince: (org, since) => countConversationsSince(db, org, since),
    getAiUsage: (org, month) => getAiUsage(db, org, month),
    addAiUsage: (org, month, add) => addAiUsage(db, org, month, add),
  };
}
