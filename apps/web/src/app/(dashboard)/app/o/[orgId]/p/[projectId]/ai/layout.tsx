import type { ReactNode } from 'react';
import { requirePageProject } from '~/server/page-guard';
import { AiTabs } from './_components/ai-tabs';
import './_components/ai.css';

/** The AI section's pages (settings, knowledge, playground) under one row of tabs. Each page guards itself too. */
export default async function AiLayout({
  children,
  params,
}: {
  children: ReactNode;
  params: Promise<{ orgId: string; projectId: string }>;
}) {
  const { orgId, projectId } = await params;
  await requirePageProject(orgId, projectId);
  return (
    <>
      <AiTabs base={`/app/o/${orgId}/p/${projectId}/ai`} />
      {children}
    </>
  );
}
