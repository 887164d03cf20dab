/**
 * How many attachment bytes an organization may store. One question with one answer per organization, asked at every
 * upload: the organization's plan answers (`storageBytes`, @pocketping/billing's `storageQuotaFor`); tests may pass
 * a flat answer (`flatStorageQuota`). The realtime and worker apps wire the plan's.
 */
export type TStorageQuotaFor = (organizationId: string) => Promise<number>;

export function flatStorageQuota(bytes: number): TStorageQuotaFor {
  return () => Promise.resolve(bytes);
}
