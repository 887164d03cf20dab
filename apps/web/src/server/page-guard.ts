import { cookies } from 'next/headers';
import { notFound, redirect } from 'next/navigation';
import { getMembershipWithOrganization, getProjectRecord, type Role } from '@pocketping/db';
import { getContext } from './context';
import { getSessionUserFromCookies, type TSessionUser } from './auth/session';
import { roleAtLeast } from './tenancy';

/**
 * The page-side twin of `server/tenancy.ts`: every dashboard page (server component) calls one of these first.
 * Same session resolution, same membership rule (non-member → 404, too low a role → the "forbidden" page).
 */

async function cookieHeader(): Promise<string> {
  const jar = await cookies();
  return jar
    .getAll()
    .map((c) => `${c.name}=${encodeURIComponent(c.value)}`)
    .join('; ');
}

export async function currentUser(): Promise<TSessionUser | null> {
  const app = getContext();
  return getSessionUserFromCookies(app.db, await cookieHeader(), app.env.AUTH_SECRET);
}

/** The signed-in, email-verified user, or a redirect to /login that comes back here afterwards. */
export async function requirePageUser(opts: { allowUnverified?: boolean; next?: string } = {}): Promise<TSessionUser> {
  const user = await currentUser();
  if (!user) redirect(`/login?next=${encodeURIComponent(opts.next ?? '/app')}`);
  if (!user.emailVerified && !opts.allowUnverified) redirect('/check-email?reason=unverified');
  return user;
}

export interface TPageMember {
  user: TSessionUser;
  organization: { id: string; name: string; slug: string };
  role: Role;
}

export async function requirePageMember(orgId: string, minRole: Role = 'agent'): Promise<TPageMember> {
  const user = await requirePageUser({ next: `/app/o/${orgId}` });
  const { db } = getContext();
  const membership = await getMembershipWithOrganization(db, orgId, user.id);
  if (!membership) notFound();
  if (!roleAtLeast(membership.role, minRole)) redirect(`/app/o/${orgId}/forbidden?need=${minRole}`);
  return { user, organization: membership.organization, role: membership.role };
}

/** A project of that organization, or 404. */
export async function requirePageProject(orgId: string, projectId: string, minRole: Role = 'agent') {
  const member = await requirePageMember(orgId, minRole);
  const project = await getProjectRecord(getContext().db, orgId, projectId);
  if (!project) notFound();
  return { ...member, project };
}
