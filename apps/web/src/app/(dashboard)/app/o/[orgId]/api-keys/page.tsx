import type { Metadata } from 'next';
import Link from 'next/link';
import { listProjectNames } from '@pocketping/db';
import { getContext } from '~/server/context';
import { requirePageMember } from '~/server/page-guard';
import { listApiKeysWithCreators } from '~/server/team/api-key-creators';
import { CreateApiKey, RevokeApiKey } from './api-keys-client';
import '../team/lists.css';
import { DateTime } from '~/components/date-time';
import { formatDate } from '~/lib/format-date';

export const metadata: Metadata = { title: 'API keys' };
export const dynamic = 'force-dynamic';

/** API keys of the organization (admins and owners): create (shown once), list by prefix, revoke. */
export default async function ApiKeysPage({ params }: { params: Promise<{ orgId: string }> }) {
  const { orgId } = await params;
  await requirePageMember(orgId, 'admin');
  const [keys, projects] = await Promise.all([
    listApiKeysWithCreators(getContext().db, orgId),
    listProjectNames(getContext().db, orgId),
  ]);
  const projectName = new Map(projects.map((p) => [p.id, p.name]));
  return (
    <>
      <h1>API keys</h1>
      <section className="card stack">
        <p className="muted" style={{ margin: 0 }}>
          Keys let your own code call the PocketPing REST API (<code>/api/v1</code>) for this organization: send{' '}
          <code>Authorization: Bearer &lt;key&gt;</code>. A read-only key can list and read; a read-and-write key can
          also reply, close and reopen conversations and update or erase visitors. A key limited to one project sees
          nothing of the others. Treat keys like passwords: a key is shown only once, when you create it. A key belongs
          to the organization: it keeps working when the person who created it leaves the team — revoke it here and it
          stops at its next request. <Link href={`/app/o/${orgId}/api-keys/reference`}>API reference</Link>
        </p>
        <CreateApiKey orgId={orgId} projects={projects} />
      </section>
      <section className="card" aria-labelledby="keys-title">
        <h2 id="keys-title" style={{ marginTop: 0, fontSize: '1.1rem' }}>
          Keys
        </h2>
        {keys.length === 0 ? (
          <p className="muted">No API keys yet.</p>
        ) : (
          <div style={{ overflowX: 'auto' }}>
            <table className="list stacked" data-testid="api-keys">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Key</th>
                  <th>Access</th>
                  <th>Created</th>
                  <th>Created by</th>
                  <th>Last used</th>
                  <th>Status</th>
                  <th>
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {keys.map((k) => (
                  <tr key={k.id}>
                    <td>{k.name}</td>
                    <td data-label="Key">
                      <code>{k.prefix}…</code>
                    </td>
                    <td data-label="Access">
                      {k.scopes.includes('write') ? 'Read and write' : 'Read only'}
                      {' · '}
                      {k.projectId ? `only ${projectName.get(k.projectId) ?? 'a deleted project'}` : 'all projects'}
                    </td>
                    <td data-label="Created">
                      <DateTime value={k.createdAt} />
                    </td>
                    <td data-label="Created by">
                      {k.createdBy ? (
                        <>
                          {k.createdBy.name ?? k.createdBy.email}
                          {k.createdBy.isMember ? null : (
                            <>
                              {' '}
                              <span className="badge warn">no longer a member</span>
                            </>
                          )}
                        </>
                      ) : (
                        <span className="muted">—</span>
                      )}
                    </td>
                    <td data-label="Last used">
                      {k.lastUsedAt ? <DateTime value={k.lastUsedAt} /> : <span className="muted">never</span>}
                    </td>
                    <td data-label="Status">
                      {k.revokedAt ? (
                        <span className="badge bad" title={k.revokedAt ? formatDate(k.revokedAt, 'datetime') : ''}>
                          revoked
                        </span>
                      ) : (
                        <span className="badge ok">active</span>
                      )}
                    </td>
                    <td className="actions">
                      {k.revokedAt ? null : <RevokeApiKey orgId={orgId} keyId={k.id} name={k.name} />}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
