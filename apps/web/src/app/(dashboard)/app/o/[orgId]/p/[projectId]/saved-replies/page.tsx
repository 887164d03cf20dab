import type { Metadata } from 'next';
import { listSavedReplies } from '@pocketping/db';
import { getContext } from '~/server/context';
import { requirePageProject } from '~/server/page-guard';
import { roleAtLeast } from '~/server/tenancy';
import { SavedRepliesManager } from './saved-replies-client';
import './saved-replies.css';

export const metadata: Metadata = { title: 'Saved replies' };
export const dynamic = 'force-dynamic';

/** The project's canned responses: every member uses them (reply box, `/saved` in the chat apps), admins edit them. */
export default async function SavedRepliesPage({ params }: { params: Promise<{ orgId: string; projectId: string }> }) {
  const { orgId, projectId } = await params;
  const { project, role } = await requirePageProject(orgId, projectId, 'agent');
  const replies = await listSavedReplies(getContext().db, orgId, projectId);
  return (
    <>
      <h1>Saved replies</h1>
      <p className="muted">
        Answers your team sends often, for {project.name}. In a conversation, type <kbd>/</kbd> or <kbd>#</kbd> then the
        shortcut to insert one (you can edit it before sending); in Telegram, Slack or Discord, <code>/saved</code>{' '}
        lists them and <code>/saved refund</code> sends one. <code>{'{visitor.name}'}</code> and{' '}
        <code>{'{operator.name}'}</code> are filled in when used.
      </p>
      <SavedRepliesManager orgId={orgId} projectId={projectId} replies={replies} canEdit={roleAtLeast(role, 'admin')} />
    </>
  );
}
