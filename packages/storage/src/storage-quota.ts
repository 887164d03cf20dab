/**
 * How many attachment bytes an organization may store. One question with one answer per organization, asked at every
 * upload: today every organization gets STORAGE_QUOTA_BYTES_PER_ORG (`flatStorageQuota`); a billing plan can answer
 * per organization later without touching the callers.
 */
export type TStorageQuotaFor = (organizationId: string) => Promise<number>;

export function flatStorageQuota(bytes: number): TStorageQuotaFor {
  return () => Promise.resolve(bytes);
}
