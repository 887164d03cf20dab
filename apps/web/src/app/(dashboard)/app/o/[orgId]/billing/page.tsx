import type { Metadata } from 'next';
import { requirePageMember } from '../../../../../../server/page-guard';

export const metadata: Metadata = { title: 'Billing' };
export const dynamic = 'force-dynamic';

/** Placeholder so the navigation has its place; plans and invoices come with the billing issue. Owners only. */
export default async function BillingPage({ params }: { params: Promise<{ orgId: string }> }) {
  const { orgId } = await params;
  const { organization } = await requirePageMember(orgId, 'owner');
  return (
    <>
      <h1>
        Billing <span className="badge soon">soon</span>
      </h1>
      <section className="card">
        <p>Plans, invoices and payment details for {organization.name} will live here.</p>
        <p className="muted">Billing is coming soon — until then PocketPing is free to use.</p>
      </section>
    </>
  );
}
