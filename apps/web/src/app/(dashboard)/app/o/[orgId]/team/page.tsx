import type { Metadata } from 'next';
import { getContext } from '~/server/context';
import { requirePageMember } from '~/server/page-guard';
import { listMembers } from '~/server/team/members';
import { listPendingInvitations } from '~/server/team/invitations';
import { canChangeRole, canRemove, canTransferOwnership } from '~/server/team/roles';
import { InviteForm, InvitationActions, MemberActions } from './team-client';
import './lists.css';
import { countActiveApiKeysByCreator } from '@pocketping/db';
import { DateTime } from '~/components/date-time';

export const metadata: Metadata = { title: 'Team' };
export const dynamic = 'force-dynamic';

/** Team: members (any member sees them), invitations and role changes (admins and owners). */
export default async function TeamPage({ params }: { params: Promise<{ orgId: string }> }) {
  const { orgId } = await params;
  const me = await requirePageMember(orgId);
  const { db } = getContext();
  const isAdmin = me.role === 'owner' || me.role === 'admin';
  const [members, invitations, keyCounts] = await Promise.all([
    listMembers(db, orgId),
    isAdmin ? listPendingInvitations(db, orgId) : Promise.resolve([]),
    isAdmin ? countActiveApiKeysByCreator(db, orgId) : Promise.resolve(new Map<string | null, number>()),
  ]);
  const activeKeysBy = keyCounts;
  const owners = members.filter((m) => m.role === 'owner').length;

  return (
    <>
      <h1>Team</h1>
      {isAdmin ? (
        <section className="card stack" aria-labelledby="invite-title">
          <h2 id="invite-title" style={{ margin: 0, fontSize: '1.1rem' }}>
            Invite a teammate
          </h2>
          <p className="muted" style={{ margin: 0 }}>
            They get a link by email, valid for 7 days. Agents answer conversations; admins also manage chat apps,
            settings, API keys and the team.
          </p>
          <InviteForm orgId={orgId} />
        </section>
      ) : null}

      <section className="card" aria-labelledby="members-title">
        <h2 id="members-title" style={{ marginTop: 0, fontSize: '1.1rem' }}>
          Members ({members.length})
        </h2>
        <div style={{ overflowX: 'auto' }}>
          <table className="list stacked" data-testid="members">
            <thead>
              <tr>
                <th>Name</th>
                <th>Email</th>
                <th>Role</th>
                <th>Joined</th>
                <th>
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {members.map((m) => {
                const isSelf = m.userId === me.user.id;
                const lastOwner = m.role === 'owner' && owners <= 1;
                const roleChoices = (['agent', 'admin'] as const).filter(
                  (r) => r !== m.role && !lastOwner && canChangeRole(me.role, m.role, r, isSelf),
                );
                return (
                  <tr key={m.id} data-member-email={m.email}>
                    <td>
                      {m.name ?? <span className="muted">—</span>}
                      {isSelf ? <span className="muted"> (you)</span> : null}
                    </td>
                    <td className="email">{m.email}</td>
                    <td data-label="Role">
                      <span className="badge">{m.role}</span>
                    </td>
                    <td data-label="Joined">
                      <DateTime value={m.joinedAt} style="date" />
                    </td>
                    <td className="actions">
                      <MemberActions
                        orgId={orgId}
                        memberId={m.id}
                        label={m.name ?? m.email}
                        isSelf={isSelf}
                        roleChoices={roleChoices}
                        canRemove={!lastOwner && canRemove(me.role, m.role, isSelf)}
                        canTransfer={!isSelf && canTransferOwnership(me.role)}
                        lastOwnerSelf={isSelf && lastOwner}
                        apiKeysCreated={activeKeysBy.get(m.userId) ?? 0}
                      />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </section>

      {isAdmin ? (
        <section className="card" aria-labelledby="invitations-title">
          <h2 id="invitations-title" style={{ marginTop: 0, fontSize: '1.1rem' }}>
            Pending invitations
          </h2>
          {invitations.length === 0 ? (
            <p className="muted">No pending invitations.</p>
          ) : (
            <div style={{ overflowX: 'auto' }}>
              <table className="list stacked" data-testid="invitations">
                <thead>
                  <tr>
                    <th>Email</th>
                    <th>Role</th>
                    <th>Expires</th>
                    <th>
                      <span className="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {invitations.map((i) => (
                    <tr key={i.id}>
                      <td className="email">{i.email}</td>
                      <td data-label="Role">
                        <span className="badge">{i.role}</span>
                      </td>
                      <td data-label="Expires">
                        {i.expired ? (
                          <span className="badge bad">expired</span>
                        ) : (
                          <DateTime value={i.expiresAt} style="date" />
                        )}
                      </td>
                      <td className="actions">
                        <InvitationActions
                          orgId={orgId}
                          invitationId={i.id}
                          email={i.email}
                          role={i.role === 'admin' ? 'admin' : 'agent'}
                        />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      ) : null}
    </>
  );
}
