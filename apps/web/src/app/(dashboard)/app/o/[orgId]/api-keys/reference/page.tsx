import type { Metadata } from 'next';
import { requirePageMember } from '~/server/page-guard';
import { openApiDocument } from '~/server/api-v1/openapi-document';
import { ApiReference } from './api-reference';
import '../../team/lists.css';

export const metadata: Metadata = { title: 'REST API reference' };
export const dynamic = 'force-dynamic';

/** The REST API reference for any member of the organization: the served OpenAPI document, rendered here. */
export default async function ApiReferencePage({ params }: { params: Promise<{ orgId: string }> }) {
  const { orgId } = await params;
  await requirePageMember(orgId, 'agent');
  return <ApiReference orgId={orgId} document={openApiDocument()} />;
}
