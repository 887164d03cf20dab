import type { TUserProfile } from '@pocketping/db';

/** What the browser gets about its own account: never the storage key, only the URL that serves the avatar. */
export interface TProfileView {
  id: string;
  email: string;
  name: string | null;
  hasPassword: boolean;
  avatarUrl: string | null;
  pendingEmail: string | null;
}

/** The avatar's URL changes with each upload (`v`), so a browser cache never shows the previous picture. */
export function avatarUrl(userId: string, avatar: { updatedAt: Date } | null): string | null {
  return avatar ? `/api/app/avatars/${userId}?v=${avatar.updatedAt.getTime().toString(36)}` : null;
}

export function profileView(p: TUserProfile): TProfileView {
  return {
    id: p.id,
    email: p.email,
    name: p.name,
    hasPassword: p.hasPassword,
    avatarUrl: avatarUrl(p.id, p.avatar),
    pendingEmail: p.pendingEmail,
  };
}
