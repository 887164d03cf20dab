import type { Metadata } from 'next';
import { getOrganizationDeletion } from '@pocketping/db';
import { getContext } from '~/server/context';
import { requirePageMember } from '~/server/page-guard';
import { ORGANIZATION_DELETION_GRACE_DAYS } from '~/server/privacy/organization-deletion';
import { OrganizationDeletion } from './organization-deletion-client';

export const metadata: Metadata = { title: 'Delete organization' };
export const dynamic = 'force-dynamic';

/** The organization's deletion (owners): schedule it with a grace period, or cancel it. docs/privacy.md. */
export default async function PrivacyPage({ params }: { params: Promise<{ orgId: string }> }) {
  const { orgId } = await params;
  const member = await requirePageMember(orgId, 'owner');
  const deletion = await getOrganizationDeletion(getContext().db, orgId);
  return (
    <>
      <h1>Delete organization</h1>
      <section className="card stack danger">
        <OrganizationDeletion
          orgId={orgId}
          orgName={member.organization.name}
          scheduledFor={deletion?.scheduledFor ?? null}
          graceDays={ORGANIZATION_DELETION_GRACE_DAYS}
        />
      </section>
    </>
  );
}
